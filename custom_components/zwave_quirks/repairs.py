"""Fix flows: put away core's duplicates the user picks; decide a meter's jump."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import probatio as vol
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN
from .neighbour import CoreNeighbour
from .readings import JUMP_ISSUE, NodeReadings

CONF_ENTITIES = "entities"
# where an entity is used, in the translations' "selector" category
USES = "core_entity_use"
# the form's description names this many devices at most
MAX_DEVICE_NAMES = 10


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix flow of an issue of ours: a meter's jump, or the superseded entities."""
    data = data or {}
    if issue_id.startswith(f"{JUMP_ISSUE}_"):
        return EnergyJumpFlow(
            str(data.get("entry_id", "")),
            int(data.get("node_id", 0)),
            str(data.get("key", "")),
            data.get("at"),
        )
    return SupersededEntitiesFlow(str(data.get("entry_id", "")))


async def entity_uses(hass: HomeAssistant, entity_ids: list[str]) -> dict[str, list[str]]:
    """Where each entity is used: automations and scripts by name, the energy dashboard."""
    # imported here: only the fix flow needs them, and they load their platforms' code
    from homeassistant.components.automation import (  # noqa: PLC0415
        automations_with_entity,
    )
    from homeassistant.components.script import scripts_with_entity  # noqa: PLC0415

    # the labels are built here, so in Home Assistant's language, not the user's
    words = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])

    def word(key: str) -> str:
        return words.get(f"component.{DOMAIN}.selector.{USES}.options.{key}", key)

    # the dashboard's preferences, whether or not the energy integration is loaded yet
    from homeassistant.components.energy.data import async_get_manager  # noqa: PLC0415

    in_energy = set(_strings((await async_get_manager(hass)).data))

    def name(entity_id: str) -> str:
        state = hass.states.get(entity_id)
        return f"“{state.name}”" if state is not None else entity_id

    uses: dict[str, list[str]] = {}
    for entity_id in entity_ids:
        automations = automations_with_entity(hass, entity_id)
        found = [f"{word('automation')} {name(i)}" for i in automations]
        found += [f"{word('script')} {name(i)}" for i in scripts_with_entity(hass, entity_id)]
        if entity_id in in_energy:
            found.append(word("energy"))
        uses[entity_id] = found
    return uses


def _strings(data: Any) -> Iterator[str]:
    """Every string in nested preferences (the energy dashboard's statistic ids)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _strings(value)


class SupersededEntitiesFlow(RepairsFlow):
    """Lists core's superseded entities; disables the ones picked."""

    def __init__(self, entry_id: str) -> None:
        """Initialize."""
        self.entry_id = entry_id
        # the entities the form showed: entity id -> registry id
        self._shown: dict[str, str] = {}

    def _neighbour(self) -> CoreNeighbour | None:
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
            return None
        neighbour: CoreNeighbour = entry.runtime_data.neighbour
        return neighbour

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start; the repairs manager passes the issue id as input here, so this only forwards."""
        return await self.async_step_entities()

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Show the entities, those used elsewhere not preselected; disable the picked ones."""
        if (neighbour := self._neighbour()) is None:
            return self.async_abort(reason="not_loaded")
        entities = neighbour.superseded()
        if not entities:
            return self.async_abort(reason="nothing_left")
        if user_input is not None and self._shown:
            # what the form showed, by registry id (stable if an entity is renamed
            # meanwhile); anything else is neither put away nor kept
            shown = self._shown
            picked = {shown[i] for i in user_input.get(CONF_ENTITIES, ()) if i in shown}
            neighbour.async_put_away(picked, set(shown.values()) - picked)
            return self.async_create_entry(data={})
        uses = await entity_uses(self.hass, [entity.entity_id for entity in entities])
        devices = dr.async_get(self.hass)
        options = []
        names = set()
        for entity in entities:
            if (device := devices.async_get(entity.device_id or "")) is not None:
                names.add(device.name_by_user or device.name or device.id)
            label = _entity_label(self.hass, entity)
            if used := uses[entity.entity_id]:
                label += f" — {', '.join(used)}"
            options.append(SelectOptionDict(value=entity.entity_id, label=label))
        options.sort(key=lambda option: option["label"].casefold())
        self._shown = {entity.entity_id: entity.id for entity in entities}
        # ticked in the form, but a submission without the field disables nothing
        preselected = [e.entity_id for e in entities if not uses[e.entity_id]]
        schema = vol.Schema(
            {
                vol.Optional(CONF_ENTITIES): SelectSelector(
                    SelectSelectorConfig(
                        options=options, multiple=True, mode=SelectSelectorMode.LIST
                    )
                )
            }
        )
        shown_names = sorted(names)
        if len(shown_names) > MAX_DEVICE_NAMES:
            shown_names = [*shown_names[:MAX_DEVICE_NAMES], "…"]
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(schema, {CONF_ENTITIES: preselected}),
            description_placeholders={
                "count": str(len(entities)),
                "devices": ", ".join(shown_names),
            },
        )


def _entity_label(hass: HomeAssistant, entity: er.RegistryEntry) -> str:
    """The entity as the user sees it (its device's name first), and its entity id."""
    state = hass.states.get(entity.entity_id)
    name = state.name if state is not None else entity.original_name or ""
    return f"{name} ({entity.entity_id})".strip()


class EnergyJumpFlow(RepairsFlow):
    """A meter's total jumped up and went on from there; ask whether it was consumption.

    Either answer is applied exactly: "not consumption" keeps the total as it
    is; "consumption" adds the jump, less what the time before it got.
    """

    def __init__(self, entry_id: str, node_id: int, key: str, at: Any) -> None:
        """Initialize; ``at`` is when the jump asked about came."""
        self.entry_id, self.node_id, self.key, self.at = entry_id, node_id, key, at

    def _readings(self) -> NodeReadings | None:
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
            return None
        binding = entry.runtime_data.bindings.get(self.node_id)
        if binding is None or binding.readings.total(self.key) is None:
            return None
        readings: NodeReadings = binding.readings
        return readings

    def _decide(self, consumption: bool) -> RepairsFlowResult:
        if (readings := self._readings()) is None:
            return self.async_abort(reason="not_loaded")
        guard = readings.total(self.key)
        if guard is None or guard.jump is None or guard.jump.at != self.at:
            # answered meanwhile, or another jump came since the form was shown
            return self.async_abort(reason="decided")
        readings.async_decide_jump(self.key, consumption)
        return self.async_create_entry(data={})

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Offer the two answers, with the numbers they apply."""
        if (readings := self._readings()) is None:
            return self.async_abort(reason="not_loaded")
        if (placeholders := readings.jump_placeholders(self.key)) is None:
            return self.async_abort(reason="decided")
        return self.async_show_menu(
            step_id="init",
            menu_options=["not_consumption", "consumption"],
            description_placeholders=placeholders,
        )

    async def async_step_not_consumption(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """A replaced meter or a reset register: the total stays."""
        return self._decide(consumption=False)

    async def async_step_consumption(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Energy really used: the total gets the jump."""
        return self._decide(consumption=True)
