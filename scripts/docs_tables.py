"""Write the entity and parameter tables of README.md from the quirk declarations.

Usage: .venv/bin/python scripts/docs_tables.py [--check]

Each quirk's tables stand between the markers
<!-- tables:QUIRK_KEY --> and <!-- /tables:QUIRK_KEY --> in README.md; the rest
of the README is written by hand. Names are the English translations, as a
user sees them. --check exits 1 when README.md is not current (the test suite
runs it).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from custom_components.zwave_quirks.quirks.codecs import raw_to_display  # noqa: E402
from custom_components.zwave_quirks.quirks.model import (  # noqa: E402
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
MINUS, DASH, TIMES = "\u2212", "\u2013", "\u00d7"
EN = json.loads(
    (ROOT / "custom_components/zwave_quirks/translations/en.json").read_text(encoding="utf-8")
)["entity"]


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


def render(text: str) -> str:
    """The README with every quirk's tables written anew."""
    for quirk in QUIRKS:
        start, end = f"<!-- tables:{quirk.key} -->", f"<!-- /tables:{quirk.key} -->"
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no {start} ... {end} markers")
        written = f"{start}\n{tables(quirk)}\n{end}"
        text = pattern.sub(lambda _, written=written: written, text)
    return text


def main() -> int:
    """Write README.md, or with --check tell whether it is current."""
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in sys.argv[1:]:
        if wanted != current:
            print("README.md tables are not current: run scripts/docs_tables.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
