"""Living beside Home Assistant's own Z-Wave JS integration on the same network.

Most users also run core's ``zwave_js`` against the same server: it is where
they include devices. It makes a device of every node, identified as
``("zwave_js", "<home id>-<node id>")``, with generic entities. Here:

- **Links.** Each of our node devices names core's device of the same node as
  its ``via_device_id`` (our network device names core's controller), so the
  device page shows where it belongs. Without core's device the link falls back
  to our network device. Safe against core's cleanup: since the 2026 device
  registry a device belongs to one config entry, and core removes only devices
  of its own entry (``async_entries_for_config_entry``), so it never removes
  ours; when it removes its device (node removed, entry removed), the registry
  clears the links that named it and we link to our network device again.
- **Superseded entities.** Core's entities on a supported node whose value our
  quirk covers (meters, switch, parameters, scene) duplicate ours. A repair
  issue per network counts them; its fix flow (repairs.py) disables the ones the
  user picks, and the entry's options show them again. Nothing is changed
  without that confirmation; entities of unsupported nodes and core's entities
  of values we do not cover (firmware update, node status, ping) are never
  touched. What the user decided is kept in the entry's options.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer

from . import ids
from .const import DOMAIN, LOGGER
from .quirks.model import (
    CONFIGURATION_CC,
    METER_CC,
    ButtonDecl,
    ResolvedQuirk,
    SwitchDecl,
    ValueRef,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .network import ZwaveNetwork

CORE = "zwave_js"
# entry options: registry ids of core's entities the fix flow disabled, and of
# those the user chose to keep (or showed again); neither is offered again
CONF_CORE_ENTITIES = "core_entities"
PUT_AWAY = "put_away"
KEPT = "kept"
ISSUE = "superseded_entities"
# registry events come in bursts while core sets up: count once they settle
ISSUE_COOLDOWN = 2.0


# core's meter reset button is keyed like a value: "<node>-50-<endpoint>-reset"
CORE_METER_RESET = ValueRef(command_class=METER_CC, property="reset")


type OwnEntity = tuple[Platform, str]


def covered_values(resolved: ResolvedQuirk, node_id: int) -> dict[str, frozenset[OwnEntity]]:
    """The value ids the node's quirk shows, each with its entities (platform and key)."""
    keys: dict[str, set[OwnEntity]] = defaultdict(set)
    for decl in resolved.entities:
        refs = list(decl.values)
        if isinstance(decl, SwitchDecl):
            refs.append(decl.target)
        elif (
            isinstance(decl, ButtonDecl)
            and decl.command_class == METER_CC
            and decl.method == "reset"
        ):
            refs.append(CORE_METER_RESET)
        for ref in refs:
            keys[ref.value_id(node_id)].add((decl.platform, decl.key))
    for param in resolved.parameters:
        own: set[OwnEntity] = set()
        if param.platform is not None:
            own.add((param.platform, param.entity_key))
        if param.switch_key is not None:
            own.add((Platform.SWITCH, param.switch_key))
        if own:
            keys[param.value.value_id(node_id)] |= own
    return {value_id: frozenset(found) for value_id, found in keys.items()}


def covered_by(value_id: str, covered: Mapping[str, frozenset[OwnEntity]]) -> frozenset[OwnEntity]:
    """Our entities that show a core entity's value (a partial parameter by its number)."""
    if value_id in covered:
        return covered[value_id]
    parts = value_id.split("-")
    if len(parts) == 5 and parts[1] == str(CONFIGURATION_CC):
        return covered.get("-".join(parts[:4]), frozenset())
    return frozenset()


def core_value_id(unique_id: str, home_id: int) -> str | None:
    """The value id of a core entity, from its unique id ``<home id>.<value id>``."""
    home, _, value_id = unique_id.partition(".")
    return value_id if home == str(home_id) and value_id.count("-") >= 3 else None


