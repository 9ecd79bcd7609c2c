"""Button entities declared by quirks."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .binding import NodeBinding
from .connection import ZwaveQuirksConfigEntry
from .const import LOGGER
from .entity import QuirkEntity, async_setup_platform, naming
from .quirks.model import ButtonDecl

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ZwaveQuirksConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of every supported node."""
    async_setup_platform(
        entry,
        Platform.BUTTON,
        async_add_entities,
        lambda binding: (QuirkButton(binding, d) for d in binding.resolved.declared(ButtonDecl)),
    )


class QuirkButton(QuirkEntity, ButtonEntity):
    """Calls a command of the node once per press."""

    def __init__(self, binding: NodeBinding, decl: ButtonDecl) -> None:
        """Initialize."""
        super().__init__(binding, decl.key, ())
        self.decl = decl
        self.entity_description = ButtonEntityDescription(
            key=decl.key,
            **naming(decl.translation_key, decl.names, binding.hass.config.language, decl.icon),
            entity_category=decl.entity_category,
            entity_registry_enabled_default=decl.enabled_by_default,
        )

    async def async_press(self) -> None:
        """Send the command once, then refresh the values it changed."""
        if self.decl.resets_totals:
            # a reading just before the reset: the energy since the last report counts
            for command_class in self.decl.refresh:
                try:
                    await self.binding.async_refresh(command_class)
                except HomeAssistantError as err:
                    LOGGER.debug("%s: reading the values first failed: %s", self.entity_id, err)
            # arm the guards before the command: the device may report 0 before it returns
            self.binding.totals_reset()
        try:
            await self.binding.async_invoke(
                self.decl.command_class, self.decl.method, *self.decl.args, name=self.shown_name
            )
        except HomeAssistantError:
            if self.decl.resets_totals:
                self.binding.totals_reset(expected=False)
            raise
        # the command succeeded: failing to read the new values is no failure of the press
        for command_class in self.decl.refresh:
            try:
                await self.binding.async_refresh(command_class)
            except HomeAssistantError as err:
                LOGGER.warning("%s: reading the values again failed: %s", self.entity_id, err)
