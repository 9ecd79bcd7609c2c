"""Diagnostics: the connection, and what each quirk made of its node.

Everything here reads state the integration already has; nothing is sent to
the server or the nodes.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .binding import NodeBinding
from .connection import ZwaveConnection, ZwaveQuirksConfigEntry
from .const import CONF_URL, LOGGER
from .neighbour import decisions
from .quirks.codecs import raw_to_display
from .quirks.model import ConfigParam, EntityDecl, Fingerprint, SensorDecl
from .quirks.registry import supported_ids
from .quirks.user import USER_PREFIX
from .validation import display_number, display_option, is_off

# keys of entry data or options that could hold secrets, now or in a later version
TO_REDACT = {
    "access_token",
    "api_key",
    "api_token",
    "auth",
    "password",
    "secret",
    "token",
    "username",
}


def _hex(number: int | None, digits: int = 4) -> str | None:
    return None if number is None else f"0x{number:0{digits}x}"


def _without_home_id(text: str, entry: ZwaveQuirksConfigEntry) -> str:
    """A text with the network's home id (as the entry's title writes it) redacted."""
    if entry.unique_id and entry.unique_id.isdigit():
        text = text.replace(f"{int(entry.unique_id):08x}", REDACTED)
    return text


def _connection(entry: ZwaveQuirksConfigEntry) -> ZwaveConnection | None:
    """The entry's connection; None while the entry is not loaded."""
    return getattr(entry, "runtime_data", None)


def _fingerprint(fingerprint: Fingerprint) -> dict[str, Any]:
    firmware = fingerprint.firmware
    return {
        "manufacturer": fingerprint.manufacturer,
        "model": fingerprint.model,
        "manufacturer_id": _hex(fingerprint.manufacturer_id),
        "product_type": _hex(fingerprint.product_type),
        "product_id": _hex(fingerprint.product_id),
        "firmware": None if firmware is None else f"{firmware.min or ''}..{firmware.below or ''}",
    }


def _entity(binding: NodeBinding, decl: EntityDecl) -> dict[str, Any]:
    resolved = binding.resolved
    data: dict[str, Any] = {
        "key": decl.key,
        "platform": decl.platform.value,
        "variant": resolved.variant_of(decl),
        "enabled_by_default": decl.enabled_by_default,
    }
    private = isinstance(decl, SensorDecl) and decl.private
    if decl.values:
        data["sources"] = [
            {
                "value_id": ref.value_id(binding.node_id),
                "value": _private(binding.value(ref), private),
            }
            for ref in decl.values
        ]
    if isinstance(decl, SensorDecl):
        values = [binding.value(ref) for ref in decl.sources]
        if decl.convert is None:
            data["value"] = _private(values[0], private)
        else:
            try:
                data["value"] = _private(decl.convert(values), private)
            except Exception as err:  # noqa: BLE001 - diagnostics must not fail on a bad value
                LOGGER.debug("Node %s %s: convert failed: %s", binding.node_id, decl.key, err)
                data["value"] = None
                data["convert_error"] = f"{type(err).__name__}: {err}"
        if (guard := binding.readings.total(decl.key)) is not None:
            data["guard"] = _redacted_totals(guard.diagnostics(), decl.private)
    return data


def _redacted_totals(data: dict[str, Any], private: bool) -> dict[str, Any]:
    """A guard's diagnostics; a private meter's readings redacted."""
    if not private:
        return data
    return {key: REDACTED if key in ("total", "register") else value for key, value in data.items()}


def _private(value: Any, private: bool) -> Any:
    """A value that identifies a household is redacted (when there is one)."""
    return REDACTED if private and value is not None else value


def _allowed(param: ConfigParam) -> dict[str, Any]:
    """The values the parameter allows: options, or a range in display units."""
    if param.options:
        return {"options": {str(raw): key for raw, key in param.options.items()}}
    assert param.min is not None and param.max is not None
    return {
        "range": {
            "min": raw_to_display(param.min, param.scale),
            "max": raw_to_display(param.max, param.scale),
            "step": raw_to_display(param.step, param.scale),
            "unit": param.unit,
            # the raw value that turns the function off (0 = disabled), if any
            "off": param.off,
        }
    }


def _parameter(binding: NodeBinding, param: ConfigParam) -> dict[str, Any]:
    raw = binding.value(param.value)
    value: Any
    if param.read_only:
        value = raw
    elif param.options:
        value = display_option(param, raw)
    else:
        value = display_number(param, raw)
    platform = param.platform
    return {
        "number": param.number,
        "key": param.key,
        "variant": binding.resolved.variant_of(param),
        "platform": None if platform is None else platform.value,
        "size": param.size,
        "signed": param.signed,
        "scale": param.scale,
        "read_only": param.read_only,
        "default": param.default,
        "raw": _private(raw, param.private),
        "value": _private(value, param.private),
        "is_off": is_off(param, raw) if param.off is not None else None,
        **_allowed(param),
    }


def _node(hass: HomeAssistant, binding: NodeBinding) -> dict[str, Any]:
    """What the quirk made of one bound node."""
    node = binding.node
    if node is not None:
        firmware = node.firmware_version
    elif binding.device_id is not None and (
        device := dr.async_get(hass).async_get(binding.device_id, include_child_devices=False)
    ):
        # detached: the firmware the device had when it was last seen
        firmware = device.sw_version
    else:
        firmware = None
    resolved = binding.resolved
    return {
        "node_id": binding.node_id,
        "quirk": resolved.quirk.key,
        "fingerprint": _fingerprint(resolved.fingerprint),
        "firmware_version": firmware,
        "status": "disconnected" if node is None else node.status.name.lower(),
        "available": binding.available,
        "entities": [_entity(binding, decl) for decl in resolved.entities],
        "parameters": [_parameter(binding, param) for param in resolved.parameters],
        # declared, but the node (or its server) does not expose them: no entity
        "missing_parameters": binding.missing_parameters,
        # where the server's metadata disagrees with the quirk
        "metadata_drift": binding.metadata_drift,
        # the capacity tracker (capacity.py), without the meter's totals
        **(
            {}
            if (tracker := binding.readings.tracker) is None
            else {"capacity": tracker.diagnostics()}
        ),
    }