def decisions(options: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The registry ids put away and kept, as the entry's options hold them."""
    stored = options.get(CONF_CORE_ENTITIES)
    if not isinstance(stored, Mapping):
        return set(), set()
    return (
        {i for i in stored.get(PUT_AWAY, ()) if isinstance(i, str)},
        {i for i in stored.get(KEPT, ()) if isinstance(i, str)},
    )


def with_decisions(
    options: Mapping[str, Any], put_away: Iterable[str], kept: Iterable[str]
) -> dict[str, Any]:
    """The entry's options with new decisions."""
    return {**options, CONF_CORE_ENTITIES: {PUT_AWAY: sorted(put_away), KEPT: sorted(kept)}}


class CoreNeighbour:
    """Links our devices to core's and tracks core's superseded entities."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, network: ZwaveNetwork) -> None:
        """Initialize."""
        self.hass = hass
        self.entry = entry
        self.network = network
        self.issue_id = f"{ISSUE}_{entry.entry_id}"
        self._unsubs: list[Callable[[], None]] = []
        self._debouncer = Debouncer(
            hass,
            LOGGER,
            cooldown=ISSUE_COOLDOWN,
            immediate=False,
            function=self.async_update_issue,
            background=True,
        )

    # -- lifecycle -------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Follow core's devices and entities."""
        bus = self.hass.bus
        self._unsubs = [
            bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED,
                self._async_device_event,
                event_filter=self._is_core_device_event,
            ),
            bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED,
                self._async_entity_event,
                event_filter=self._is_entity_event_of_interest,
            ),
        ]
        self.async_relink()
        self.async_schedule_issue()

    @callback
    def async_stop(self) -> None:
        """Stop following; without our entities there is nothing to supersede."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        self._debouncer.async_shutdown()
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)

    # -- links -----------------------------------------------------------------

    def core_device(self, node_id: int) -> dr.DeviceEntry | None:
        """Core's device of a node of this network, if core has made one."""
        registry = dr.async_get(self.hass)
        # core's Z-Wave JS names a node's device as we do
        identifier = (CORE, ids.device_key(self.network.home_id, node_id))
        for core_entry in self.hass.config_entries.async_entries(CORE):
            if device := registry.async_get_device_by_identifier(identifier, core_entry.entry_id):
                return device
        return None

    def via_device_id(self, node_id: int | None) -> str | None:
        """What a device of ours links to: core's device of the node, else our network device.

        ``None`` for our network device itself, which links to core's controller.
        """
        if node_id is None:
            driver = self.network.driver
            own = driver.controller.own_node_id if driver is not None else None
            device = self.core_device(own) if own is not None else None
            return device.id if device is not None else None
        device = self.core_device(node_id)
        return device.id if device is not None else self.network.controller_device_id

    @callback
    def async_relink(self, node_ids: Iterable[int] | None = None) -> None:
        """Bring the links of our devices up to date: all, or those of some nodes."""
        registry = dr.async_get(self.hass)
        network, bindings = self.network, self.network.bindings
        driver = network.driver
        own = driver.controller.own_node_id if driver is not None else None
        devices: list[tuple[str | None, int | None]] = []
        for node_id in bindings if node_ids is None else node_ids:
            if node_id == own:
                devices.append((network.controller_device_id, None))
            elif (binding := bindings.get(node_id)) is not None:
                devices.append((binding.device_id, node_id))
        if node_ids is None:
            devices.append((network.controller_device_id, None))
        for device_id, linked_node in devices:
            device = registry.async_get(device_id) if device_id is not None else None
            if not isinstance(device, dr.DeviceEntry):
                continue
            via = self.via_device_id(linked_node)
            if device.via_device_id != via:
                registry.async_update_device(device.id, via_device_id=via)

    def _core_node_ids(self, data: Mapping[str, Any]) -> list[int]:
        """The nodes of this network that a device registry event of core's is about."""
        identifiers: set[tuple[str, str]] = set()
        if data["action"] == "remove":
            identifiers = set(data["device"].get("identifiers", ()))
        elif data["action"] == "create" or "identifiers" in data.get("changes", {}):
            # core gives a pre-provisioned or orphaned device its node's identifier by update
            device = dr.async_get(self.hass).async_get(data["device_id"])
            identifiers = set(device.identifiers) if device is not None else set()
            identifiers |= set(data.get("changes", {}).get("identifiers", ()))
        return ids.node_ids(self.network.home_id, identifiers, CORE)

    @callback
    def _is_core_device_event(self, data: Mapping[str, Any]) -> bool:
        return bool(self._core_node_ids(data))

    @callback
    def _async_device_event(self, event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        self.async_relink(self._core_node_ids(event.data))
        self.async_schedule_issue()

    @callback
    def _is_entity_event_of_interest(self, data: Mapping[str, Any]) -> bool:
        """Core's or our entity created, changed or removed (any removal: it has no platform)."""
        if data["action"] == "remove":
            return True
        entity = er.async_get(self.hass).async_get(data["entity_id"])
        return entity is not None and entity.platform in (CORE, DOMAIN)

    @callback
    def _async_entity_event(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        self.async_schedule_issue()

    # -- superseded entities ------------------------------------------------------

    def superseded(self, replaced: list[er.RegistryEntry] | None = None) -> list[er.RegistryEntry]:
        """Core's enabled entities that ours replace and no decision covers yet.

        ``replaced``: what ``replaced()`` returned, when the caller has it already.
        """
        put_away, kept = decisions(self.entry.options)
        decided = put_away | kept
        return [
            entity
            for entity in (self.replaced() if replaced is None else replaced)
            if entity.disabled_by is None and entity.id not in decided
        ]

    def replaced(self) -> list[er.RegistryEntry]:
        """Every core entity (enabled or not) whose value an enabled entity of ours shows."""
        registry = er.async_get(self.hass)
        home_id = self.network.home_id
        found = []
        for binding in self.network.bindings.values():
            if (device := self.core_device(binding.node_id)) is None:
                continue
            covered = covered_values(binding.resolved, binding.node_id)
            # 2026.11's Z-Wave JS puts some endpoints' entities on child devices
            devices = (
                device,
                *dr.async_entries_for_parent_device(dr.async_get(self.hass), device.id),
            )
            for entity in (
                entity
                for part in devices
                for entity in er.async_entries_for_device(
                    registry, part.id, include_disabled_entities=True
                )
            ):
                value_id = core_value_id(entity.unique_id, home_id)
                if entity.platform != CORE or value_id is None:
                    continue
                ours = (
                    registry.async_get_entity_id(platform, DOMAIN, binding.unique_id(key))
                    for platform, key in covered_by(value_id, covered)
                )
                if any(
                    (mine := registry.async_get(entity_id)) is not None and not mine.disabled
                    for entity_id in ours
                    if entity_id is not None
                ):
                    found.append(entity)
        return found

    @callback
    def async_schedule_issue(self) -> None:
        """Count the superseded entities again once registry changes settle."""
        self._debouncer.async_schedule_call()

    @callback
    def async_update_issue(self) -> None:
        """Raise the repair issue while core shows entities ours replace; else remove it."""
        entities = self.superseded()
        if not entities:
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            data={"entry_id": self.entry.entry_id},
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE,
            translation_placeholders={
                "title": self.entry.title,
                "count": str(len(entities)),
                "device_count": str(len({self._node_device_id(entity) for entity in entities})),
            },
        )

    def _node_device_id(self, entity: er.RegistryEntry) -> str | None:
        """The node's device of a core entity, also when it is on an endpoint's child device."""
        device = dr.async_get(self.hass).async_get(entity.device_id or "")
        parent = getattr(device, "parent_device_id", None)
        return parent if isinstance(parent, str) else entity.device_id

    @callback
    def async_put_away(self, registry_ids: Iterable[str], keep: Iterable[str]) -> None:
        """Disable core's entities the user picked; remember those the user kept.

        By registry id (stable across renames); only entities ours replace, whatever
        the caller passes.
        """
        registry = er.async_get(self.hass)
        replaced = {entity.id: entity for entity in self.replaced()}
        put_away, kept = decisions(self.entry.options)
        disabled = []
        for registry_id in registry_ids:
            if (entity := replaced.get(registry_id)) is None:
                continue
            registry.async_update_entity(
                entity.entity_id, disabled_by=er.RegistryEntryDisabler.USER
            )
            put_away.add(registry_id)
            kept.discard(registry_id)
            disabled.append(entity.entity_id)
        kept |= {registry_id for registry_id in keep if registry_id in replaced}
        if disabled:
            LOGGER.info(
                "Disabled %s of Z-Wave JS's entities that %s replaces: %s",
                len(disabled),
                self.entry.title,
                ", ".join(sorted(disabled)),
            )
        async_save_decisions(self.hass, self.entry, put_away, kept)
        self.async_schedule_issue()


@callback
def async_show_again(hass: HomeAssistant, entry: ConfigEntry, *, save: bool = True) -> list[str]:
    """Enable the entities put away that are still disabled by that choice; keep them.

    Works whether or not the entry is loaded (``save=False`` for an entry being
    removed); an entity of a disabled Z-Wave JS entry goes back to being disabled
    with its entry. Returns the entity ids enabled.
    """
    registry = er.async_get(hass)
    put_away, kept = decisions(entry.options)
    shown = []
    for registry_id in put_away:
        if (entity := registry.async_get(registry_id)) is None:
            continue
        kept.add(registry_id)
        if entity.disabled_by is not er.RegistryEntryDisabler.USER:
            continue
        core_entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
        if core_entry is not None and core_entry.disabled_by is not None:
            disabled_by: er.RegistryEntryDisabler | None = er.RegistryEntryDisabler.CONFIG_ENTRY
        else:
            disabled_by = None
            shown.append(entity.entity_id)
        registry.async_update_entity(entity.entity_id, disabled_by=disabled_by)
    if shown:
        LOGGER.info("Enabled %s again", ", ".join(sorted(shown)))
    if save:
        async_save_decisions(hass, entry, set(), kept)
    return shown


@callback
def async_save_decisions(
    hass: HomeAssistant, entry: ConfigEntry, put_away: set[str], kept: set[str]
) -> None:
    """Store the decisions; ids of entities gone for good are forgotten.

    An entity core removed for a while (a re-interview, its entry removed) keeps
    its registry id when it comes back, so its decision is kept too.
    """
    registry = er.async_get(hass)
    known = {entity.id for entity in registry.deleted_entities.values()}
    exists = {i for i in put_away | kept if i in known or registry.async_get(i) is not None}
    hass.config_entries.async_update_entry(
        entry, options=with_decisions(entry.options, put_away & exists, kept & exists)
    )
