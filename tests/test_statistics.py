"""What the energy dashboard books, in Home Assistant's real recorder, beside core's Z-Wave JS.

Each sequence sends meter reports through the real Z-Wave JS server, one
period of 5 minutes at a time, to this integration and to core's Z-Wave JS
in the same Home Assistant; after each period the recorder compiles its
statistics. The dashboard's figure is the change of the hourly ``sum``. Ours
must equal the true consumption within 0.01 kWh; core's is printed beside it
(``pytest -s``, or the terminal summary).

The wall clock is frozen and moved period by period; the event loop's clock
stays real, so the WebSocket to the simulator works (see ``wall_clock``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

import freezegun
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.zwave_quirks.const import DOMAIN
from custom_components.zwave_quirks.readings import jump_issue_id

from .conftest import NETWORK_NODES, AsyncSim, Simulator, running_simulator
from .helpers import HAN, PLUG, ZEN06

CORE = "zwave_js"
START = datetime(2026, 3, 2, 10, 0, tzinfo=dt_util.UTC)
PERIOD = timedelta(minutes=5)
# readings arrive this far into their period; Home Assistant starts a minute before the first
OFFSET = timedelta(seconds=30)
SETUP_AT = START - timedelta(minutes=1)
TOLERANCE = 0.01
# core's value ids of the totals: kWh, and the Z-HAN2's export on the "kVAh" scale
CORE_VALUE = {"kWh": "50-0-value-65537", "kVAh": "50-0-value-65793"}


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A network of the bank's own: its sequences move registers silently, reset and
    replace meters; the other tests must not meet those registers."""
    yield from running_simulator(tmp_path_factory, "zwave-statistics", nodes=NETWORK_NODES)


@pytest.fixture
def wall_clock() -> Iterator[FrozenDateTimeFactory]:
    """Freeze the wall clock only; loop.time, time.monotonic and perf_counter stay real.

    freezegun's fake monotonic clocks read the frozen time through
    ``_get_fake_monotonic(_ns)``; pointed at the real clock, every monotonic
    reader stays real, the event loop's too (the test plugin sets
    ``loop.time`` to a function of time.monotonic, so freezegun's
    ``real_asyncio`` alone does not do it).
    """
    with (
        patch.object(freezegun.api, "_get_fake_monotonic", freezegun.api.real_monotonic),
        patch.object(freezegun.api, "_get_fake_monotonic_ns", freezegun.api.real_monotonic_ns),
        freezegun.freeze_time(SETUP_AT) as frozen,
    ):
        yield frozen


@pytest.fixture
def mock_recorder_before_hass(wall_clock: FrozenDateTimeFactory, async_test_recorder: Any) -> None:
    """Freeze the clock and prepare the recorder before ``hass`` starts (it depends on this).

    A new database marks the period before "now" as compiled: now is before the first one.
    """


