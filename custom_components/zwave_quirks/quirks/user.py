"""Quirks of the user's own: YAML files in Home Assistant's configuration folder.

``<config>/zwave_quirks/*.yaml``, one device family per file, on the same
declaration model as the shipped quirks: fingerprints, sensors (with the
energy guard), switches and configuration parameters. Names are written in
the file (English, and any other language). Loaded with Home Assistant's safe
YAML loader; a file only declares data. A file that is wrong is reported with
its line and left out; the other files and the shipped quirks stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import probatio as vol
from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.yaml import load_yaml_dict, parse_yaml

from .model import (
    ICON,
    METER_CC,
    ButtonDecl,
    ConfigParam,
    EntityDecl,
    EventDecl,
    Fingerprint,
    FirmwareRange,
    PowerLimit,
    Quirk,
    QuirkError,
    SensorDecl,
    SwitchDecl,
    ValueRef,
    When,
)

FOLDER = "zwave_quirks"
USER_PREFIX = "user:"


@dataclass(frozen=True, kw_only=True)
class UserQuirkError:
    """What is wrong in a user's quirk file, and where."""

    file: str
    line: int | None
    message: str
    # the file's last valid version stays in use
    kept: bool = False


def _names(value: Any) -> dict[str, str]:
    """A name: one English text, or texts by language ({en: Power, nb: Effekt})."""
    if isinstance(value, str):
        value = {"en": value}
    names = vol.Schema({vol.All(str, vol.Length(min=2, max=10)): vol.All(str, vol.Length(min=1))})(
        value
    )
    if not names:
        raise vol.Invalid("a name needs at least one language")
    return {str(k): str(v) for k, v in names.items()}


def _int(low: int, high: int) -> Callable[[Any], int]:
    return vol.All(vol.Coerce(int), vol.Range(min=low, max=high))


def _enum(kind: type[StrEnum]) -> Callable[[Any], Any]:
    return vol.All(str, vol.In([member.value for member in kind]), kind)


KEY = vol.All(str, vol.Match(r"^[a-z][a-z0-9_]*$", msg="a key is lowercase a-z, 0-9 and _"))
VALUE = vol.Schema(
    {
        vol.Required("command_class"): _int(0, 255),
        vol.Required("property"): vol.Any(int, str),
        vol.Optional("property_key"): vol.Any(int, str),
        vol.Optional("endpoint", default=0): _int(0, 127),
    }
)
CATEGORY = vol.All(str, vol.In(["config", "diagnostic"]), EntityCategory)
ICON_NAME = vol.All(
    str, vol.Match(rf"^{ICON.pattern}\Z", msg="an icon is mdi:<name>, e.g. mdi:power-socket-eu")
)
# firmware versions from min (inclusive) to below (exclusive)
FIRMWARE = {vol.Optional("min"): str, vol.Optional("below"): str}
FINGERPRINT = vol.Schema(
    {
        vol.Required("manufacturer_id"): _int(0, 0xFFFF),
        vol.Required("product_type"): _int(0, 0xFFFF),
        vol.Required("product_id"): _int(0, 0xFFFF),
        vol.Required("manufacturer"): vol.All(str, vol.Length(min=1)),
        vol.Required("model"): vol.All(str, vol.Length(min=1)),
        vol.Optional("firmware"): FIRMWARE,
    }
)
ENTITY = {
    vol.Required("key"): KEY,
    vol.Required("name"): _names,
    vol.Optional("entity_category"): CATEGORY,
    vol.Optional("enabled_by_default", default=True): bool,
    vol.Optional("icon"): ICON_NAME,
    # a variant for this firmware (the same key again for other firmware)
    vol.Optional("firmware"): FIRMWARE,
}
SENSOR = vol.Schema(
    {
        **ENTITY,
        vol.Required("value"): VALUE,
        vol.Optional("device_class"): _enum(SensorDeviceClass),
        vol.Optional("state_class"): _enum(SensorStateClass),
        vol.Optional("unit"): str,
        vol.Optional("display_precision"): _int(0, 6),
        # a growing total: the meter's largest power (W), and its power value
        vol.Optional("max_power"): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("power"): VALUE,
        vol.Optional("no_reading", default=[]): [vol.Coerce(float)],
        vol.Optional("private", default=False): bool,
    }
)
SWITCH = vol.Schema({**ENTITY, vol.Required("value"): VALUE, vol.Required("target"): VALUE})
# a button does one of these (a file names a command, it does not call any API it likes)
BUTTON_ACTIONS = ("reset_meters",)
BUTTON = vol.Schema(
    {
        **ENTITY,
        vol.Required("action"): vol.In(BUTTON_ACTIONS),
        vol.Optional("entity_category", default="config"): CATEGORY,
    }
)
EVENT = vol.Schema(
    {
        **ENTITY,
        vol.Required("value"): VALUE,
        vol.Required("event_type"): KEY,
        vol.Required("attribute"): KEY,
    }
)
OPTION = vol.Schema({vol.Required("key"): KEY, vol.Required("name"): _names})
PARAMETER = vol.Schema(
    {
        vol.Required("number"): _int(0, 0xFFFF),
        vol.Required("size"): vol.In([1, 2, 4]),
        vol.Required("key"): KEY,
        vol.Required("name"): _names,
        vol.Required("default"): int,
        vol.Optional("min"): int,
        vol.Optional("max"): int,
        vol.Optional("step", default=1): _int(1, 0xFFFFFFFF),
        vol.Optional("scale", default=1): _int(1, 1_000_000),
        vol.Optional("signed", default=False): bool,
        vol.Optional("unit"): str,
        vol.Optional("device_class"): _enum(NumberDeviceClass),
        vol.Optional("options"): {int: OPTION},
        vol.Optional("read_only", default=False): bool,
        # "off:" unquoted is a YAML boolean key: the format says off_value
        vol.Optional("off_value"): int,
        vol.Optional("on_value"): int,
        vol.Optional("switch_name"): _names,
        vol.Optional("enabled_by_default", default=True): bool,
        vol.Optional("private", default=False): bool,
        vol.Optional("icon"): ICON_NAME,
        vol.Optional("firmware"): FIRMWARE,
    }
)
QUIRK_FILE = vol.Schema(
    {
        vol.Required("fingerprints"): vol.All([FINGERPRINT], vol.Length(min=1)),
        vol.Optional("sensors", default=[]): [SENSOR],
        vol.Optional("switches", default=[]): [SWITCH],
        vol.Optional("buttons", default=[]): [BUTTON],
        vol.Optional("events", default=[]): [EVENT],
        vol.Optional("parameters", default=[]): [PARAMETER],
    }
)


