"""A starting quirk file for any node, from what the node exposes.

The node's state as the server gives it (``node.get_state``): its ids, its
values with their metadata, its configuration parameters with their ranges and
labels. What maps onto the file format is written as declarations (meters,
multilevel sensors, a binary switch, parameters); the rest is listed in a
comment. The result loads as it is (quirks/user.py); the names, units and the
energy guard's ``max_power`` are for the user to check.
"""

from __future__ import annotations

from typing import Any

from homeassistant.util import slugify
from homeassistant.util.yaml import dump

CONFIGURATION_CC = 112
METER_CC = 50
MULTILEVEL_SENSOR_CC = 49
BINARY_SWITCH_CC = 37
SCENE_ACTIVATION_CC = 43
ELECTRIC_METER = 1
# what a plug on a 16 A socket at 230 V can carry: a starting value for the guard
DEFAULT_MAX_POWER = 3680
# the electric meter's scales the format has a sensor for: key, device class, state class
METER_SCALES = {
    0: ("energy", "energy", "total_increasing"),
    2: ("power", "power", "measurement"),
    4: ("voltage", "voltage", "measurement"),
    5: ("current", "current", "measurement"),
}
UNITS = {"seconds": "s", "minutes": "min", "hours": "h", "Celsius": "°C", "°F": "°F"}
SENSOR_CLASSES = {"°C": "temperature", "°F": "temperature", "lux": "illuminance"}


def _ref(value: dict[str, Any]) -> dict[str, Any]:
    ref: dict[str, Any] = {"command_class": value["commandClass"], "property": value["property"]}
    if value.get("propertyKey") is not None:
        ref["property_key"] = value["propertyKey"]
    if value.get("endpoint"):
        ref["endpoint"] = value["endpoint"]
    return ref


def _key(label: str, used: set[str], fallback: str) -> str:
    key = slugify(label) or fallback
    if not key[0].isalpha():
        key = f"{fallback}_{key}"
    candidate, n = key, 2
    while candidate in used:
        candidate, n = f"{key}_{n}", n + 1
    used.add(candidate)
    return candidate


def _parameter(value: dict[str, Any], used: set[str]) -> dict[str, Any] | None:
    meta = value.get("metadata") or {}
    number, size = value.get("property"), meta.get("valueSize")
    low, high, default = meta.get("min"), meta.get("max"), meta.get("default")
    if not isinstance(number, int) or size not in (1, 2, 4) or value.get("propertyKey") is not None:
        return None  # a partial (bitmask) parameter: not in the format
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    label = str(meta.get("label") or f"Parameter {number}")
    param: dict[str, Any] = {
        "number": number,
        "size": size,
        "key": _key(label, used, f"parameter_{number}"),
        "name": label,
        "default": default if isinstance(default, int) else low,
    }
    if low < 0:
        param["signed"] = True
    states = {
        int(k): str(v).strip() or f"Option {k}"
        for k, v in (meta.get("states") or {}).items()
        if str(k).lstrip("-").isdigit()
    }
    if not meta.get("writeable", True):
        param["read_only"] = True
    if states and len(states) == high - low + 1:
        keys: set[str] = set()
        labels: set[str] = set()
        options = {}
        for raw, name in sorted(states.items()):
            # labels tell the options apart (two alike get their values)
            label = name if name.casefold() not in labels else f"{name} ({raw})"
            labels.add(label.casefold())
            options[raw] = {"key": _key(label, keys, f"option_{raw}"), "name": label}
        if any(o["name"].casefold() in keys - {o["key"]} for o in options.values()):
            for raw, option in options.items():
                option["key"] = f"option_{raw}"
        param["options"] = options
        if param["default"] not in options:
            param["default"] = min(options)
        return param
    if list(states) == [low] and high > low:
        # the lowest value turns the function off ("Disable"): the rest is the range
        param["off_value"], low = low, low + 1
    param["min"], param["max"] = low, high
    if param.get("off_value") == param["default"]:
        param["on_value"] = low  # its switch turns it on with the lowest working value
    elif not low <= param["default"] <= high:
        param["default"] = low
    if unit := meta.get("unit"):
        param["unit"] = UNITS.get(unit, unit)
    return param


def _sensor(value: dict[str, Any], used: set[str]) -> dict[str, Any] | None:
    meta = value.get("metadata") or {}
    label = str(meta.get("label") or value.get("propertyName") or value["property"])
    if value["commandClass"] == METER_CC and value.get("property") == "value":
        specific = meta.get("ccSpecific") or {}
        if specific.get("meterType") != ELECTRIC_METER or specific.get("scale") not in METER_SCALES:
            return None
        key, device_class, state_class = METER_SCALES[specific["scale"]]
        sensor: dict[str, Any] = {
            "key": _key(key, used, key),
            "name": key.capitalize(),
            "value": _ref(value),
            "device_class": device_class,
            "state_class": state_class,
        }
        if meta.get("unit"):
            sensor["unit"] = meta["unit"]
        if state_class == "total_increasing":
            sensor["max_power"] = DEFAULT_MAX_POWER
        return sensor
    if value["commandClass"] == MULTILEVEL_SENSOR_CC and meta.get("type") == "number":
        unit = UNITS.get(meta.get("unit") or "", meta.get("unit"))
        sensor = {
            "key": _key(label, used, "sensor"),
            "name": label,
            "value": _ref(value),
            "state_class": "measurement",
        }
        if unit:
            sensor["unit"] = unit
        if (sensor_class := SENSOR_CLASSES.get(unit or "")) is not None:
            sensor["device_class"] = sensor_class
        elif "humidity" in label.lower() and unit == "%":
            sensor["device_class"] = "humidity"
        return sensor
    return None


