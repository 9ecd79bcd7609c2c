"""A stand-in for the library's Client that serves node-state fixtures.

Used by unit tests only: the driver and node models are the library's own,
built from states captured from the simulated network
(scripts/dev/capture_fixtures.py). End-to-end tests use the real server.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, ClassVar

from zwave_js_server.exceptions import CannotConnect
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.version import VersionInfo

from custom_components.zwave_quirks.quirks.registry import QUIRKS

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_name(manufacturer: str, model: str) -> str:
    """A device's fixture name: its maker's first word and its model ("heatit_z_han2")."""
    return re.sub(r"[^a-z0-9]+", "_", f"{manufacturer.split(maxsplit=1)[0]} {model}".lower()).strip(
        "_"
    )


# one fixture per device a quirk supports, in the quirks' order
SUPPORTED_FIXTURES = tuple(
    dict.fromkeys(
        fixture_name(fp.manufacturer, fp.model) for quirk in QUIRKS for fp in quirk.fingerprints
    )
)
# the unit tests' network: the devices they were written for (nodes 2-4, as in the
# simulator's --nodes 3), which a device added to the quirks does not change; the tests
# about every device (the every_device fixture) take SUPPORTED_FIXTURES
NETWORK_FIXTURES = ("hank_hkzw_so03", "zooz_zen06", "heatit_z_han2")
HOME_ID = 0xC0DEC0DE
LOG_CONFIG = {
    "enabled": True,
    "level": "info",
    "logToFile": False,
    "filename": "",
    "forceConsole": False,
}


def load_state(*names: str) -> dict[str, Any]:
    """A start_listening state with the named node fixtures."""
    controller = json.loads((FIXTURES / "controller_state.json").read_text())
    nodes = [json.loads((FIXTURES / f"{name}_state.json").read_text()) for name in names]
    ids = [node["nodeId"] for node in nodes]
    # a fourth shipped device's fixture is node 5, as the other kinds' first
    assert len(set(ids)) == len(ids), f"fixtures with the same node id: {names}: {ids}"
    return {"controller": controller["controller"], "driver": controller["driver"], "nodes": nodes}


def node_state(state: dict[str, Any], node_id: int) -> dict[str, Any]:
    """The state of one node in a start_listening state."""
    return next(n for n in state["nodes"] if n["nodeId"] == node_id)


class FixtureClient:
    """Connects to nothing; records the commands it is sent."""

    state: dict[str, Any] = {}
    # status answered to set_value; None: never answer (a timeout)
    set_value_status: int | None = 255
    # raised once by the next listen() when the driver is ready, as if the library failed
    listen_error: BaseException | None = None
    # how many of the next connects fail, as if the server were down
    refuse: int = 0
    last: ClassVar[FixtureClient]
    instances: ClassVar[list[FixtureClient]] = []

    def __init__(self, url: str, session: Any, **_: Any) -> None:
        self.ws_server_url = url
        # the integration's session: its node filter sees the state, as the server's would
        self.node_filter = getattr(session, "filter", None)
        self.driver: Driver | None = None
        self.version = VersionInfo("15.29.0", "3.10.2", HOME_ID, 0, 50)
        self.connected = False
        self.commands: list[dict[str, Any]] = []
        self._closed = asyncio.Event()
        FixtureClient.last = self
        FixtureClient.instances.append(self)

    async def connect(self) -> None:
        if FixtureClient.refuse > 0:
            FixtureClient.refuse -= 1
            raise CannotConnect(OSError("connection refused"))
        self.connected = True

    async def listen(self, ready: asyncio.Event) -> None:
        state = json.loads(json.dumps(self.state))
        if self.node_filter is not None:
            self.node_filter.message({"type": "result", "result": {"state": state}})
        self.driver = Driver(self, state, LOG_CONFIG)  # type: ignore[arg-type]
        ready.set()
        error, FixtureClient.listen_error = FixtureClient.listen_error, None
        if error is not None:
            await asyncio.sleep(0)
            self.connected = False
            raise error
        await self._closed.wait()

    async def disconnect(self) -> None:
        self.connected = False
        self._closed.set()
        self.driver = None

    def drop(self) -> None:
        """The server closes the connection."""
        self.connected = False
        self._closed.set()

    async def async_send_command(
        self, message: dict[str, Any], require_schema: int | None = None
    ) -> dict[str, Any]:
        self.commands.append(message)
        if message["command"] == "node.set_value":
            if self.set_value_status is None:
                await asyncio.Event().wait()
            return {"result": {"status": self.set_value_status}}
        return {"response": None}

    async def async_send_command_no_wait(
        self, message: dict[str, Any], require_schema: int | None = None
    ) -> None:
        self.commands.append(message)

    def set_values(self) -> list[dict[str, Any]]:
        """The set_value commands sent so far."""
        return [c for c in self.commands if c["command"] == "node.set_value"]

    @classmethod
    def open_clients(cls) -> list[FixtureClient]:
        """The clients that are still connected."""
        return [c for c in cls.instances if c.connected]
