"""Write what is derived from the shipped quirks' declarations.

Usage: .venv/bin/python scripts/derive.py [--check]

- README.md: the list of supported devices (between <!-- devices --> and
  <!-- /devices -->) and each quirk's entity and parameter tables (between
  <!-- tables:QUIRK_KEY --> and <!-- /tables:QUIRK_KEY -->). A quirk without
  its markers gets a section of its own above the "new quirks" line. The rest
  of the README is written by hand. Names are the English translations, as a
  user sees them.
- simulator/README.md: the table of the simulated network's nodes (between
  <!-- nodes --> and <!-- /nodes -->), from simulator/src/devices.js (Node.js).
- services.yaml: the parameters set_parameter offers (every writable one).
- icons.json: the entities' icons (its "entity" part) from the declarations'
  ``icon``; a parameter's switch has its number's icon, and a bell's while off.
  The services' icons are written by hand.

--check exits 1 when a file is not current (the test suite runs it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from custom_components.zwave_quirks.quirks.codecs import raw_to_display  # noqa: E402
from custom_components.zwave_quirks.quirks.model import (  # noqa: E402
    SWITCH_OFF_ICON,
    ButtonDecl,
    CapacityDecl,
    ConfigParam,
    EntityDecl,
    Quirk,
    SensorDecl,
    When,
)
from custom_components.zwave_quirks.quirks.registry import QUIRKS  # noqa: E402

README = ROOT / "README.md"
COMPONENT = ROOT / "custom_components/zwave_quirks"
ICONS = COMPONENT / "icons.json"
SERVICES = COMPONENT / "services.yaml"
# set_parameter's list of parameters, under its field
PARAMETER_OPTIONS = re.compile(
    r"(^set_parameter:\n(?:  .*\n)*?    parameter:\n(?:      .*\n)*?          options:\n)"
    r"((?:            - .*\n)+)",
    re.MULTILINE,
)
MINUS, DASH, TIMES = "\u2212", "\u2013", "\u00d7"
EN = json.loads((COMPONENT / "translations/en.json").read_text(encoding="utf-8"))["entity"]
DEVICES = ("<!-- devices -->", "<!-- /devices -->")
# where a quirk without its tables' markers gets its section, in the registry's order
NEW_QUIRKS = "<!-- new quirks: scripts/derive.py puts a new quirk's section above -->"
SIMULATOR = ROOT / "simulator"
SIMULATOR_README = SIMULATOR / "README.md"
NODES = ("<!-- nodes -->", "<!-- /nodes -->")
# one of each shipped device, as the simulator builds them
SIMULATOR_NODES = """
import { HOME_ID, SHIPPED_NODES, createDeviceDefinitions } from "./src/devices.js";
const nodes = createDeviceDefinitions(SHIPPED_NODES).map((d) => ({
    id: d.id, name: d.name, kind: d.kind, firmware: d.capabilities.firmwareVersion,
    ids: [d.capabilities.manufacturerId, d.capabilities.productType, d.capabilities.productId],
}));
console.log(JSON.stringify({ homeId: HOME_ID, nodes }));
"""


def _name(platform: str, key: str) -> str:
    return str(EN[platform][key]["name"])


def _cell(text: str) -> str:
    """Text for a table cell: a | would end the cell."""
    return text.replace("|", "\\|")


def _number(value: float) -> str:
    text = str(int(value)) if float(value).is_integer() else f"{value:.10g}"
    return text.replace("-", MINUS)


def _display(param: ConfigParam, raw: int) -> str:
    return _number(raw_to_display(raw, param.scale))


def _when(when: When | None) -> str:
    if when is None:
        return ""
    parts = [fp.model for fp in when.fingerprints]
    if (fw := when.firmware) is not None:
        if fw.min and fw.below:
            parts.append(f"firmware {fw.min} to below {fw.below}")
        elif fw.min:
            parts.append(f"firmware ≥ {fw.min}")
        else:
            parts.append(f"firmware < {fw.below}")
    return " ".join(parts)


def _kind(decl: EntityDecl) -> str:
    if isinstance(decl, (SensorDecl, CapacityDecl)):
        extra = decl.state_class.value if decl.state_class else None
        if decl.entity_category is not None:
            extra = decl.entity_category.value
        return f"sensor, `{extra}`" if extra else "sensor"
    if isinstance(decl, ButtonDecl):
        return "button (config)" if decl.entity_category else "button"
    return decl.platform.value


def _entities(quirk: Quirk) -> list[str]:
    rows = ["| entity | kind | unit | notes |", "|---|---|---|---|"]
    for decl in quirk.entities:
        unit = decl.unit if isinstance(decl, (SensorDecl, CapacityDecl)) and decl.unit else ""
        note = decl.doc
        if variant := _when(decl.when):
            note = f"{variant}; {note}" if note else variant
        rows.append(
            f"| {_name(decl.platform.value, decl.translation_key)} | {_kind(decl)} | {unit} "
            f"| {_cell(note)} |"
        )
    return rows


def _values(param: ConfigParam) -> str:
    if param.read_only:
        return "read only"
    if param.options:
        states = EN["select"][param.key]["state"]
        return ", ".join(f"{raw} {states[key]}" for raw, key in param.options.items())
    assert param.min is not None and param.max is not None
    unit = f" {param.unit}" if param.unit else ""
    text = f"{_display(param, param.min)}{DASH}{_display(param, param.max)}{unit}"
    if raw_to_display(param.step, param.scale) != 1:
        text += f", step {_display(param, param.step)}"
    if param.off is not None:
        text = f"{_display(param, param.off)} off, {text}"
    return text


def _default(param: ConfigParam) -> str:
    if param.read_only:
        return ""
    if param.options:
        return str(EN["select"][param.key]["state"][param.options[param.default]])
    return _display(param, param.default)


def _parameter_notes(param: ConfigParam, has_variants: bool) -> str:
    notes = []
    if variant := _when(param.when):
        notes.append(variant)
    elif has_variants:
        notes.append("other devices and firmware")
    if param.scale != 1:
        notes.append(f"device value = shown value {TIMES} {param.scale}")
    if param.signed:
        notes.append(f"signed ({param.size} byte{'s' if param.size > 1 else ''})")
    if param.on_value is not None:
        unit = f" {param.unit}" if param.unit else ""
        notes.append(
            f"switching on with no earlier value uses {_display(param, param.on_value)}{unit}"
        )
    if param.doc:
        notes.append(param.doc)
    return "; ".join(notes)


def _parameters(quirk: Quirk) -> list[str]:
    rows = ["| # | entity | values | default | notes |", "|---|---|---|---|---|"]
    numbers = [p.number for p in quirk.parameters]
    for param in sorted(quirk.parameters, key=lambda p: (p.number, p.when is not None)):
        if param.platform is None:
            entity = "—"
        else:
            entity = f"{_name(param.platform.value, param.key)} ({param.platform.value})"
            if param.switch_key is not None:
                entity += f" + {_name('switch', f'{param.key}_enabled')} (switch)"
        rows.append(
            f"| {param.number} | {entity} | {_values(param)} | {_default(param)} "
            f"| {_cell(_parameter_notes(param, numbers.count(param.number) > 1))} |"
        )
    return rows


def tables(quirk: Quirk) -> str:
    """The markdown of one quirk's tables."""
    return "\n".join([*_entities(quirk), "", *_parameters(quirk)])