def _ref(data: Mapping[str, Any]) -> ValueRef:
    return ValueRef(
        command_class=data["command_class"],
        property=data["property"],
        property_key=data.get("property_key"),
        endpoint=data["endpoint"],
    )


def _entity_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "key": item["key"],
        "translation_key": "",
        "names": item["name"],
        "entity_category": item.get("entity_category"),
        "enabled_by_default": item["enabled_by_default"],
        "icon": item.get("icon"),
        "when": _when(item),
    }


def _firmware(item: Mapping[str, Any]) -> FirmwareRange | None:
    return FirmwareRange(**item["firmware"]) if "firmware" in item else None


def _when(item: Mapping[str, Any]) -> When | None:
    """A declaration's firmware condition (its ranges are checked before: _check_firmware)."""
    firmware = _firmware(item)
    return None if firmware is None else When(firmware=firmware)


def _sensor(item: Mapping[str, Any]) -> SensorDecl:
    limit = item.get("max_power")
    power = item.get("power")
    return SensorDecl(
        **_entity_fields(item),
        sources=(_ref(item["value"]),),
        device_class=item.get("device_class"),
        state_class=item.get("state_class"),
        unit=item.get("unit"),
        display_precision=item.get("display_precision"),
        max_power=None if limit is None else PowerLimit(watts=limit),
        power=None if power is None else _ref(power),
        no_reading=tuple(item["no_reading"]),
        private=item["private"],
    )


def _switch(item: Mapping[str, Any]) -> SwitchDecl:
    return SwitchDecl(
        **_entity_fields(item), current=_ref(item["value"]), target=_ref(item["target"])
    )


def _button(item: Mapping[str, Any]) -> ButtonDecl:
    # reset_meters: Meter CC reset, new totals at once, then the meters read again
    return ButtonDecl(
        **_entity_fields(item),
        command_class=METER_CC,
        method="reset",
        refresh=(METER_CC,),
        resets_totals=True,
    )


def _event(item: Mapping[str, Any]) -> EventDecl:
    return EventDecl(
        **_entity_fields(item),
        source=_ref(item["value"]),
        event_type=item["event_type"],
        attribute=item["attribute"],
    )


def _parameter(item: Mapping[str, Any]) -> ConfigParam:
    options = item.get("options") or {}
    return ConfigParam(
        number=item["number"],
        size=item["size"],
        key=item["key"],
        default=item["default"],
        min=item.get("min"),
        max=item.get("max"),
        step=item["step"],
        scale=item["scale"],
        signed=item["signed"],
        unit=item.get("unit"),
        device_class=item.get("device_class"),
        options={raw: option["key"] for raw, option in options.items()},
        read_only=item["read_only"],
        off=item.get("off_value"),
        on_value=item.get("on_value"),
        enabled_by_default=item["enabled_by_default"],
        private=item["private"],
        icon=item.get("icon"),
        when=_when(item),
        names=item["name"],
        option_names={option["key"]: option["name"] for option in options.values()},
        switch_names=item.get("switch_name")
        or {lang: f"{name} on/off" for lang, name in item["name"].items()},
    )


