"""The runtime data of an entry: a transport that feeds a network.

The transport (transport.py) keeps the connection to the Z-Wave JS server and
hands each new ready driver to the network (network.py), which binds the
supported nodes to it; entities hold a NodeBinding (binding.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from zwave_js_server.client import Client
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.version import VersionInfo

from .binding import NodeBinding
from .const import DOMAIN, LOGGER
from .neighbour import CoreNeighbour
from .network import ZwaveNetwork
from .outage import async_outage
from .quirks.model import Quirk
from .quirks.registry import supported_ids
from .quirks.user import FOLDER as USER_FOLDER
from .quirks.user import USER_PREFIX, UserQuirkError, load_folder
from .transport import ConnectError, ZwaveTransport
from .util import redact_url

type ZwaveQuirksConfigEntry = ConfigEntry[ZwaveConnection]

# failures that only the user can fix, raised as repair issues
REPAIRS = ("wrong_network", "incompatible_version")
# a quirk file of the user's that is wrong: one issue per file
USER_ISSUE = "user_quirk_invalid"


class ZwaveConnection:
    """Owns the transport and the network of one config entry."""

    def __init__(self, hass: HomeAssistant, entry: ZwaveQuirksConfigEntry) -> None:
        """Initialize."""
        self.hass = hass
        home_id = int(entry.unique_id) if entry.unique_id else 0
        self.network = ZwaveNetwork(hass, entry, home_id, self._via_device)
        # links to, and superseded entities of, core's Z-Wave JS integration
        self.neighbour = CoreNeighbour(hass, entry, self.network)
        self.transport = ZwaveTransport(
            hass, entry, self._async_driver_ready, self._async_driver_lost
        )
        # a repair issue when the server stays away for minutes
        self.outage = async_outage(hass, entry)
        # the user's quirk files, loaded at every setup (a reload picks up changes)
        self.user_quirks: tuple[Quirk, ...] = ()
        self.user_quirk_errors: list[UserQuirkError] = []

    def _via_device(self, node_id: int | None) -> str | None:
        return self.neighbour.via_device_id(node_id)

    @callback
    def _async_driver_ready(self, driver: Driver, version: VersionInfo) -> None:
        """A (re)connect succeeded: nothing left to repair; bind the nodes."""
        self._async_repairs(None)
        self.outage.async_up()
        self.network.async_driver_ready(driver, version, self.transport.node_filter.left_out)

    @callback
    def _async_driver_lost(self) -> None:
        """The connection is gone: the nodes are unavailable; time the outage."""
        self.outage.async_down()
        self.network.async_driver_lost()

    async def async_start(self) -> None:
        """Connect for the first time; raise ConfigEntryNotReady on failure.

        A failure only the user can fix (the address serves another network,
        or a server too old or too new) is also a repair issue, until a
        connect succeeds.
        """
        await self._async_load_user_quirks()
        try:
            await self.transport.async_start()
        except ConnectError as err:
            self._async_repairs(err.reason)
            if err.reason not in REPAIRS:
                self.outage.async_down()
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key=err.reason,
                translation_placeholders={
                    "url": redact_url(self.transport.url),
                    "error": str(err),
                },
            ) from err

    async def _async_load_user_quirks(self) -> None:
        """Load the user's quirk files; a repair issue for each file that is wrong."""
        folder = Path(self.hass.config.path(USER_FOLDER))
        store: Store[dict[str, str]] = Store(self.hass, 1, f"{DOMAIN}.quirk_files")
        last_valid = await store.async_load() or {}
        quirks, errors, texts = await self.hass.async_add_executor_job(
            load_folder, folder, last_valid
        )
        if texts != last_valid:
            await store.async_save(texts)
        self.user_quirks = tuple(quirks)
        self.user_quirk_errors = errors
        self.network.user_quirks = self.transport.user_quirks = self.user_quirks
        shipped = supported_ids()
        for quirk in quirks:
            file = quirk.key.removeprefix(USER_PREFIX)
            for fp in quirk.fingerprints:
                if fp.ids in shipped:
                    LOGGER.warning(
                        "Your quirk %s/%s replaces the shipped one for %s %s",
                        USER_FOLDER,
                        file,
                        fp.manufacturer,
                        fp.model,
                    )
        # one issue per file, whichever entry (network) reads the folder
        prefix = f"{USER_ISSUE}_"
        wanted = {f"{prefix}{error.file}": error for error in errors}
        for domain, issue_id in list(ir.async_get(self.hass).issues):
            if domain == DOMAIN and issue_id.startswith(prefix) and issue_id not in wanted:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        for issue_id, error in wanted.items():
            LOGGER.error(
                "Quirk file %s/%s, line %s: %s", USER_FOLDER, error.file, error.line, error.message
            )
            self._async_error_issue(
                issue_id,
                f"{USER_ISSUE}_kept" if error.kept else USER_ISSUE,
                {
                    "folder": USER_FOLDER,
                    "file": error.file,
                    "line": "?" if error.line is None else str(error.line),
                    "error": error.message,
                },
            )

    @callback
    def _async_error_issue(self, issue_id: str, key: str, placeholders: dict[str, str]) -> None:
        """A repair issue of something only the user can fix."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    @callback
    def _async_repairs(self, reason: str | None) -> None:
        """Raise the repair issue of a failure the user must fix; clear the others."""
        entry = self.network.entry
        for key in REPAIRS:
            issue_id = f"{key}_{entry.entry_id}"
            if key == reason:
                self._async_error_issue(
                    issue_id, key, {"title": entry.title, "url": redact_url(self.transport.url)}
                )
            else:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    async def async_stop(self) -> None:
        """Disconnect and let go of every node."""
        self.neighbour.async_stop()
        await self.transport.async_stop()
        self.network.async_driver_lost()
        await self.network.async_stop()

    # -- what platforms, services and diagnostics read ---------------------------

    @property
    def connected(self) -> bool:
        """Whether the server is connected and the nodes are bound to its driver."""
        return self.transport.connected and self.network.connected

    @property
    def client(self) -> Client | None:
        """The client of the current connection."""
        return self.transport.client

    @property
    def driver(self) -> Driver | None:
        """The driver the nodes are bound to."""
        return self.network.driver

    @property
    def home_id(self) -> int:
        """The network's home id."""
        return self.network.home_id

    @property
    def bindings(self) -> dict[int, NodeBinding]:
        """The bindings of the supported nodes, by node id."""
        return self.network.bindings

    @callback
    def async_register_platform(
        self, platform: Platform, add: Callable[[NodeBinding], None]
    ) -> None:
        """Let a platform create the entities of every bound node, now and later."""
        self.network.async_register_platform(platform, add)

    @callback
    def async_unregister_platforms(self) -> None:
        """Stop creating entities: the platforms are being unloaded."""
        self.network.async_unregister_platforms()
