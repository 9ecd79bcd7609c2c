"""Shared fixtures: the integration, and the simulated network behind a real server."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, PropertyMock, patch

import pytest
import pytest_socket
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server import client as zwave_client
from zwave_js_server import const as zwave_const

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "simulator"))

from launcher import Simulator  # noqa: E402

from .fixture_client import (  # noqa: E402
    HOME_ID,
    NETWORK_FIXTURES,
    SUPPORTED_FIXTURES,
    FixtureClient,
    load_state,
)
from .helpers import deprecations_of_ours  # noqa: E402

# where the integration creates its client and checks the server
CLIENT_MODULE = "custom_components.zwave_quirks.transport"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components in every test."""


@pytest.fixture(autouse=True)
def no_deprecation_names_us(
    caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> Iterator[None]:
    """No deprecation warning and no "Detected that custom integration" line names us.

    On every leg: what a release deprecates shows here before it breaks users.
    """
    yield
    found = deprecations_of_ours(caplog.records, recwarn.list)
    assert not found, "deprecations naming zwave_quirks:\n" + "\n".join(found)


@functools.cache
def simulator_schema() -> int | None:
    """The newest API schema the simulator's Z-Wave JS server speaks (None: not installed)."""
    const = ROOT / "simulator/node_modules/@zwave-js/server/dist-esm/lib/const.js"
    if not const.is_file():
        return None
    found = re.search(r"maxSchemaVersion = (\d+)", const.read_text())
    assert found, f"no maxSchemaVersion in {const}"
    return int(found[1])


@pytest.fixture(autouse=True)
def library_api_compatibility() -> Iterator[None]:
    """Library API compatibility, not server compatibility.

    zwave-js-server-python 0.74.0 accepts only server schema 51, and 0.75.0 only
    52, but no @zwave-js/server on the npm registry speaks more than 50 yet
    (simulator/package-lock.json). On those library versions the tests widen the
    library's accepted range down to the simulator's schema, so that they test
    the integration against the library's API; they say nothing about servers
    with schema 51 or 52. Goes when the simulator moves to such a server.
    """
    newest = simulator_schema()
    if newest is None or newest >= zwave_const.MIN_SERVER_SCHEMA_VERSION:
        yield
        return
    with (
        patch.object(zwave_const, "MIN_SERVER_SCHEMA_VERSION", newest),
        patch.object(zwave_client, "MIN_SERVER_SCHEMA_VERSION", newest),
    ):
        yield


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create entities that are disabled by default as enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def fixture_client() -> Iterator[type[FixtureClient]]:
    """The integration connects to a FixtureClient serving the three devices."""
    FixtureClient.state = load_state(*NETWORK_FIXTURES)
    FixtureClient.set_value_status = 255
    FixtureClient.listen_error = None
    FixtureClient.refuse = 0
    FixtureClient.instances = []
    version = FixtureClient("", None).version
    with (
        patch(f"{CLIENT_MODULE}.Client", FixtureClient),
        patch(f"{CLIENT_MODULE}.async_check_server", AsyncMock(return_value=version)),
    ):
        yield FixtureClient


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration folder of the test's own (for files such as the user's quirks)."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
def every_device(fixture_client: type[FixtureClient]) -> None:
    """The fixture client serves one node of each device a quirk supports."""
    fixture_client.state = load_state(*SUPPORTED_FIXTURES)


@pytest.fixture
def other_plug_home(fixture_client: type[FixtureClient]) -> None:
    """The three supported devices and the other maker's metering plug (node 8)."""
    fixture_client.state = load_state(
        "hank_hkzw_so03", "zooz_zen06", "heatit_z_han2", "other_metering_plug"
    )


@pytest.fixture
def fast_reconnect() -> Iterator[None]:
    """Reconnect after 10 ms instead of seconds."""
    with patch(f"{CLIENT_MODULE}.RECONNECT_MIN_DELAY", 0.01):
        yield


async def setup_fixture_entry(hass: HomeAssistant, *, loads: bool = True) -> MockConfigEntry:
    """Add and set up a config entry that connects to the fixture client.

    ``loads``: whether the setup is expected to succeed (or to be retried).
    """
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_URL: "ws://127.0.0.1:3000"}, unique_id=str(HOME_ID)
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id) is loads
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def fixture_entry(
    hass: HomeAssistant, fixture_client: type[FixtureClient]
) -> MockConfigEntry:
    """A config entry loaded with the fixture client."""
    return await setup_fixture_entry(hass)