def _summary(
    ready: bool | None,
    ids: tuple[int | None, int | None, int | None],
    firmware_version: str | None,
) -> dict[str, Any]:
    return {
        "ready": ready,
        "manufacturer_id": _hex(ids[0]),
        "product_type": _hex(ids[1]),
        "product_id": _hex(ids[2]),
        "firmware_version": firmware_version,
    }


def _other_nodes(connection: ZwaveConnection) -> list[dict[str, Any]]:
    """Nodes no quirk supports: what is needed to write a quirk for them.

    Those the client library has, and those it was not shown (nodefilter.py).
    """
    driver = connection.driver
    if driver is None or not connection.connected:
        return []
    shown: dict[int, dict[str, Any]] = {}
    for node in driver.controller.nodes.values():
        if connection.network.is_controller_node(node) or node.node_id in connection.bindings:
            continue
        ids = (node.manufacturer_id, node.product_type, node.product_id)
        shown[node.node_id] = _summary(node.ready, ids, node.firmware_version)
    for node_id, left in connection.transport.node_filter.left_out.items():
        ids = (left.manufacturer_id, left.product_type, left.product_id)
        shown[node_id] = _summary(left.ready, ids, left.firmware_version)
    return [{"node_id": node_id} | shown[node_id] for node_id in sorted(shown)]


def _beside_core(connection: ZwaveConnection) -> dict[str, Any]:
    """Core's Z-Wave JS next to us: linked devices, and its entities ours replace."""
    neighbour = connection.neighbour
    put_away, kept = decisions(neighbour.entry.options)
    replaced = neighbour.replaced()
    return {
        "linked_devices": sum(
            neighbour.core_device(node_id) is not None for node_id in connection.bindings
        ),
        "replaced_entities": len(replaced),
        "superseded_entities": len(neighbour.superseded(replaced)),
        "put_away": len(put_away),
        "kept": len(kept),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ZwaveQuirksConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    data = dict(entry.data)
    if isinstance(url := data.get(CONF_URL), str):
        # the address identifies the home (and may carry credentials): its scheme only
        scheme = url.partition("://")[0] if "://" in url else ""
        data[CONF_URL] = f"{scheme}://{REDACTED}" if scheme in ("ws", "wss") else REDACTED
    result: dict[str, Any] = {
        "entry": {
            "title": _without_home_id(entry.title, entry),
            "state": entry.state.value,
            "data": async_redact_data(data, TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        }
    }
    connection = _connection(entry)
    if connection is None:
        result["connection"] = {"connected": False}
        result["nodes"] = {}
        result["unsupported_nodes"] = []
        return result
    connected = connection.connected
    client = connection.client
    version = client.version if connected and client is not None else None
    node_filter = connection.transport.node_filter
    result["connection"] = {
        "connected": connected,
        # nodes no quirk claims, left to Z-Wave JS (nodefilter.py), and their events dropped
        "nodes_left_out": len(node_filter.left_out),
        "events_dropped": node_filter.events_dropped,
        # the supported nodes' values of command classes no quirk reads, and their events
        "values_left_out": node_filter.values_left_out,
        "value_events_dropped": node_filter.value_events_dropped,
        # the network's home id identifies the installation
        "home_id": REDACTED if connection.home_id else None,
        "server_version": None if version is None else version.server_version,
        "driver_version": None if version is None else version.driver_version,
        "schema_versions": (
            None
            if version is None
            else f"{version.min_schema_version}-{version.max_schema_version}"
        ),
    }
    result["nodes"] = {
        str(node_id): _node(hass, binding)
        for node_id, binding in sorted(connection.bindings.items())
    }
    result["unsupported_nodes"] = _other_nodes(connection)
    result["beside_zwave_js"] = _beside_core(connection)
    result["quirk_files"] = _quirk_files(connection)
    return result


def _quirk_files(connection: ZwaveConnection) -> dict[str, Any]:
    """The user's quirk files: what each claims (and whether it replaces ours), what is wrong."""
    shipped = supported_ids()
    return {
        "loaded": [
            {
                "file": quirk.key.removeprefix(USER_PREFIX),
                "devices": [
                    {
                        "ids": f"{fp.manufacturer_id:#06x}/{fp.product_type:#06x}/"
                        f"{fp.product_id:#06x}",
                        "replaces_shipped": fp.ids in shipped,
                    }
                    for fp in quirk.fingerprints
                ],
                "entities": len(quirk.entities),
                "parameters": len(quirk.parameters),
            }
            for quirk in connection.user_quirks
        ],
        "invalid": [
            {"file": e.file, "line": e.line, "error": e.message}
            for e in connection.user_quirk_errors
        ],
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: ZwaveQuirksConfigEntry, device: dr.AnyDeviceEntry
) -> dict[str, Any]:
    """Return diagnostics for a device: its node and what its quirk made of it."""
    connection = _connection(entry)
    if connection is not None:
        for binding in connection.bindings.values():
            if binding.device_id == device.id:
                return _node(hass, binding)
    return {"error": "unknown device"}
