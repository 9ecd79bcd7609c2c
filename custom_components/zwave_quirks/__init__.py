"""The Z-Wave Quirks integration: quirk-made entities for Z-Wave JS devices."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .blueprints import async_install_blueprints
from .connection import REPAIRS, USER_ISSUE, ZwaveConnection, ZwaveQuirksConfigEntry
from .const import DOMAIN
from .ids import node_ids
from .neighbour import ISSUE, async_show_again
from .outage import async_forget_outage
from .readings import JUMP_ISSUE, async_remove_stores
from .services import SHEDDER, async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services, read the loads turned off for a period, copy the blueprints."""
    await async_setup_services(hass)
    await async_install_blueprints(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ZwaveQuirksConfigEntry) -> bool:
    """Connect to the Z-Wave JS server and set up the entities."""
    connection = ZwaveConnection(hass, entry)
    await connection.async_start()
    entry.runtime_data = connection
    entry.async_on_unload(connection.async_stop)
    connection.neighbour.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ZwaveQuirksConfigEntry) -> bool:
    """Unload the entities and disconnect."""
    # from now on no node may add entities to a platform that is going away
    entry.runtime_data.async_unregister_platforms()
    async_forget_outage(hass, entry)
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ZwaveQuirksConfigEntry) -> None:
    """The entry is gone: so are its repair issues and stored readings.

    Z-Wave JS's entities it put away return; the loads it turned off for a
    period go on.
    """
    for key in (*REPAIRS, ISSUE):
        ir.async_delete_issue(hass, DOMAIN, f"{key}_{entry.entry_id}")
    issues = ir.async_get(hass)
    for domain, issue_id in list(issues.issues):
        if domain == DOMAIN and issue_id.startswith(
            (f"{JUMP_ISSUE}_{entry.entry_id}_",)
            # the quirk files' issues go with the last entry that reads them
            + ((f"{USER_ISSUE}_",) if not hass.config_entries.async_entries(DOMAIN) else ())
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    async_show_again(hass, entry, save=False)
    async_forget_outage(hass, entry)
    if (shedder := hass.data.get(SHEDDER)) is not None:
        shedder.async_release(entry.entry_id)
    if entry.unique_id and entry.unique_id.isdigit():
        home_id = int(entry.unique_id)
        nodes = {
            node_id
            for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
            for node_id in node_ids(home_id, device.identifiers)
        }
        await async_remove_stores(hass, home_id, nodes)
