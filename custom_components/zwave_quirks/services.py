"""Services: write a configuration parameter, validated by the quirk; shed loads for a period."""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import target as target_helpers
from homeassistant.helpers import translation
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.json import JsonValueType
from zwave_js_server.exceptions import BaseZwaveJSServerError

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import DOMAIN
from .quirks.export import export_quirk
from .quirks.model import ConfigParam, SensorDecl, pick_name
from .shed import SWITCH, LoadShedder
from .validation import async_subject, raw_for_any

SERVICE_SET_PARAMETER = "set_parameter"
ATTR_DEVICE_ID = "device_id"
ATTR_PARAMETER = "parameter"
ATTR_VALUE = "value"
SERVICE_TURN_OFF_FOR_PERIOD = "turn_off_for_period"
SERVICE_EXPORT_QUIRK = "export_quirk"
ATTR_NODE_ID = "node_id"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_METER = "meter"
SHEDDER: HassKey[LoadShedder] = HassKey(f"{DOMAIN}_shed")


def not_a_yaml_boolean(value: Any) -> Any:
    """Refuse a YAML boolean: `off` or `on` unquoted would be written as 0 or 1."""
    if isinstance(value, bool):
        raise vol.Invalid(
            "on, off, yes and no are YAML booleans: quote an option, or give a number"
        )
    return value


SET_PARAMETER_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        # a number, or the parameter's key (as the UI's selector offers it)
        vol.Required(ATTR_PARAMETER): vol.Any(vol.Coerce(int), cv.string),
        vol.Required(ATTR_VALUE): vol.All(
            not_a_yaml_boolean, vol.Any(vol.Coerce(float), cv.string)
        ),
    }
)

TURN_OFF_FOR_PERIOD_SCHEMA = cv.make_entity_service_schema({vol.Required(ATTR_METER): cv.entity_id})
EXPORT_QUIRK_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_NODE_ID): vol.All(vol.Coerce(int), vol.Range(min=1, max=4000)),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)


def _binding(hass: HomeAssistant, device_id: str) -> NodeBinding:
    entries: list[ZwaveQuirksConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is not ConfigEntryState.LOADED:
            continue
        for binding in entry.runtime_data.bindings.values():
            if binding.device_id == device_id:
                return binding
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_device",
        translation_placeholders={"device_id": device_id},
    )


def entity_name(hass: HomeAssistant, binding: NodeBinding, param: ConfigParam) -> str:
    """The name of the entity that shows the parameter, as the user sees it.

    A disabled entity has no state: its registry entry names it. A parameter
    without an entity (read only) is named by the sensor that shows it.
    """
    registry = er.async_get(hass)
    platform: str | None = param.platform.value if param.platform else None
    key: str | None = param.entity_key if param.platform else None
    if platform is None:
        decl = next(
            (d for d in binding.resolved.declared(SensorDecl) if param.value in d.sources), None
        )
        if decl is not None:
            platform, key = "sensor", decl.key
    if platform is None or key is None:
        return f"{device_name(hass, binding)} #{param.number}"
    entity_id = registry.async_get_entity_id(platform, DOMAIN, binding.unique_id(key))
    if entity_id is not None and (state := hass.states.get(entity_id)) is not None:
        return state.name
    entry = registry.async_get(entity_id) if entity_id is not None else None
    name = entry.name or entry.original_name if entry is not None else None
    if name is None and param.names:
        # a user quirk's parameter: its own name
        name = pick_name(param.names, hass.config.language)
    if name is None:
        # not created yet (the node lacks the value): its translated name
        translation_key = param.key if param.platform else key
        cached = translation.async_get_cached_translations(
            hass, hass.config.language, "entity", DOMAIN
        )
        name = cached.get(f"component.{DOMAIN}.entity.{platform}.{translation_key}.name")
    return f"{device_name(hass, binding)} {name or f'#{param.number}'}"


def _parameter(hass: HomeAssistant, binding: NodeBinding, wanted: int | str) -> ConfigParam:
    """The device's parameter by number or key; a translated error if it has none."""
    text = str(wanted).strip()
    for param in binding.resolved.parameters:
        if text in (str(param.number), param.key):
            return param
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_parameter",
        translation_placeholders={
            "parameter": text,
            "device": device_name(hass, binding),
            "parameters": ", ".join(
                f"{entity_name(hass, binding, p)} ({p.number}, {p.key})"
                for p in binding.resolved.parameters
                if not p.read_only
            ),
        },
    )


def device_name(hass: HomeAssistant, binding: NodeBinding) -> str:
    """The node's device as the user named it (or as it is named)."""
    device = dr.async_get(hass).async_get(binding.device_id or "")
    if device is None:
        return binding.device_key
    return device.name_by_user or device.name or binding.device_key


