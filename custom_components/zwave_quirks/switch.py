"""Switch entities declared by quirks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import DOMAIN
from .entity import ParameterEntity, QuirkEntity, async_setup_platform, naming
from .quirks.model import SWITCH_OFF_ICON, ConfigParam, SwitchDecl
from .validation import device_raw, display_number

PARALLEL_UPDATES = 0
# after a switch changes, its declared values are read again this much later (s)
READ_AFTER_SWITCH = 3.0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every supported node."""
    async_setup_platform(entry, Platform.SWITCH, async_add_entities, _entities)


def _entities(binding: NodeBinding) -> Iterator[QuirkEntity]:
    for decl in binding.resolved.declared(SwitchDecl):
        yield QuirkSwitch(binding, decl)
    for param in binding.resolved.parameters_on(Platform.NUMBER):
        if param.off is not None:
            yield ParameterSwitch(binding, param)


class QuirkSwitch(QuirkEntity, SwitchEntity):
    """An on/off value of a node."""

    def __init__(self, binding: NodeBinding, decl: SwitchDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, decl.values)
        self.decl = decl
        self._unread: Callable[[], None] | None = None
        self.entity_description = SwitchEntityDescription(
            key=decl.key,
            **naming(decl.translation_key, decl.names, binding.hass.config.language, decl.icon),
            entity_category=decl.entity_category,
            entity_registry_enabled_default=decl.enabled_by_default,
        )

    @callback
    def _update_from_node(self, reading: bool) -> None:
        value = self.binding.value(self.decl.current)
        if value is not None and not isinstance(value, bool):
            self._warn_once("unexpected switch value %r", value)
            value = None
        elif value is not None:
            self._warned = False
        self._attr_is_on = value

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the switch on."""
        await self.binding.async_set_value(self.decl.target, True, self.shown_name)
        self._read_after()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the switch off."""
        await self.binding.async_set_value(self.decl.target, False, self.shown_name)
        self._read_after()

    @callback
    def _read_after(self) -> None:
        """Read the declared values again shortly (one read for changes close together)."""
        if not self.decl.reads_after:
            return
        if self._unread is not None:
            self._unread()

        @callback
        def read(_now: datetime) -> None:
            self._unread = None
            for ref in self.decl.reads_after:
                if self.binding.available and self.binding.has_value(ref):
                    self.hass.async_create_task(
                        self.binding.async_poll(ref), f"{DOMAIN} read {ref}", eager_start=True
                    )

        self._unread = async_call_later(self.hass, READ_AFTER_SWITCH, read)

    async def async_will_remove_from_hass(self) -> None:
        """Cancel a read still to come."""
        if self._unread is not None:
            self._unread()
            self._unread = None
        await super().async_will_remove_from_hass()


@dataclass(frozen=True)
class ResumeData(ExtraStoredData):
    """The working value a parameter switch turns its function back on with."""

    raw: int | None

    def as_dict(self) -> dict[str, Any]:
        """Return the data to store."""
        return {"raw": self.raw}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Restore stored data; anything but an integer is forgotten."""
        raw = data.get("raw")
        return cls(raw if isinstance(raw, int) and not isinstance(raw, bool) else None)


class ParameterSwitch(ParameterEntity, SwitchEntity, RestoreEntity):
    """Turns the function of a parameter with an off value (0 = disabled) on and off.

    Off writes the off value. On writes back the last working value the device
    reported (kept across restarts), or the quirk's value for switching on.
    """

    def __init__(self, binding: NodeBinding, param: ConfigParam) -> None:
        """Initialize."""
        assert param.switch_key is not None
        super().__init__(binding, param, param.switch_key)
        self._resume: int | None = None
        self.entity_description = SwitchEntityDescription(
            key=param.switch_key,
            **naming(
                f"{param.key}_enabled", param.switch_names, binding.hass.config.language, param.icon
            ),
            entity_category=param.entity_category,
            entity_registry_enabled_default=param.enabled_by_default,
        )

    @property
    def icon(self) -> str | None:
        """A user quirk's icon; while off, a bell's (icons.json does this for the shipped)."""
        if (icon := super().icon) is not None and self.is_on is False:
            return SWITCH_OFF_ICON
        return icon

    @property
    def extra_restore_state_data(self) -> ResumeData:
        """Remember the working value across restarts."""
        return ResumeData(self._resume)

    async def async_added_to_hass(self) -> None:
        """Restore the working value, then follow the node."""
        if (last := await self.async_get_last_extra_data()) is not None:
            raw = ResumeData.from_dict(last.as_dict()).raw
            if raw is not None and self.param.is_working(raw):
                self._resume = raw
        await super().async_added_to_hass()

    @callback
    def _update_from_node(self, reading: bool) -> None:
        raw = device_raw(self.param, self.binding.value(self.param.value))
        if raw is not None and raw == self.param.off:
            self._attr_is_on = False
            return
        # the number entity warns about unexpected values
        self._attr_is_on = None if display_number(self.param, raw) is None else True
        if raw is not None and self.param.is_working(raw):
            self._resume = raw

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the function on with the last working value."""
        await self._async_write(self.param.resume_value if self._resume is None else self._resume)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the function off."""
        assert self.param.off is not None
        await self._async_write(self.param.off)