def _hex(value: int) -> str:
    return f"0x{value:04x}"


def _devices() -> str:
    """The table of supported devices, one row per fingerprint."""
    rows = ["| device | fingerprint (manufacturer / type / id) | quirk |", "|---|---|---|"]
    for quirk in QUIRKS:
        if not quirk.description:
            raise SystemExit(f"quirk {quirk.key} has no description")
        for fp in quirk.fingerprints:
            device = f"{fp.manufacturer} {fp.model} {quirk.description}"
            if fp.doc:
                device += f" ({fp.doc})"
            ids = " / ".join(_hex(i) for i in fp.ids)
            if fp.firmware is not None:
                ids += f", {_when(When(firmware=fp.firmware))}"
            rows.append(f"| {_cell(device)} | {ids} | `quirks/{quirk.key}.py` |")
    return "\n".join(rows)


def _section(quirk: Quirk) -> str:
    """A new quirk's README section: its heading (its devices) and its tables' markers."""
    devices = ", ".join(dict.fromkeys(f"{fp.manufacturer} {fp.model}" for fp in quirk.fingerprints))
    return f"### {devices}\n\n<!-- tables:{quirk.key} -->\n<!-- /tables:{quirk.key} -->"


def _between(text: str, start: str, end: str, written: str) -> str:
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"no {start} ... {end} markers")
    return pattern.sub(lambda _: f"{start}\n{written}\n{end}", text, count=1)