async def _async_set_parameter(call: ServiceCall) -> None:
    hass = call.hass
    binding = _binding(hass, call.data[ATTR_DEVICE_ID])
    param = _parameter(hass, binding, call.data[ATTR_PARAMETER])
    name = entity_name(hass, binding, param)
    raw = raw_for_any(param, call.data[ATTR_VALUE], await async_subject(hass, param, name))
    if binding.node is not None and not binding.has_value(param.value):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="parameter_missing",
            translation_placeholders={"entity": name},
        )
    await binding.async_set_value(param.value, raw, name)


def _meter(hass: HomeAssistant, entity_id: str) -> tuple[ZwaveQuirksConfigEntry, NodeBinding]:
    """The entry and node of a capacity sensor; a translated error for anything else."""
    registered = er.async_get(hass).async_get(entity_id)
    entry = (
        hass.config_entries.async_get_entry(registered.config_entry_id)
        if registered is not None and registered.platform == DOMAIN and registered.config_entry_id
        else None
    )
    binding = None
    if entry is not None and entry.state is ConfigEntryState.LOADED and registered is not None:
        binding = next(
            (
                b
                for b in entry.runtime_data.bindings.values()
                if b.device_id == registered.device_id
            ),
            None,
        )
    if entry is None or binding is None or binding.readings.capacity_decl is None:
        # ours but not connected now; or no capacity sensor at all
        unavailable = entry is not None and binding is None
        key = "meter_not_available" if unavailable else "not_a_capacity_meter"
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"entity": _state_name(hass, entity_id)},
        )
    return entry, binding


def _state_name(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    return state.name if state is not None else entity_id


async def _async_turn_off_for_period(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry, binding = _meter(hass, call.data[ATTR_METER])
    tracker = binding.readings.tracker
    if tracker is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="meter_not_available",
            translation_placeholders={"entity": _state_name(hass, call.data[ATTR_METER])},
        )
    # switches named, or the switches of the areas, devices and labels named
    selected = target_helpers.async_extract_referenced_entity_ids(
        hass, target_helpers.TargetSelection(call.data)
    )
    registry = er.async_get(hass)
    for entity_id in sorted(selected.referenced):
        key = None
        if not entity_id.startswith(f"{SWITCH}."):
            key = "not_a_switch"
        elif (known := registry.async_get(entity_id)) and known.entity_category is not None:
            # the entity picker offers every switch: a device's setting is no load
            key = "not_a_load"
        if key is not None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"entity": _state_name(hass, entity_id)},
            )
    entity_ids = sorted(
        entity_id
        for entity_id in selected.referenced | selected.indirectly_referenced
        if entity_id.startswith(f"{SWITCH}.")
    )
    until = tracker.period_start(dt_util.utcnow()) + tracker.period
    turned = await hass.data[SHEDDER].async_turn_off(
        entity_ids, until, entry.entry_id, call.context
    )
    return {"turned_off": list[JsonValueType](turned), "until": until.isoformat()}


async def _async_export_quirk(call: ServiceCall) -> ServiceResponse:
    """A starting quirk file for a node, from the state the server has for it now.

    The node filter may have left the node out of our client's model: the
    server is asked for that node's state on demand.
    """
    hass = call.hass
    wanted = call.data.get(ATTR_CONFIG_ENTRY_ID)
    entries: list[ZwaveQuirksConfigEntry] = [
        e
        for e in hass.config_entries.async_entries(DOMAIN)
        if e.state is ConfigEntryState.LOADED and wanted in (None, e.entry_id)
    ]
    client = entries[0].runtime_data.client if len(entries) == 1 else None
    if client is None or not entries[0].runtime_data.connected:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="export_no_network" if len(entries) != 1 else "export_not_connected",
        )
    node_id = call.data[ATTR_NODE_ID]
    try:
        answer = await client.async_send_command(
            {"command": "node.get_state", "nodeId": node_id}, require_schema=14
        )
        name, text = export_quirk(answer["state"])
    except (BaseZwaveJSServerError, KeyError, TypeError, ValueError) as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="export_no_node",
            translation_placeholders={"node": str(node_id), "error": type(err).__name__},
        ) from err
    return {"file_name": name, "yaml": text}


async def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services once for the integration; read the loads turned off."""
    shedder = LoadShedder(hass)
    await shedder.async_load()
    hass.data[SHEDDER] = shedder
    hass.services.async_register(
        DOMAIN, SERVICE_SET_PARAMETER, _async_set_parameter, schema=SET_PARAMETER_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_TURN_OFF_FOR_PERIOD,
        _async_turn_off_for_period,
        schema=TURN_OFF_FOR_PERIOD_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_QUIRK,
        _async_export_quirk,
        schema=EXPORT_QUIRK_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