def export_quirk(state: dict[str, Any]) -> tuple[str, str]:
    """(a file name, the YAML of a starting quirk file) for a node's state."""
    ids = [state.get(k) for k in ("manufacturerId", "productType", "productId")]
    if not all(isinstance(i, int) for i in ids):
        raise ValueError("the node has not been interviewed: its ids are unknown")
    config = state.get("deviceConfig") or {}
    # a device no device file knows has neither: placeholders that say what they are
    manufacturer = str(
        state.get("manufacturer") or config.get("manufacturer") or f"Manufacturer {ids[0]:#06x}"
    )
    model = str(state.get("label") or config.get("label") or f"Product {ids[1]:#06x}:{ids[2]:#06x}")
    fingerprint = {
        "manufacturer_id": ids[0],
        "product_type": ids[1],
        "product_id": ids[2],
        "manufacturer": manufacturer,
        "model": model,
    }
    sensors: list[dict[str, Any]] = []
    switches: list[dict[str, Any]] = []
    parameters: list[dict[str, Any]] = []
    buttons: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    left: list[str] = []
    used: set[str] = set()
    param_keys: set[str] = set()

    def order(v: dict[str, Any]) -> tuple[Any, ...]:
        prop = v.get("property")
        return (
            v.get("commandClass", 0),
            not isinstance(prop, int),
            str(prop).zfill(6),
            str(v.get("propertyKey")),
        )

    values = sorted(state.get("values") or [], key=order)
    by_id = {(v.get("commandClass"), v.get("endpoint", 0), v.get("property")): v for v in values}
    power = next(
        (
            v
            for v in values
            if v.get("commandClass") == METER_CC
            and ((v.get("metadata") or {}).get("ccSpecific") or {}).get("scale") == 2
        ),
        None,
    )
    for value in values:
        cc = value.get("commandClass")
        meta = value.get("metadata") or {}
        if cc == CONFIGURATION_CC:
            if (param := _parameter(value, param_keys)) is not None:
                parameters.append(param)
                continue
        elif cc == BINARY_SWITCH_CC and value.get("property") == "currentValue":
            target = by_id.get((cc, value.get("endpoint", 0), "targetValue"))
            if target is not None:
                switches.append(
                    {
                        "key": _key("switch", used, "switch"),
                        "name": "Switch",
                        "value": _ref(value),
                        "target": _ref(target),
                    }
                )
                continue
        elif cc == BINARY_SWITCH_CC and value.get("property") == "targetValue":
            continue
        elif cc == METER_CC and value.get("property") == "reset":
            # one button resets the node's meters (a reset value per endpoint)
            if not buttons:
                buttons.append(
                    {"key": "reset_meters", "name": "Reset meters", "action": "reset_meters"}
                )
            continue
        elif cc == SCENE_ACTIVATION_CC and value.get("property") == "sceneId":
            events.append(
                {
                    "key": _key("scene", used, "scene"),
                    "name": "Scene",
                    "value": _ref(value),
                    "event_type": "scene_activated",
                    "attribute": "scene_id",
                }
            )
            continue
        elif (sensor := _sensor(value, used)) is not None:
            if sensor.get("state_class") == "total_increasing" and power is not None:
                sensor["power"] = _ref(power)
            sensors.append(sensor)
            continue
        left.append(
            f"#   {value.get('commandClassName', cc)} {value.get('property')}"
            f"{'' if value.get('propertyKey') is None else f' / {value.get("propertyKey")}'}"
            f": {meta.get('label', '')}"
        )
    sections = {
        "sensors": sensors,
        "switches": switches,
        "buttons": buttons,
        "events": events,
        "parameters": parameters,
    }
    data: dict[str, Any] = {
        "fingerprints": [fingerprint],
        **{name: items for name, items in sections.items() if items},
    }
    file_name = f"{slugify(f'{manufacturer} {model}')}.yaml"
    # lines of at most 72 characters: the frontend shows the answer's text as a block
    header = [
        f"# A starting quirk for {manufacturer} {model},"[:72],
        "# made from what the node exposes. Check the names, the units and",
        "# max_power (W: the most the device can carry) before you rely on it.",
        "# Save it in <config>/zwave_quirks/ as",
        f"#   {file_name}",
        "# and reload the integration (docs/user-quirks.md has every key).",
    ]
    body = dump(data)
    footer = ["# Not exported (not in the file format yet):", *(line[:72] for line in left)]
    if not left:
        footer = []
    text = "\n".join([*header, body.rstrip("\n"), *footer]) + "\n"
    return file_name, text