def _line(data: Any, path: list[Any], text: str = "") -> int | None:
    """The line of the deepest part of the file that a path reaches.

    Numbers and booleans carry no line (only strings, lists and maps do): a key
    with such a value is looked up in the text, in its map's block.
    """
    line = getattr(data, "__line__", None)
    for step in path:
        try:
            value = data[step]
        except KeyError, IndexError, TypeError:
            return line
        if (found := getattr(value, "__line__", None)) is None and isinstance(step, str):
            return _key_line(text, line, step) or line
        data, line = value, found or line
    return line


def _key_line(text: str, start: int | None, key: str) -> int | None:
    """The line of a key in the block of the map whose first key is on line ``start``."""
    if start is None or not text:
        return None
    lines = text.splitlines()[start - 1 :]
    if not lines:
        return None
    indent = len(lines[0]) - len(lines[0].lstrip(" -"))
    pattern = re.compile(rf"(?:^|[\s{{,])-?\s*{re.escape(key)}\s*:")
    for offset, row in enumerate(lines):
        body = row.lstrip(" -")
        if offset and body and not body.startswith("#") and len(row) - len(body) < indent:
            return None  # the map's block ended
        if pattern.search(row.split("#", 1)[0]):
            return start + offset
    return None


def _where(path: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def parse_quirk(name: str, data: Any) -> Quirk:
    """A quirk from a file's data (its key: "user:" and the file's name); raise vol.Invalid."""
    checked = QUIRK_FILE(data)
    _check_firmware(checked)
    built: list[EntityDecl] = []
    sections: tuple[tuple[str, Callable[[Mapping[str, Any]], EntityDecl]], ...] = (
        ("sensors", _sensor),
        ("switches", _switch),
        ("buttons", _button),
        ("events", _event),
    )
    for section, build in sections:
        for index, item in enumerate(checked[section]):
            try:
                built.append(build(item))
            except QuirkError as err:
                raise vol.Invalid(str(err), path=[section, index]) from err
    parameters = []
    for index, item in enumerate(checked["parameters"]):
        try:
            parameters.append(_parameter(item))
        except QuirkError as err:
            raise vol.Invalid(str(err), path=["parameters", index]) from err
    fingerprints = []
    for index, fp in enumerate(checked["fingerprints"]):
        try:
            firmware = FirmwareRange(**fp["firmware"]) if "firmware" in fp else None
        except QuirkError as err:
            raise vol.Invalid(str(err), path=["fingerprints", index, "firmware"]) from err
        fingerprints.append(
            Fingerprint(
                manufacturer_id=fp["manufacturer_id"],
                product_type=fp["product_type"],
                product_id=fp["product_id"],
                manufacturer=fp["manufacturer"],
                model=fp["model"],
                firmware=firmware,
            )
        )
    for index, item in enumerate(checked["parameters"]):
        _check_labels(item, index)
    _check_keys(checked)
    try:
        return Quirk(
            key=f"{USER_PREFIX}{name}",
            fingerprints=tuple(fingerprints),
            entities=tuple(built),
            parameters=tuple(parameters),
        )
    except QuirkError as err:
        raise vol.Invalid(str(err).removeprefix(f"{USER_PREFIX}{name}: ")) from err


def _check_labels(item: Mapping[str, Any], index: int) -> None:
    """A select's labels tell its options apart: per language, and from the option keys."""
    options = (item.get("options") or {}).values()
    keys = {option["key"].casefold(): option["key"] for option in options}
    seen: dict[tuple[str, str], str] = {}
    for option in options:
        for language, label in option["name"].items():
            folded = label.casefold()
            other = seen.setdefault((language, folded), option["key"])
            if other != option["key"] or keys.get(folded, option["key"]) != option["key"]:
                raise vol.Invalid(
                    f"the label {label!r} ({language}) is also another option's",
                    path=["parameters", index, "options"],
                )


SECTIONS = ("sensors", "switches", "buttons", "events", "parameters")


def _check_firmware(checked: Mapping[str, Any]) -> None:
    """Each firmware range of a declaration holds a version."""
    for section in SECTIONS:
        for index, item in enumerate(checked[section]):
            try:
                _firmware(item)
            except QuirkError as err:
                raise vol.Invalid(str(err), path=[section, index, "firmware"]) from err


def _check_keys(checked: Mapping[str, Any]) -> None:
    """Each entity's key once in the file (a parameter's entity is config_<number>).

    A key again in the same section is a variant for other firmware: it and the
    first have firmware ranges that do not overlap, or one of them has none (it
    applies where no range does).
    """
    seen: dict[str, list[tuple[str, int, FirmwareRange | None]]] = {}
    for section in SECTIONS:
        for index, item in enumerate(checked[section]):
            if section == "parameters":
                keys = [f"config_{item['number']}"]
                if item.get("off_value") is not None:
                    keys.append(f"config_{item['number']}_enabled")
                where = "number"
            else:
                keys, where = [item["key"]], "key"
            firmware = _firmware(item)
            for key in keys:
                for other_section, other, other_firmware in seen.get(key, []):
                    first = f"{other_section}[{other}]"
                    if other_section != section or (firmware is None and other_firmware is None):
                        raise vol.Invalid(
                            f"the key {key} is {first}'s already", path=[section, index, where]
                        )
                    if firmware and other_firmware and firmware.overlaps(other_firmware):
                        raise vol.Invalid(
                            f"the key {key} is {first}'s already for firmware in this range",
                            path=[section, index, "firmware"],
                        )
                seen.setdefault(key, []).append((section, index, firmware))


def _shown(name: str) -> str:
    """A file name as text (a name that is not UTF-8 is shown with replacements)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def load_file(path: Path) -> Quirk | UserQuirkError:
    """One file's quirk, or what is wrong with it (blocking: run it in the executor)."""
    try:
        return _load_file(path)
    except Exception as err:  # noqa: BLE001 - no file may take the entry down
        return UserQuirkError(file=_shown(path.name), line=None, message=type(err).__name__)


def _load_file(path: Path) -> Quirk | UserQuirkError:
    try:
        data = load_yaml_dict(path)
        text = path.read_text(encoding="utf-8", errors="replace")
    except HomeAssistantError as err:
        # the YAML parser's message names the line; the folder is <config>'s
        text = str(err).replace(str(path.parent.parent), "<config>")
        found = re.search(r", line (\d+), column", text)
        message = " ".join(text.split("\n  in ", 1)[0].split())
        return UserQuirkError(
            file=_shown(path.name), line=int(found.group(1)) if found else None, message=message
        )
    try:
        return parse_quirk(_shown(path.name), data)
    except vol.Invalid as err:
        path_in_file = list(getattr(err, "path", []))
        where = _where(path_in_file)
        message = err.msg if hasattr(err, "msg") else str(err)
        if message in ("not a valid option", "extra keys not allowed") and (
            path_in_file and isinstance(path_in_file[-1], str)
        ):
            message = "unknown key (docs/user-quirks.md lists the keys)"
        return UserQuirkError(
            file=_shown(path.name),
            line=_line(data, path_in_file, text),
            message=f"{where}: {message}" if where else message,
        )


def parse_text(name: str, text: str) -> Quirk | None:
    """The quirk of a file's text that was valid before; None if it is not (any more)."""
    try:
        return parse_quirk(name, parse_yaml(text))
    except Exception:  # noqa: BLE001 - a text kept from before: used only if it still loads
        return None


def load_folder(
    folder: Path, last_valid: Mapping[str, str] | None = None
) -> tuple[list[Quirk], list[UserQuirkError], dict[str, str]]:
    """The quirks of the folder's files, the files that are wrong, and the valid files' texts.

    A file that is wrong now but was valid before (``last_valid``: file name to
    text) keeps its last valid version in use, so its devices keep their
    entities while it is being edited. A file whose fingerprint another file
    already has is wrong (the first, by name, wins). Blocking: run it in the
    executor.
    """
    quirks: list[Quirk] = []
    errors: list[UserQuirkError] = []
    texts: dict[str, str] = {}
    if not folder.is_dir():
        return quirks, errors, texts
    claimed: dict[tuple[int, int, int], str] = {}
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        name = _shown(path.name)
        result = load_file(path)
        if isinstance(result, UserQuirkError):
            kept = (
                parse_text(name, (last_valid or {})[name]) if name in (last_valid or {}) else None
            )
            if kept is not None and not any(fp.ids in claimed for fp in kept.fingerprints):
                result = UserQuirkError(
                    file=result.file, line=result.line, message=result.message, kept=True
                )
                texts[name] = (last_valid or {})[name]
                claimed.update(dict.fromkeys((fp.ids for fp in kept.fingerprints), name))
                quirks.append(kept)
            errors.append(result)
            continue
        taken = [claimed[fp.ids] for fp in result.fingerprints if fp.ids in claimed]
        if taken:
            errors.append(
                UserQuirkError(
                    file=name,
                    line=_line(load_yaml_dict(path), ["fingerprints"]),
                    message=f"fingerprints: {taken[0]} has this device already",
                )
            )
            continue
        claimed.update(dict.fromkeys((fp.ids for fp in result.fingerprints), name))
        quirks.append(result)
        with suppress(OSError, UnicodeError):
            texts[name] = path.read_text(encoding="utf-8")
    return quirks, errors, texts
