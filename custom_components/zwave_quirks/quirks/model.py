"""Declarations that quirk modules are written in.

A quirk is data: a fingerprint, entity declarations and configuration
parameters. Every declaration is checked when it is built, so a mistake in a
quirk module fails at import time (and in the test suite), never in a user's
Home Assistant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import EntityCategory, Platform

from ..capacity import CapacityReading
from .codecs import SIZES, on_step, parse_version, raw_range

# an icon of the Material Design Icons that Home Assistant's frontend ships
ICON = re.compile(r"mdi:[a-z0-9]+(?:-[a-z0-9]+)*")
# a parameter's switch while its function is off
SWITCH_OFF_ICON = "mdi:bell-off-outline"


class QuirkError(ValueError):
    """A quirk declaration is inconsistent."""


def pick_name(names: Mapping[str, str], language: str) -> str | None:
    """A user quirk's name in the language, else English, else the first; None if none."""
    if not names:
        return None
    base = language.split("-", 1)[0]
    for wanted in (language, base, "en"):
        if wanted in names:
            return names[wanted]
    return next(iter(names.values()))


def _version(text: str | None, what: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    if (parsed := parse_version(text)) is None:
        raise QuirkError(f"{what}: bad firmware version {text!r}")
    return parsed


@dataclass(frozen=True, kw_only=True)
class FirmwareRange:
    """Firmware versions from ``min`` (inclusive) to ``below`` (exclusive)."""

    min: str | None = None
    below: str | None = None

    def __post_init__(self) -> None:
        low, high = _version(self.min, "min"), _version(self.below, "below")
        if low is None and high is None:
            raise QuirkError("a firmware range needs min or below")
        if low is not None and high is not None and low >= high:
            raise QuirkError(f"empty firmware range {self.min}..{self.below}")

    def contains(self, version: tuple[int, ...] | None) -> bool:
        """Return whether a parsed version lies in the range; unknown never does."""
        if version is None:
            return False
        low, high = _version(self.min, "min"), _version(self.below, "below")
        return (low is None or version >= low) and (high is None or version < high)

    def overlaps(self, other: FirmwareRange) -> bool:
        """Return whether some version lies in both ranges."""
        lows = [v for v in (_version(self.min, ""), _version(other.min, "")) if v]
        highs = [v for v in (_version(self.below, ""), _version(other.below, "")) if v]
        return not lows or not highs or max(lows) < min(highs)


@dataclass(frozen=True, kw_only=True)
class Fingerprint:
    """What identifies a device: the three ids of Manufacturer Specific CC."""

    manufacturer_id: int
    product_type: int
    product_id: int
    manufacturer: str
    model: str
    firmware: FirmwareRange | None = None
    # a note for the generated list of supported devices (English); not part of the identity
    doc: str = field(default="", compare=False)

    @property
    def ids(self) -> tuple[int, int, int]:
        """The id triple."""
        return (self.manufacturer_id, self.product_type, self.product_id)

    def matches(
        self, ids: tuple[int | None, int | None, int | None], version: tuple[int, ...] | None
    ) -> bool:
        """Return whether a node with these ids and firmware is this device."""
        if ids != self.ids:
            return False
        return self.firmware is None or self.firmware.contains(version)


@dataclass(frozen=True, kw_only=True)
class When:
    """Condition for a declaration variant: device and/or firmware range."""

    fingerprints: tuple[Fingerprint, ...] = ()
    firmware: FirmwareRange | None = None

    def __post_init__(self) -> None:
        if not self.fingerprints and self.firmware is None:
            raise QuirkError("a condition needs fingerprints or a firmware range")

    def matches(self, fingerprint: Fingerprint, version: tuple[int, ...] | None) -> bool:
        """Return whether the condition holds for a matched device."""
        if self.fingerprints and fingerprint not in self.fingerprints:
            return False
        return self.firmware is None or self.firmware.contains(version)

    def overlaps(self, other: When, all_fingerprints: Sequence[Fingerprint]) -> bool:
        """Return whether some device and firmware satisfy both conditions."""
        mine = set(self.fingerprints or all_fingerprints)
        theirs = set(other.fingerprints or all_fingerprints)
        if not mine & theirs:
            return False
        if self.firmware is None or other.firmware is None:
            return True
        return self.firmware.overlaps(other.firmware)


@dataclass(frozen=True, kw_only=True)
class ValueRef:
    """A Z-Wave JS value: command class, property, property key, endpoint."""

    command_class: int
    property: str | int
    property_key: str | int | None = None
    endpoint: int = 0

    def value_id(self, node_id: int) -> str:
        """The value id as Z-Wave JS server spells it."""
        base = f"{node_id}-{self.command_class}-{self.endpoint}-{self.property}"
        return base if self.property_key is None else f"{base}-{self.property_key}"


# --- Entities ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EntityDecl:
    """Fields every declared entity has."""

    platform: ClassVar[Platform]
    key: str
    translation_key: str
    # a user quirk's names by language (no translation files): they replace the key's
    names: Mapping[str, str] = field(default_factory=dict)
    entity_category: EntityCategory | None = None
    enabled_by_default: bool = True
    when: When | None = None
    # a note for the generated documentation (English)
    doc: str = ""
    # the entity's icon ("mdi:..."); None: Home Assistant's for its device class. The
    # shipped quirks' icons are written to icons.json (scripts/derive.py)
    icon: str | None = None

    @property
    def values(self) -> tuple[ValueRef, ...]:
        """The values the entity reads."""
        return ()


@dataclass(frozen=True, kw_only=True)
class SwitchDecl(EntityDecl):
    """An on/off value with a separate target value."""

    platform: ClassVar[Platform] = Platform.SWITCH
    current: ValueRef
    target: ValueRef
    # values read again READ_AFTER_SWITCH after the switch changes, e.g. the
    # power a load draws once the relay has closed (one read per change)
    reads_after: tuple[ValueRef, ...] = ()

    @property
    def values(self) -> tuple[ValueRef, ...]:
        """The values the entity reads."""
        return (self.current,)


@dataclass(frozen=True, kw_only=True)
class PowerLimit:
    """The largest power a meter can physically carry, for the total guard.

    A rise of an energy total that implies more average power than this since
    the last accepted reading is held back as a spike. ``scaled_by`` names a
    parameter whose value, when above 0, multiplies the device's meter values
    (and so the limit): e.g. a HAN reader's scaling factor for large
    installations.
    """

    watts: float
    scaled_by: ValueRef | None = None

    def __post_init__(self) -> None:
        if not self.watts > 0:
            raise QuirkError(f"a power limit must be above 0 W, not {self.watts}")


@dataclass(frozen=True, kw_only=True)
class SensorDecl(EntityDecl):
    """A sensor of one value, or of several combined by ``convert``."""

    platform: ClassVar[Platform] = Platform.SENSOR
    sources: tuple[ValueRef, ...]
    device_class: SensorDeviceClass | None = None
    state_class: SensorStateClass | None = None
    unit: str | None = None
    display_precision: int | None = None
    # a pure function of the source values; None: the single value as it is
    convert: Callable[[Sequence[Any]], Any] | None = None
    # the sources are alternative encodings of one reading: the one the node
    # reported last is shown; until it reports, the first one it has (so list
    # them in order of precedence)
    alternatives: bool = False
    # only create the entity once the node has one of the sources (e.g. export energy)
    optional: bool = False
    # values the device sends when it has no reading (shown as unknown)
    no_reading: tuple[float, ...] = ()
    # for a total: the meter's largest power, which makes a rise a spike
    max_power: PowerLimit | None = None
    # for a total: the same meter's power readings (W), which give the energy of
    # the time before a new level (a reset, a replaced meter)
    power: ValueRef | None = None
    # the value identifies a household (e.g. a meter serial): redacted in diagnostics
    private: bool = False

    def __post_init__(self) -> None:
        if not self.sources:
            raise QuirkError(f"{self.key}: a sensor needs a source value")
        if self.alternatives and (len(self.sources) < 2 or self.convert is not None):
            raise QuirkError(f"{self.key}: alternatives are several sources without convert")
        if len(self.sources) > 1 and self.convert is None and not self.alternatives:
            raise QuirkError(f"{self.key}: several sources need a convert function")
        if self.guard_total and self.max_power is None:
            raise QuirkError(f"{self.key}: a growing total needs the meter's max_power")
        if self.max_power is not None and not self.guard_total:
            raise QuirkError(f"{self.key}: max_power only applies to a growing total")
        if self.power is not None and not self.guard_total:
            raise QuirkError(f"{self.key}: power only applies to a growing total")
        if self.guard_total and self.convert is not None:
            raise QuirkError(f"{self.key}: a growing total is one value (or alternatives)")

    @property
    def values(self) -> tuple[ValueRef, ...]:
        """The values the entity reads."""
        return self.sources

    @property
    def guard_total(self) -> bool:
        """Whether the readings of this total go through the total guard."""
        return self.state_class is SensorStateClass.TOTAL_INCREASING


@dataclass(frozen=True, kw_only=True)
class ButtonDecl(EntityDecl):
    """A button that calls a command class API method of the node."""

    platform: ClassVar[Platform] = Platform.BUTTON
    command_class: int
    method: str
    args: tuple[Any, ...] = ()
    # refresh these command classes' values afterwards
    refresh: tuple[int, ...] = ()
    # the press starts new totals on the node's total_increasing meters
    resets_totals: bool = False


@dataclass(frozen=True, kw_only=True)
class EventDecl(EntityDecl):
    """An event entity fired by value notifications of one value."""

    platform: ClassVar[Platform] = Platform.EVENT
    source: ValueRef
    event_type: str
    # the notified value is passed in the event under this name
    attribute: str

    @property
    def values(self) -> tuple[ValueRef, ...]:
        """The values the entity reads."""
        return (self.source,)


@dataclass(frozen=True, kw_only=True)
class CapacityDecl(EntityDecl):
    """A capacity-tariff sensor, derived from the node's import total and power.

    The capacity tracker (capacity.py) of the node follows the readings that
    the guard of the total sensor ``total`` (a declaration key of the quirk)
    accepts, and the power value ``power`` (W) in between; ``reading`` is what
    the sensor shows. Every CapacityDecl of a quirk shares the one tracker.
    ``period_translation_key`` names the sensor when the period is not an hour.
    """

    platform: ClassVar[Platform] = Platform.SENSOR
    reading: CapacityReading
    total: str
    power: ValueRef
    device_class: SensorDeviceClass | None = None
    state_class: SensorStateClass | None = None
    unit: str | None = None
    display_precision: int | None = None
    period_translation_key: str | None = None


# --- Configuration parameters ----------------------------------------------

CONFIGURATION_CC = 0x70


@dataclass(frozen=True, kw_only=True)
class ConfigParam:
    """A configuration parameter, in raw device units.

    Display value = raw / scale. A parameter with ``options`` is a select, one
    without is a number from ``min`` to ``max`` in steps of ``step`` (raw).
    A read-only parameter is never written and gets no entity of its own.

    ``off`` is a raw value outside ``min``..``max`` that turns the function
    off (typically 0 = disabled). The number accepts and shows it as it is,
    and such a parameter also gets a switch: off writes ``off``, on writes
    back the last working value, or ``on_value`` (default: ``default``) when
    none is known.
    """

    number: int
    size: int
    key: str
    default: int
    min: int | None = None
    max: int | None = None
    step: int = 1
    scale: int = 1
    signed: bool = False
    unit: str | None = None
    device_class: NumberDeviceClass | None = None
    options: Mapping[int, str] = field(default_factory=dict)
    read_only: bool = False
    off: int | None = None
    on_value: int | None = None
    # the value identifies a household (e.g. a meter serial): redacted in diagnostics
    private: bool = False
    when: When | None = None
    enabled_by_default: bool = True
    entity_category: EntityCategory = EntityCategory.CONFIG
    # a note for the generated documentation (English)
    doc: str = ""
    # the icon of its number or select, and of its switch while on (SWITCH_OFF_ICON while off)
    icon: str | None = None
    # a user quirk's names by language: the entity's, its options' (by option key) and
    # the name of the switch of a parameter with an off value
    names: Mapping[str, str] = field(default_factory=dict)
    option_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    switch_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"parameter {self.number} ({self.key})"
        if self.size not in SIZES:
            raise QuirkError(f"{where}: size {self.size} is not 1, 2 or 4")
        low, high = raw_range(self.size, self.signed)
        if self.options:
            if self.min is not None or self.max is not None:
                raise QuirkError(f"{where}: options and a range exclude each other")
            values = list(self.options)
            if len(set(self.options.values())) != len(values):
                raise QuirkError(f"{where}: option keys are not unique")
        else:
            if self.min is None or self.max is None:
                raise QuirkError(f"{where}: a number needs min and max")
            if self.min > self.max:
                raise QuirkError(f"{where}: min {self.min} > max {self.max}")
            if self.step < 1 or not on_step(self.max, self.min, self.step):
                raise QuirkError(f"{where}: step {self.step} does not fit the range")
            values = [self.min, self.max]
        if self.off is not None:
            if self.options or self.read_only:
                raise QuirkError(f"{where}: only a writable number can have an off value")
            if self.min is not None and self.max is not None and self.min <= self.off <= self.max:
                raise QuirkError(f"{where}: off value {self.off} lies in the working range")
            values = [*values, self.off]
            if not self.is_working(self.resume_value):
                raise QuirkError(f"{where}: switching on needs a working on_value")
        elif self.on_value is not None:
            raise QuirkError(f"{where}: on_value without an off value")
        for value in values:
            if not low <= value <= high:
                raise QuirkError(
                    f"{where}: {value} does not fit {self.size} "
                    f"{'signed' if self.signed else 'unsigned'} byte(s)"
                )
        if self.scale < 1:
            raise QuirkError(f"{where}: scale must be a positive integer")
        if not self.read_only and not self.accepts(self.default):
            raise QuirkError(f"{where}: default {self.default} is not allowed")

    @property
    def platform(self) -> Platform | None:
        """The platform of the parameter's entity; None when it has none."""
        if self.read_only:
            return None
        return Platform.SELECT if self.options else Platform.NUMBER

    @property
    def entity_key(self) -> str:
        """Stable key of the entity: the parameter number, not its variant."""
        return f"config_{self.number}"

    @property
    def switch_key(self) -> str | None:
        """Stable key of the switch of a parameter that can be turned off."""
        return None if self.off is None else f"{self.entity_key}_enabled"

    @property
    def value(self) -> ValueRef:
        """The Z-Wave JS value of the parameter."""
        return ValueRef(command_class=CONFIGURATION_CC, property=self.number)

    @property
    def span(self) -> tuple[int, int]:
        """The lowest and highest raw value a number can be set to, off included."""
        assert self.min is not None and self.max is not None
        if self.off is None:
            return self.min, self.max
        return min(self.min, self.off), max(self.max, self.off)

    @property
    def resume_value(self) -> int:
        """The raw value a switch turns the function on with, lacking a better one."""
        return self.default if self.on_value is None else self.on_value

    def is_working(self, raw: int) -> bool:
        """Return whether a raw value lies on the working range (not off)."""
        if self.min is None or self.max is None:
            return False
        return self.min <= raw <= self.max and on_step(raw, self.min, self.step)

    def accepts(self, raw: int) -> bool:
        """Return whether the device accepts this raw value."""
        if self.read_only:
            return False
        if self.options:
            return raw in self.options
        return raw == self.off or self.is_working(raw)


@dataclass(frozen=True, kw_only=True)
class Quirk:
    """One device family: its fingerprints, entities and parameters."""

    key: str
    fingerprints: tuple[Fingerprint, ...]
    entities: tuple[EntityDecl, ...] = ()
    parameters: tuple[ConfigParam, ...] = ()
    # what the devices are, for the generated documentation ("smart plug")
    description: str = ""

    def __post_init__(self) -> None:
        if not self.fingerprints:
            raise QuirkError(f"{self.key}: no fingerprint")
        icons = [(e.key, e.icon) for e in self.entities] + [
            (p.key, p.icon) for p in self.parameters
        ]
        for key, icon in icons:
            if icon is not None and not ICON.fullmatch(icon):
                raise QuirkError(f"{self.key}: {key}: icon {icon!r} is not mdi:<name>")
        ids = [fp.ids for fp in self.fingerprints]
        if len(set(ids)) != len(ids) and any(fp.firmware is None for fp in self.fingerprints):
            raise QuirkError(f"{self.key}: duplicate fingerprint")
        parameter_keys = {p.entity_key for p in self.parameters} | {
            p.switch_key for p in self.parameters if p.switch_key is not None
        }
        if clash := {e.key for e in self.entities} & parameter_keys:
            raise QuirkError(f"{self.key}: entity keys {sorted(clash)} used twice")
        names: dict[str, int] = {}
        for param in self.parameters:
            if names.setdefault(param.key, param.number) != param.number:
                raise QuirkError(f"{self.key}: parameter key {param.key} used twice")
        self._check_capacity()
        self._check_variants([(e.key, e.when) for e in self.entities], "entity")
        self._check_variants([(str(p.number), p.when) for p in self.parameters], "parameter")
        for cond in [e.when for e in self.entities] + [p.when for p in self.parameters]:
            if cond and any(fp not in self.fingerprints for fp in cond.fingerprints):
                raise QuirkError(f"{self.key}: a condition names a foreign fingerprint")

    def _check_capacity(self) -> None:
        """Capacity sensors follow one guarded total of the quirk, and one power value."""
        decls = [e for e in self.entities if isinstance(e, CapacityDecl)]
        if not decls:
            return
        if len({(d.total, d.power) for d in decls}) > 1:
            raise QuirkError(f"{self.key}: capacity sensors follow different meters")
        if len({d.reading for d in decls}) < len(decls):
            raise QuirkError(f"{self.key}: a capacity reading is declared twice")
        total = decls[0].total
        if not any(
            isinstance(e, SensorDecl) and e.key == total and e.guard_total for e in self.entities
        ):
            raise QuirkError(f"{self.key}: capacity sensors need the guarded total {total}")

    def _check_variants(self, items: list[tuple[str, When | None]], what: str) -> None:
        by_key: dict[str, list[When | None]] = {}
        for key, when in items:
            by_key.setdefault(key, []).append(when)
        for key, conds in by_key.items():
            if conds.count(None) > 1:
                raise QuirkError(f"{self.key}: {what} {key} has two default variants")
            conditional = [c for c in conds if c is not None]
            for i, first in enumerate(conditional):
                for second in conditional[i + 1 :]:
                    if first.overlaps(second, self.fingerprints):
                        raise QuirkError(
                            f"{self.key}: two variants of {what} {key} match "
                            "the same device and firmware"
                        )

    def match(
        self, ids: tuple[int | None, int | None, int | None], version: tuple[int, ...] | None
    ) -> Fingerprint | None:
        """Return the fingerprint a node matches, if any."""
        return next((fp for fp in self.fingerprints if fp.matches(ids, version)), None)

    def resolve(self, fingerprint: Fingerprint, version: tuple[int, ...] | None) -> ResolvedQuirk:
        """Pick the declaration variants that apply to a device and firmware.

        A conditional variant that matches wins over the default variant;
        an unknown firmware version matches no firmware condition.
        """

        def pick[T: EntityDecl | ConfigParam](
            items: Sequence[T], key: Callable[[T], str]
        ) -> list[T]:
            chosen: dict[str, T] = {}
            for item in items:
                if item.when is None:
                    chosen.setdefault(key(item), item)
            for item in items:
                if item.when is not None and item.when.matches(fingerprint, version):
                    chosen[key(item)] = item
            return list(chosen.values())

        return ResolvedQuirk(
            quirk=self,
            fingerprint=fingerprint,
            entities=tuple(pick(self.entities, lambda e: e.key)),
            parameters=tuple(pick(self.parameters, lambda p: str(p.number))),
        )


@dataclass(frozen=True, kw_only=True)
class ResolvedQuirk:
    """What applies to one device: the quirk with its variants chosen."""

    quirk: Quirk
    fingerprint: Fingerprint
    entities: tuple[EntityDecl, ...]
    parameters: tuple[ConfigParam, ...]

    @property
    def entity_keys(self) -> set[str]:
        """The keys of every entity the device may have."""
        keys = {item.key for item in self.entities}
        for param in self.parameters:
            if param.platform is not None:
                keys.add(param.entity_key)
            if param.switch_key is not None:
                keys.add(param.switch_key)
        return keys

    @property
    def platform_keys(self) -> set[tuple[str, str]]:
        """(platform, key) of every entity the device may have."""
        keys = {(item.platform.value, item.key) for item in self.entities}
        for param in self.parameters:
            if param.platform is not None:
                keys.add((param.platform.value, param.entity_key))
            if param.switch_key is not None:
                keys.add((Platform.SWITCH.value, param.switch_key))
        return keys

    def declared[T: EntityDecl](self, kind: type[T]) -> list[T]:
        """The entity declarations of one kind."""
        return [item for item in self.entities if isinstance(item, kind)]

    def parameters_on(self, platform: Platform) -> list[ConfigParam]:
        """The parameters whose entity lives on a platform."""
        return [param for param in self.parameters if param.platform is platform]

    def parameter(self, number: int) -> ConfigParam | None:
        """The variant of a parameter that applies, if the device has it."""
        return next((p for p in self.parameters if p.number == number), None)

    def variant_of(self, item: EntityDecl | ConfigParam) -> str:
        """Describe which variant was chosen, for diagnostics."""
        if item.when is None:
            return "default"
        parts = [fp.model for fp in item.when.fingerprints]
        if (fw := item.when.firmware) is not None:
            parts.append(f"firmware {fw.min or ''}..{fw.below or ''}")
        return ", ".join(parts)


# --- Z-Wave JS value conventions ---------------------------------------------


METER_CC = 0x32
ELECTRIC_METER = 1
RATE_CONSUMED = 1
RATE_PRODUCED = 2


def electric_meter(scale: int, rate_type: int = RATE_CONSUMED) -> ValueRef:
    """The value of an electric meter scale (Z-Wave JS's property key layout)."""
    return ValueRef(
        command_class=METER_CC,
        property="value",
        property_key=(ELECTRIC_METER << 16) | (scale << 8) | rate_type,
    )