@pytest.fixture(autouse=True)
def quiet_database() -> Iterator[None]:
    """The test plugin logs every SQL statement at INFO and the recorder's every task at DEBUG."""
    loggers = [
        logging.getLogger(name)
        for name in ("sqlalchemy.engine", "homeassistant.components.recorder")
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture(autouse=True)
def no_firmware_checks() -> Iterator[None]:
    """Core's firmware update checks set timers that a frozen wall clock confuses."""
    with patch(
        "homeassistant.components.zwave_js.update.ZWaveFirmwareUpdateEntity._async_update",
        AsyncMock(),
    ):
        yield


# --- sequences -------------------------------------------------------------------------


@dataclass
class Period:
    """What happens in one 5-minute period, in order."""

    actions: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Sequence:
    """Reports of one meter, and the energy truly used.

    The meter uses ``kw``, changed by ``load`` at a period's reports (its power
    report tells). Its register is ``level`` plus what was
    used since the register last started (a reset: level 0; a replaced meter:
    the new meter's reading). ``truth`` is what was used from Home Assistant's
    start to the last report.
    """

    name: str
    node: int
    scale: str
    kw: float
    level: float
    power: bool = True
    periods: list[Period] = field(default_factory=list)
    truth: float = 0.0
    last_register: float = 0.0
    # the register as Home Assistant starts (level changes with a reset)
    start: float = field(init=False)
    # report power every this many periods (more than 3: a gap in the power readings)
    power_every: int = 1
    # the total the register started from at the last reset or replacement
    _base: float = 0.0
    # the load: from when, how many kW
    _loads: list[tuple[datetime, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.start = self.level
        self._loads = [(SETUP_AT, self.kw)]

    def at(self, index: int) -> datetime:
        return START + index * PERIOD + OFFSET

    def _used_until(self, moment: datetime) -> float:
        used = 0.0
        for (since, kw), (until, _) in zip(
            self._loads, [*self._loads[1:], (moment, 0.0)], strict=True
        ):
            end = min(until, moment)
            if end > since:
                used += kw * (end - since).total_seconds() / 3600
        return used

    def used(self, index: int) -> float:
        """Energy used from Home Assistant's start until period ``index``'s reports."""
        return self._used_until(self.at(index))

    def load(self, kw: float) -> Sequence:
        """From the next period's reports on, the meter uses ``kw``."""
        self._loads.append((self.at(len(self.periods)), kw))
        self.kw = kw
        return self

    def register(self, index: int) -> float:
        return round(self.level + self.used(index) - self._base, 3)

    def _period(self) -> Period:
        period = Period()
        index = len(self.periods)
        if self.power and (index % self.power_every == 0 or self._loads[-1][0] == self.at(index)):
            period.actions.append(("power", self.kw * 1000))
        self.periods.append(period)
        return period

    def good(self, count: int = 1) -> Sequence:
        """Periods of correct reports."""
        for _ in range(count):
            index = len(self.periods)
            self.last_register = self.register(index)
            self._period().actions.append(("report", self.last_register))
            self.truth = self.used(index)
        return self

    def bad(self, *values: float) -> Sequence:
        """One period per value: a report of that value instead of the register."""
        for value in values:
            self._period().actions.append(("report", value))
        return self

    def then(self, *actions: tuple[str, Any]) -> Sequence:
        """Actions in a period of their own (power only, no report)."""
        self._period().actions.extend(actions)
        return self

    def reconnect_moved(self) -> Sequence:
        """The server goes away while the meter reports; reconnected, its value is read again."""
        index = len(self.periods)
        self._period().actions.append(("reconnect_moved", self.register(index)))
        return self

    def silent(self, count: int) -> Sequence:
        """Periods in which the node reports nothing (its power too)."""
        self.periods.extend(Period() for _ in range(count))
        return self

    def new_register(self, level: float, minutes_before: float = 2.5) -> Sequence:
        """The register starts at ``level`` this long before the next period's reports."""
        index = len(self.periods)
        moment = self.at(index) - timedelta(minutes=minutes_before)
        self._base = self._used_until(moment)
        self.level = level
        return self

    def press_reset(self) -> Sequence:
        """Reset meters, pressed in this integration; the register starts at 0 then.

        The press reads the meter first. The simulated meter does not run by
        itself, so it is given the register it would answer with.
        """
        index = len(self.periods)
        self._period().actions.append(("press_reset", self.register(index)))
        self._base = self.used(index)
        self.level = 0.0
        return self


def plug(
    name: str, kw: float = 1.2, level: float = 12.75, power: bool = True, power_every: int = 1
) -> Sequence:
    return Sequence(name, PLUG, "kWh", kw, level, power, power_every=power_every)


def han(name: str, kw: float = 3.0, scale: str = "kWh", power: bool = True) -> Sequence:
    return Sequence(name, HAN, scale, kw, 12345.67 if scale == "kWh" else 1234.56, power)


def _sequences() -> list[Sequence]:
    seqs = [
        plug("steady").good(12),
        plug("spike, one reading").good(4).bad(90000.0).good(6),
        plug("spike, two readings").good(4).bad(90000.0, 91000.5).good(6),
        plug("spike, three readings").good(4).bad(127.5, 127.6, 127.7).good(6),
        # 12.75 kWh read as 127.5 for 40 minutes (zwave-js-ui #2367), then right again
        han("misplaced decimal for 40 minutes").good(3),
        plug("negative total once").good(4).bad(-21474836.48).good(6),
        plug("negative totals, repeated").good(3).bad(*[-21474836.48] * 4).good(5),
        plug("a single glitch to 0").good(4).bad(0.0).good(6),
        plug("a glitch to 0 that repeats").good(4).bad(0.0, 0.0, 0.0).good(6),
        plug("reset on the device").good(3).new_register(0.0).good(16),
        plug("reset through Reset meters").good(3).press_reset().good(8),
        plug("repeated frame within 5 s")
        .good(4)
        .then(("report", 90000.0), ("repeat", 90000.0))
        .good(6),
        plug("replaced meter, higher reading").good(3).new_register(5230.4).good(16),
        han("replaced meter, lower reading").good(3).new_register(812.3).good(16),
        plug("stale total after a reconnect").good(5).then(("reconnect", None)).bad(10.75).good(5),
        plug("stale total after a restart").good(5).then(("restart", None)).bad(10.75).good(5),
        plug("fast but possible rise", kw=4.8).good(12),
        plug("silent for 40 minutes, then a large rise").good(3).silent(8).good(4),
        plug("no power readings, reset on the device", power=False)
        .good(3)
        .new_register(0.0)
        .good(16),
        han("Z-HAN2 import with a spike").good(4).bad(99999.9).good(6),
        han("Z-HAN2 export with a glitch to 0", kw=1.5, scale="kVAh", power=False)
        .good(4)
        .bad(0.0)
        .good(6),
        plug("varying load, reset on the device")
        .good(2)
        .load(3.5)
        .good(2)
        .load(0.2)
        .good(1)
        .new_register(0.0)
        .good(3)
        .load(2.4)
        .good(12),
        plug("power only every 20 minutes, replaced meter", power_every=4)
        .good(3)
        .new_register(731.2)
        .good(16),
        # a register below what the meter can add in an hour: the new count passes it
        plug("reset of a small register", kw=3.0, level=1.5).good(2).new_register(0.0).good(16),
        plug("reset on the device, a stray reading in between")
        .good(3)
        .new_register(0.0)
        .good(4)
        .bad(90000.0)
        .good(12),
        plug("Reset meters without power readings", power=False).good(3).press_reset().good(8),
        plug("read again after a reconnect, then a reset, no power readings", power=False)
        .good(3)
        .reconnect_moved()
        .good(2)
        .new_register(0.0)
        .good(16),
        plug("jump the user counts as consumption").good(3).new_register(40.0).good(14),
    ]
    # the misplaced decimal: the register times ten for 8 periods
    decimal = seqs[4]
    for _ in range(8):
        index = len(decimal.periods)
        decimal._period().actions.append(("report", round(decimal.register(index) * 10, 2)))
    decimal.good(6)
    # the user says the jump of the last sequence was consumption: the truth has it
    counted = seqs[-1]
    counted.then(("answer", "consumption")).good(1)
    # the total as if every reading had counted: the register's rises, the jump too
    counted.truth = counted.last_register - counted.start
    return seqs


SEQUENCES = _sequences()
# what a network-wide action (a reconnect, a restart) would do to other meters is not
# what their sequence says: such sequences run alone
NETWORK_WIDE = {"reconnect", "reconnect_moved", "restart"}
# the plugs' sequences also run on the ZEN06 (the same quirk), so that three meters
# run at once
PLUGS = (PLUG, ZEN06)


def _groups(seqs: list[Sequence]) -> list[list[Sequence]]:
    """Sequences that run side by side, one per node, in one Home Assistant."""
    groups: list[list[Sequence]] = []
    for seq in seqs:
        alone = any(kind in NETWORK_WIDE for p in seq.periods for kind, _ in p.actions)
        if not alone:
            for group in groups:
                used = {s.node for s in group}
                if any(k in NETWORK_WIDE for s in group for p in s.periods for k, _ in p.actions):
                    continue
                nodes = PLUGS if seq.node in PLUGS else (seq.node,)
                free = [n for n in nodes if n not in used]
                if free:
                    seq.node = free[0]
                    group.append(seq)
                    break
            else:
                groups.append([seq])
        else:
            groups.append([seq])
    return groups


GROUPS = _groups(SEQUENCES)


# --- the run -----------------------------------------------------------------------------


class Bank:
    """One Home Assistant with both integrations on the simulated network, and its recorder."""

    def __init__(self, hass: HomeAssistant, sim: AsyncSim, clock: FrozenDateTimeFactory) -> None:
        self.hass, self.sim, self.clock = hass, sim, clock
        self.ours: MockConfigEntry | None = None
        self.core: MockConfigEntry | None = None
        self.lanes: list[Lane] = []

    @property
    def home_id(self) -> int:
        return self.sim.home_id

    async def setup(self) -> None:
        assert await async_setup_component(self.hass, "sensor", {})
        self.ours = MockConfigEntry(
            domain=DOMAIN, data={CONF_URL: self.sim.url}, unique_id=str(self.home_id)
        )
        self.core = MockConfigEntry(
            domain=CORE,
            data={CONF_URL: self.sim.url, "use_addon": False, "integration_created_addon": False},
            unique_id=str(self.home_id),
        )
        for entry in (self.ours, self.core):
            entry.add_to_hass(self.hass)
            assert await self.hass.config_entries.async_setup(entry.entry_id)
            await self.hass.async_block_till_done()

    async def until(self, predicate: Any, what: str, limit: float = 30) -> None:
        async with asyncio.timeout(limit):
            while not predicate():  # noqa: ASYNC110 - values of two clients, no event to wait on
                await asyncio.sleep(0.005)
        await self.hass.async_block_till_done()

    async def connected(self) -> None:
        assert self.ours is not None and self.core is not None
        ours, core = self.ours, self.core
        await self.until(
            lambda: (
                ours.state is ConfigEntryState.LOADED
                and ours.runtime_data.connected
                and all(ours.runtime_data.bindings[lane.node].available for lane in self.lanes)
                and core.state is ConfigEntryState.LOADED
                and core.runtime_data.client.connected
                and core.runtime_data.client.driver is not None
            ),
            "connected",
            limit=60,
        )

    async def run(self) -> None:
        periods = max(len(lane.seq.periods) for lane in self.lanes)
        for index in range(periods):
            self.clock.move_to(START + index * PERIOD + OFFSET)
            for lane in self.lanes:
                if index < len(lane.seq.periods):
                    for kind, arg in lane.seq.periods[index].actions:
                        await lane.act(kind, arg)
            # every state of the period written before the clock moves on
            await async_wait_recording_done(self.hass)
            self.clock.move_to(START + (index + 1) * PERIOD + timedelta(seconds=10))
            # queued before the next period's states: it sees only this period's
            do_adhoc_statistics(self.hass, start=START + index * PERIOD)
        # the hour the last period is in, compiled
        last = periods
        while (START + last * PERIOD).minute != 0:
            do_adhoc_statistics(self.hass, start=START + last * PERIOD)
            last += 1
            self.clock.move_to(START + last * PERIOD + timedelta(seconds=10))
        await async_wait_recording_done(self.hass)

    async def dashboard(self, entity_id: str | None) -> float | None:
        """The energy dashboard's figure: the change of the hourly sum."""
        if entity_id is None:
            return None
        stats = await get_instance(self.hass).async_add_executor_job(
            statistics_during_period,
            self.hass,
            START - timedelta(hours=1),
            None,
            {entity_id},
            "hour",
            None,
            {"sum", "change"},
        )
        rows = stats.get(entity_id, [])
        return float(sum(row["change"] or 0.0 for row in rows))


class Lane:
    """One sequence on one node: both integrations' view of its total."""

    def __init__(self, bank: Bank, seq: Sequence) -> None:
        self.bank, self.seq, self.node = bank, seq, seq.node
        self.key = "energy" if seq.scale == "kWh" else "energy_export"
        self.value_id = f"{self.node}-{CORE_VALUE[seq.scale]}"

    def our_entity(self) -> str:
        found = er.async_get(self.bank.hass).async_get_entity_id(
            "sensor", DOMAIN, f"{self.bank.home_id}.{self.node}.{self.key}"
        )
        assert found is not None
        return found

    def core_entity(self) -> str | None:
        unique_id = f"{self.bank.home_id}.{self.value_id}"
        return er.async_get(self.bank.hass).async_get_entity_id("sensor", CORE, unique_id)

    def our_value(self) -> Any:
        assert self.bank.ours is not None
        node = self.bank.ours.runtime_data.bindings[self.node].node
        value = None if node is None else node.values.get(self.value_id)
        return None if value is None else value.value

    def core_value(self) -> Any:
        assert self.bank.core is not None
        driver = self.bank.core.runtime_data.client.driver
        node = None if driver is None else driver.controller.nodes.get(self.node)
        value = None if node is None else node.values.get(self.value_id)
        return None if value is None else value.value

    async def start(self) -> None:
        """The meter as Home Assistant starts: its register, its power."""
        seq, sim = self.seq, self.bank.sim
        if seq.scale == "kVAh":
            # the Z-HAN2's export, on either rate type: no stale value of an earlier test
            await sim.call("set_export_rate_type", self.node, "produced")
            await sim.call("report_meter", self.node, seq.scale, seq.start)
            await sim.call("set_export_rate_type", self.node, "consumed")
        await sim.call("report_meter", self.node, seq.scale, seq.start)
        await sim.call("report_meter", self.node, "W", seq.kw * 1000 if seq.power else 0)

    async def report(self, value: float) -> None:
        await self.bank.sim.call("report_meter", self.node, self.seq.scale, value)
        await self.bank.until(
            lambda: self.our_value() == value and self.core_value() == value, f"{value}"
        )

    async def act(self, kind: str, arg: Any) -> None:
        bank, sim, node = self.bank, self.bank.sim, self.node
        hass, ours, core = bank.hass, bank.ours, bank.core
        assert ours is not None and core is not None
        match kind:
            case "power":
                await sim.call("report_meter", node, "W", arg)
            case "report":
                await self.report(arg)
            case "repeat":
                await sim.call("report_meter", node, self.seq.scale, arg)
                await asyncio.sleep(0.3)
                await hass.async_block_till_done()
            case "press_reset":
                await sim.call("set_meter", node, self.seq.scale, arg)
                reset = er.async_get(hass).async_get_entity_id(
                    "button", DOMAIN, f"{bank.home_id}.{node}.reset_meters"
                )
                await hass.services.async_call(
                    "button", "press", {"entity_id": reset}, blocking=True
                )
                await bank.until(lambda: self.our_value() == 0, "reset")
                await asyncio.sleep(0.3)
                await hass.async_block_till_done()
            case "reconnect":
                await sim.call("stop_server")
                await bank.until(lambda: not ours.runtime_data.connected, "disconnected")
                await sim.call("start_server")
                await bank.connected()
            case "reconnect_moved":
                await sim.call("stop_server")
                await bank.until(lambda: not ours.runtime_data.connected, "disconnected")
                await sim.call("report_meter", node, self.seq.scale, arg)
                await asyncio.sleep(0.3)
                await sim.call("start_server")
                await bank.connected()
                await bank.until(lambda: self.our_value() == arg, "read again")
            case "restart":
                for entry in (ours, core):
                    assert await hass.config_entries.async_reload(entry.entry_id)
                    await hass.async_block_till_done()
                await bank.connected()
            case "answer":
                issue_id = jump_issue_id(ours.entry_id, node, self.key)
                assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
                manager = repairs_flow_manager(hass)
                assert manager is not None
                flow = await manager.async_init(DOMAIN, context={"issue_id": issue_id})
                result = await manager.async_configure(flow["flow_id"], {"next_step_id": arg})
                assert result["type"] == "create_entry"
                await hass.async_block_till_done()


@pytest.fixture
async def bank(
    hass: HomeAssistant,
    recorder_mock: Any,
    sim: AsyncSim,
    wall_clock: FrozenDateTimeFactory,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Bank]:
    bank = Bank(hass, sim, wall_clock)
    bank.lanes = [Lane(bank, seq) for seq in request.param]
    for lane in bank.lanes:
        await lane.start()
    # the reports travel to the server's driver on their own: give them a moment
    await asyncio.sleep(0.5)
    await bank.setup()
    await bank.connected()
    for lane in bank.lanes:
        # both start from the meter's register (the recorder's zero point)
        assert lane.our_value() == lane.seq.start
        assert lane.core_value() == lane.seq.start
    yield bank
    for entry in (bank.ours, bank.core):
        if entry is not None and entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "bank", GROUPS, ids=[" + ".join(s.name for s in group) for group in GROUPS], indirect=True
)
async def test_the_dashboard_books_the_true_consumption(bank: Bank, record_property: Any) -> None:
    """Up to three sequences side by side, each on a node of its own."""
    await bank.run()
    wrong = []
    for lane in bank.lanes:
        ours = await bank.dashboard(lane.our_entity())
        core = await bank.dashboard(lane.core_entity())
        assert ours is not None
        seq = lane.seq
        shown = "-" if core is None else f"{core:12.3f}"
        # the terminal summary prints these lines (conftest.py)
        record_property("statistics", f"{seq.name:45} {seq.truth:10.3f} {ours:10.3f} {shown}")
        if ours != pytest.approx(seq.truth, abs=TOLERANCE):
            wrong.append(f"{seq.name}: {ours:.3f} booked, {seq.truth:.3f} used")
    assert not wrong, wrong