def running_simulator(
    tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any
) -> Iterator[Simulator]:
    """A simulator for a session or module fixture, stopped afterwards."""
    cache = tmp_path_factory.mktemp(f"{name}-cache")
    log = tmp_path_factory.mktemp(f"{name}-log") / "simulator.log"
    # the test plugin blocks sockets around each test; the launcher needs one
    # to pick free ports, and a session fixture is set up inside the first test
    pytest_socket.enable_socket()
    try:
        sim = Simulator(cache_dir=cache, log_path=log, **options)
        sim.start()
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        yield sim
    finally:
        sim.stop()


# the simulated devices the end-to-end tests were written for (nodes 2-4, the first three
# shipped devices): a device added to the simulator does not change their network; a new
# device's tests take shipped_simulator
NETWORK_NODES = 3


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """One simulated network for the whole session (the first interview is slow).

    The driver cache lives as long as the session, so later starts are faster.
    """
    yield from running_simulator(tmp_path_factory, "zwave", nodes=NETWORK_NODES)


@pytest.fixture(scope="session")
def shipped_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """One node of each shipped device (the simulator's default network).

    A new device's test module runs the ``sim`` and ``loaded_entry`` fixtures on it::

        @pytest.fixture(scope="session")
        def simulator(shipped_simulator: Simulator) -> Simulator:
            return shipped_simulator
    """
    yield from running_simulator(tmp_path_factory, "zwave-shipped")


class AsyncSim:
    """The simulator's control calls, run in the executor (they block)."""

    def __init__(self, hass: HomeAssistant, sim: Simulator) -> None:
        self.hass = hass
        self.sim = sim

    @property
    def url(self) -> str:
        return self.sim.url

    @property
    def home_id(self) -> int:
        return self.sim.home_id

    async def call(self, name: str, *args: Any) -> Any:
        return await self.hass.async_add_executor_job(getattr(self.sim, name), *args)


@pytest.fixture
async def sim(hass: HomeAssistant, simulator: Simulator, socket_enabled: None) -> AsyncSim:
    """The running simulator, with a clean command log and the server up."""
    control = AsyncSim(hass, simulator)
    if not simulator.running:
        await control.call("start")
    status = await control.call("request", "GET", "/status")
    if not status["serverRunning"]:
        await control.call("start_server")
    assert simulator.ready_info is not None
    for node_id in simulator.ready_info["nodes"]:
        await control.call("clear_received", node_id)
    return control


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, sim: AsyncSim) -> AsyncIterator[MockConfigEntry]:
    """A config entry connected to the simulated network."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_URL: sim.url},
        unique_id=str(sim.home_id),
        title="Z-Wave network",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    if entry.state.recoverable:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture(autouse=True)
def blueprints_stay_shipped(request: pytest.FixtureRequest) -> Iterator[None]:
    """The test plugin's configuration folder is inside its package: no blueprints there.

    Tests marked `blueprints` give Home Assistant a folder of their own.
    """
    if request.node.get_closest_marker("blueprints"):
        yield
        return
    with patch("custom_components.zwave_quirks.async_install_blueprints", AsyncMock()):
        yield


# The longest files first, so that the two workers end together: scripts/test
# runs -n 2 --maxschedchunk 1, which gives each worker two tests to start
# with (the first two, then the next two); the browser test goes third, so
# that it and the restarts start on different workers.
LONGEST_FIRST = ("test_restarts.py", "test_browser.py", "test_statistics.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest tests first (a stable sort: the others keep their order)."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
    if len(items) > 2 and [i.path.name for i in items[:2]] == list(LONGEST_FIRST[:2]):
        items.insert(2, items.pop(1))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The browser test's and the restarts' figures; the statistics bank's table."""
    _statistics_summary(terminalreporter)
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        for name, value in getattr(report, "user_properties", []):
            if name == "restarts" and getattr(report, "when", "") == "call":
                terminalreporter.write_sep("-", "Home Assistant restarts")
                terminalreporter.write_line(str(value))
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if "test_browser.py" not in getattr(report, "nodeid", ""):
                continue
            if outcome == "skipped":
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
                terminalreporter.write_sep("-", "browser test SKIPPED", yellow=True, bold=True)
                terminalreporter.write_line(str(reason).removeprefix("Skipped: "))
            elif report.when == "call":
                terminalreporter.write_sep("-", f"browser test {outcome}")
                for name, value in report.user_properties:
                    if name == "browser":
                        terminalreporter.write_line(str(value))


def _statistics_summary(terminalreporter: Any) -> None:
    """The energy dashboard's figures of test_statistics.py, ours beside core's Z-Wave JS."""
    lines = [
        str(value)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "statistics"
    ]
    if not lines:
        return
    terminalreporter.write_sep(
        "-", "energy dashboard (kWh): sequence, true, ours, core's Z-Wave JS"
    )
    for line in lines:
        terminalreporter.write_line(line)