def render(text: str) -> str:
    """The README with the devices and every quirk's tables written anew."""
    text = _between(text, *DEVICES, _devices())
    for quirk in QUIRKS:
        start, end = f"<!-- tables:{quirk.key} -->", f"<!-- /tables:{quirk.key} -->"
        if start not in text:
            if NEW_QUIRKS not in text:
                raise SystemExit(f"README.md has no {NEW_QUIRKS} line to put {start} above")
            text = text.replace(NEW_QUIRKS, f"{_section(quirk)}\n\n{NEW_QUIRKS}", 1)
        text = _between(text, start, end, tables(quirk))
    return text


def simulator_readme(text: str) -> str:
    """simulator/README.md with the table of its nodes written anew."""
    if (node := shutil.which("node")) is None:
        raise SystemExit("scripts/derive.py needs Node.js (scripts/setup installs it)")
    found = subprocess.run(
        [node, "--input-type=module", "-e", SIMULATOR_NODES],
        cwd=SIMULATOR,
        capture_output=True,
        text=True,
        check=True,
    )
    network = json.loads(found.stdout)
    rows = [
        "| node | device | fingerprint (mfr / type / id) | firmware |",
        "| --- | --- | --- | --- |",
        f"| 1 | mock controller, home id `0x{network['homeId']:08x}` | | |",
    ]
    for node in network["nodes"]:
        ids = " / ".join(_hex(i) for i in node["ids"])
        rows.append(
            f"| {node['id']} | {node['name']} {node['kind']} | {ids} | {node['firmware']} |"
        )
    return _between(text, *NODES, "\n".join(rows))


def services_file(text: str) -> str:
    """services.yaml with set_parameter's parameters written anew."""
    keys = sorted({p.key for quirk in QUIRKS for p in quirk.parameters if not p.read_only})
    if not PARAMETER_OPTIONS.search(text):
        raise SystemExit("services.yaml: set_parameter has no parameter options")
    options = "".join(f"            - {key}\n" for key in keys)
    return PARAMETER_OPTIONS.sub(lambda m: m.group(1) + options, text, count=1)


def _icon(entries: dict[str, dict[str, Any] | None], key: str, icon: dict[str, Any] | None) -> None:
    """One icon per translation key: also a declaration without one (its device class's)."""
    if key in entries and entries[key] != icon:
        raise SystemExit(f"icons.json: {key} has two icons: {entries[key]} and {icon}")
    entries[key] = icon


def icons() -> dict[str, dict[str, Any]]:
    """The "entity" part of icons.json, by platform and translation key."""
    found: dict[str, dict[str, dict[str, Any] | None]] = {}
    for quirk in QUIRKS:
        for decl in quirk.entities:
            entries = found.setdefault(decl.platform.value, {})
            keys = [decl.translation_key]
            if isinstance(decl, CapacityDecl) and decl.period_translation_key:
                keys.append(decl.period_translation_key)
            for key in keys:
                _icon(entries, key, None if decl.icon is None else {"default": decl.icon})
        for param in quirk.parameters:
            if param.platform is None:
                continue
            icon = None if param.icon is None else {"default": param.icon}
            _icon(found.setdefault(param.platform.value, {}), param.key, icon)
            if param.switch_key is not None:
                switch = None if icon is None else {**icon, "state": {"off": SWITCH_OFF_ICON}}
                _icon(found.setdefault("switch", {}), f"{param.key}_enabled", switch)
    return {
        platform: {key: icon for key, icon in sorted(entries.items()) if icon is not None}
        for platform, entries in sorted(found.items())
        if any(icon is not None for icon in entries.values())
    }


def icons_file(text: str) -> str:
    """icons.json with its "entity" part written anew."""
    data = json.loads(text)
    data["entity"] = icons()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the derived files, or with --check tell whether they are current."""
    stale = []
    for path, write in (
        (README, render),
        (SIMULATOR_README, simulator_readme),
        (SERVICES, services_file),
        (ICONS, icons_file),
    ):
        current = path.read_text(encoding="utf-8")
        wanted = write(current)
        if wanted == current:
            continue
        stale.append(path.relative_to(ROOT))
        if "--check" not in sys.argv[1:]:
            path.write_text(wanted, encoding="utf-8")
    if stale and "--check" in sys.argv[1:]:
        print(f"not current: {', '.join(map(str, stale))}: run scripts/derive.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
