"""Beside core's Z-Wave JS integration, both connected to the simulated network.

Device links in either setup order, through reloads and removals; the repair
issue of superseded entities, its fix flow and the undo in the options.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.components.energy.data import async_get_manager
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.zwave_quirks.const import CONF_URL, DOMAIN
from custom_components.zwave_quirks.diagnostics import async_get_config_entry_diagnostics
from custom_components.zwave_quirks.neighbour import (
    CORE,
    ISSUE,
    core_value_id,
    covered_by,
    covered_values,
)
from custom_components.zwave_quirks.quirks.registry import find_quirk

from .conftest import NETWORK_NODES, AsyncSim, Simulator, running_simulator
from .helpers import HAN, PLUG, ZEN06

NODES = (PLUG, ZEN06, HAN)
# core's entities of the three nodes that ours replace, by value id (node 0 = each node)
REPLACED = {
    "37-0-currentValue",  # switch (plugs)
    "43-0-sceneId",  # scene event (plugs)
    "50-0-value-65537",  # kWh
    "50-0-value-66049",  # W
    "50-0-value-66561",  # V
    "50-0-value-66817",  # A
    "50-0-reset",  # meter reset button
}
HAN_ONLY = {"49-0-Air temperature", "50-0-value-65793"}  # temperature, export ("kVAh")
# core's entities of a node that stay whatever happens
NOT_REPLACED = ("node_status", "ping", "135-0-identify")


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A network of this module's own: what other tests report to the session's network
    (an export total, say) would give core's Z-Wave JS more entities to count."""
    yield from running_simulator(tmp_path_factory, "zwave-beside-core", nodes=NETWORK_NODES)


@pytest.fixture(autouse=True)
async def unload_core(hass: HomeAssistant) -> AsyncIterator[None]:
    """Core without its firmware update checks (a check the server fails, as offline, sets a
    daily timer, which a reload in flight can leave behind); unloaded after each test.
    """
    with patch(
        "homeassistant.components.zwave_js.update.ZWaveFirmwareUpdateEntity._async_update",
        AsyncMock(),
    ):
        yield
    for entry in hass.config_entries.async_entries(CORE):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def core_entry(sim: AsyncSim) -> MockConfigEntry:
    """Core's Z-Wave JS entry for the simulated network."""
    return MockConfigEntry(
        domain=CORE,
        data={CONF_URL: sim.url, "use_addon": False, "integration_created_addon": False},
        unique_id=str(sim.home_id),
        title="Z-Wave JS",
    )


def our_entry(sim: AsyncSim) -> MockConfigEntry:
    """Our entry for the simulated network."""
    return MockConfigEntry(
        domain=DOMAIN, data={CONF_URL: sim.url}, unique_id=str(sim.home_id), title="Home"
    )


async def setup(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    """Add and set up entries in this order."""
    for entry in entries:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


async def both(hass: HomeAssistant, sim: AsyncSim) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Ours, then core's, set up and settled."""
    ours, core = our_entry(sim), core_entry(sim)
    await setup(hass, ours, core)
    await settle(hass)
    return ours, core


async def settle(hass: HomeAssistant, seconds: float = 3) -> None:
    """Let debounced work (the issue's count, core's reload after a disable) run."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


def core_device(hass: HomeAssistant, home_id: int, node_id: int) -> dr.DeviceEntry | None:
    """Core's device of a node."""
    for entry in hass.config_entries.async_entries(CORE):
        identifier = (CORE, f"{home_id}-{node_id}")
        if device := dr.async_get(hass).async_get_device_by_identifier(identifier, entry.entry_id):
            return device
    return None


def our_device(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> dr.DeviceEntry:
    """Our device of a node (key "<home>-<node>") or of the network (key "<home>")."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert device is not None
    return device


def links(hass: HomeAssistant, entry: MockConfigEntry, home_id: int) -> dict[int, str | None]:
    """Where each of our node devices links to, by node id (0: our network device)."""
    found = {0: our_device(hass, entry, str(home_id)).via_device_id}
    for node_id in NODES:
        found[node_id] = our_device(hass, entry, f"{home_id}-{node_id}").via_device_id
    return found


def expected_links_to_core(hass: HomeAssistant, home_id: int) -> dict[int, str | None]:
    """Every node device to core's device of the node; ours of the network to core's controller."""
    wanted: dict[int, str | None] = {}
    for node_id in (1, *NODES):
        device = core_device(hass, home_id, node_id)
        assert device is not None, node_id
        wanted[0 if node_id == 1 else node_id] = device.id
    return wanted


def core_entity(hass: HomeAssistant, home_id: int, node_id: int, value_id: str) -> er.RegistryEntry:
    """Core's entity of a node's value (or of a node-level feature such as "ping")."""
    registry = er.async_get(hass)
    joiner = "-" if "-" in value_id else "."
    unique_id = f"{home_id}.{node_id}{joiner}{value_id}"
    found = next(
        (e for e in registry.entities.values() if e.platform == CORE and e.unique_id == unique_id),
        None,
    )
    assert found is not None, unique_id
    return found


def replaced(hass: HomeAssistant, home_id: int) -> list[er.RegistryEntry]:
    """Core's entities that ours replace (enabled or not)."""
    return [
        core_entity(hass, home_id, node_id, value_id)
        for node_id in NODES
        for value_id in REPLACED | (HAN_ONLY if node_id == HAN else set())
        if not (node_id == HAN and value_id.startswith(("37-", "43-")))
    ]


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The superseded-entities issue of an entry."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{ISSUE}_{entry.entry_id}")


@pytest.mark.parametrize("core_first", [False, True], ids=["ours_first", "core_first"])
async def test_devices_link_to_core_in_either_order_and_through_reloads(
    hass: HomeAssistant, sim: AsyncSim, core_first: bool
) -> None:
    """Each device of ours names core's device of its node; reloads keep links and issue."""
    ours, core = our_entry(sim), core_entry(sim)
    await setup(hass, *((core, ours) if core_first else (ours, core)))
    await settle(hass)
    wanted = expected_links_to_core(hass, sim.home_id)
    assert links(hass, ours, sim.home_id) == wanted
    found = issue(hass, ours)
    assert found is not None and found.translation_placeholders["count"] == "21"
    diagnostics = await async_get_config_entry_diagnostics(hass, ours)
    assert diagnostics["beside_zwave_js"] == {
        "linked_devices": 3,
        "replaced_entities": 51,  # also core's disabled parameters of our enabled ones
        "superseded_entities": 21,
        "put_away": 0,
        "kept": 0,
    }

    for entry in (core, ours):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        assert links(hass, ours, sim.home_id) == wanted
        await settle(hass)
        found = issue(hass, ours)
        assert found is not None and found.translation_placeholders["count"] == "21"


async def test_a_core_device_that_gets_its_node_by_update_is_linked(
    hass: HomeAssistant, sim: AsyncSim
) -> None:
    """Core gives a pre-provisioned (or orphaned) device its node's identifier by an update."""
    ours, core = our_entry(sim), core_entry(sim)
    await setup(hass, ours, core)
    devices = dr.async_get(hass)
    device = core_device(hass, sim.home_id, PLUG)
    assert device is not None
    network = our_device(hass, ours, str(sim.home_id)).id

    devices.async_update_device(device.id, new_identifiers={(CORE, "provisioned-dsk")})
    await hass.async_block_till_done()
    assert links(hass, ours, sim.home_id)[PLUG] == network
    devices.async_update_device(device.id, new_identifiers={(CORE, f"{sim.home_id}-{PLUG}")})
    await hass.async_block_till_done()
    assert links(hass, ours, sim.home_id)[PLUG] == device.id


async def test_removing_either_leaves_the_other_whole(hass: HomeAssistant, sim: AsyncSim) -> None:
    """Core removed: our links fall back to our network device, the issue goes; and back."""
    ours, core = await both(hass, sim)
    assert issue(hass, ours) is not None
    entities = er.async_entries_for_config_entry(er.async_get(hass), ours.entry_id)

    assert await hass.config_entries.async_remove(core.entry_id)
    await settle(hass)
    network = our_device(hass, ours, str(sim.home_id)).id
    assert links(hass, ours, sim.home_id) == {0: None} | dict.fromkeys(NODES, network)
    assert issue(hass, ours) is None
    assert er.async_entries_for_config_entry(er.async_get(hass), ours.entry_id) == entities
    assert all(hass.states.get(e.entity_id) for e in entities if not e.disabled)

    # core comes back: linked again, the issue too
    core = core_entry(sim)
    await setup(hass, core)
    await settle(hass)
    assert links(hass, ours, sim.home_id) == expected_links_to_core(hass, sim.home_id)
    assert issue(hass, ours) is not None

    # unloaded (or disabled), ours supersedes nothing: the issue goes, and comes back
    assert await hass.config_entries.async_unload(ours.entry_id)
    assert issue(hass, ours) is None
    assert await hass.config_entries.async_setup(ours.entry_id)
    await settle(hass)
    assert issue(hass, ours) is not None

    # some put away, then ours removed: core's entities are as they were, the issue goes
    registry = er.async_get(hass)
    before = {
        e.entity_id: e.disabled_by
        for e in er.async_entries_for_config_entry(registry, core.entry_id)
    }
    result = await _fix_flow(hass, ours)
    kwh = core_entity(hass, sim.home_id, PLUG, "50-0-value-65537").entity_id
    await _submit(hass, result, [kwh])
    assert registry.async_get(kwh).disabled_by is er.RegistryEntryDisabler.USER  # type: ignore[union-attr]
    assert await hass.config_entries.async_remove(ours.entry_id)
    await settle(hass)
    after = {
        e.entity_id: e.disabled_by
        for e in er.async_entries_for_config_entry(registry, core.entry_id)
    }
    assert after == before
    assert all(core_device(hass, sim.home_id, n) is not None for n in (1, *NODES))
    assert issue(hass, ours) is None


async def _use_elsewhere(hass: HomeAssistant, home_id: int) -> dict[str, str]:
    """An automation, a script and the energy dashboard each use one of core's entities."""
    used = {
        "automation": core_entity(hass, home_id, PLUG, "50-0-value-66049").entity_id,
        "script": core_entity(hass, home_id, ZEN06, "37-0-currentValue").entity_id,
        "energy": core_entity(hass, home_id, HAN, "50-0-value-65537").entity_id,
    }
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Plug power",
                "triggers": [{"trigger": "state", "entity_id": used["automation"]}],
                "actions": [],
            }
        },
    )
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "usb_plug_on": {
                    "alias": "USB plug on",
                    "sequence": [
                        {"action": "switch.turn_on", "target": {"entity_id": used["script"]}}
                    ],
                }
            }
        },
    )
    manager = await async_get_manager(hass)
    await manager.async_update({"device_consumption": [{"stat_consumption": used["energy"]}]})
    await hass.async_block_till_done()
    return used


async def _fix_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, context={"issue_id": f"{ISSUE}_{entry.entry_id}"})
    return dict(result)


async def _submit(hass: HomeAssistant, form: dict[str, Any], data: Any) -> dict[str, Any]:
    """Submit the fix flow's form (``data`` a list: the entities ticked)."""
    manager = repairs_flow_manager(hass)
    assert manager is not None
    user_input = {"entities": data} if isinstance(data, list) else data
    return dict(await manager.async_configure(form["flow_id"], user_input))


def _form(result: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    """The entities the fix flow's form ticks, and every option's label."""
    (field,) = result["data_schema"].schema
    labels = {
        option["value"]: option["label"]
        for option in result["data_schema"].schema[field].config["options"]
    }
    return set(field.description["suggested_value"]), labels


async def test_fix_flow_puts_away_what_the_user_picks_and_options_undo_it(
    hass: HomeAssistant, sim: AsyncSim, caplog: pytest.LogCaptureFixture
) -> None:
    """Disable the picked entities, keep those used elsewhere, touch nothing else; undo."""
    ours, core = our_entry(sim), core_entry(sim)
    await setup(hass, ours, core)
    home_id = sim.home_id
    registry = er.async_get(hass)
    # core's parameter entities are disabled by default; a user enabled two of the plug's:
    # ours of #21 is enabled, so core's is superseded; ours of #20 is disabled, so it is not
    param_21 = core_entity(hass, home_id, PLUG, "112-0-21").entity_id
    param_20 = core_entity(hass, home_id, PLUG, "112-0-20").entity_id
    for entity_id in (param_21, param_20):
        registry.async_update_entity(entity_id, disabled_by=None)
    used = await _use_elsewhere(hass, home_id)
    await settle(hass, 31)  # core reloads 30 s after entities are enabled
    candidates = {e.entity_id for e in replaced(hass, home_id) if not e.disabled} | {param_21}
    assert len(candidates) == 22  # 2 plugs x 7 + the HAN's 7 + the parameter
    found = issue(hass, ours)
    assert found is not None and found.is_fixable
    assert found.translation_placeholders == {"title": "Home", "count": "22", "device_count": "3"}
    untouched = {
        e.entity_id: e.disabled_by
        for e in registry.entities.values()
        if e.platform == CORE and e.entity_id not in candidates
    }
    for node_id in NODES:
        for feature in NOT_REPLACED:
            if feature != "135-0-identify" or node_id == HAN:  # only the HAN has an indicator
                assert core_entity(hass, home_id, node_id, feature).entity_id in untouched
    assert param_20 in untouched

    result = await _fix_flow(hass, ours)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"] == {
        "count": "22",
        "devices": "Heatit Z-HAN2, Smart Plug, Smart Plug with 2 USB Ports",
    }
    preselected, labels = _form(result)
    assert set(labels) == candidates
    assert preselected == candidates - set(used.values())
    assert labels[used["automation"]].endswith("— automation “Plug power”")
    assert labels[used["script"]].endswith("— script “USB plug on”")
    assert labels[used["energy"]].endswith("— Energy dashboard")
    assert labels[param_21].startswith("Smart Plug State After Power Failure (select.")

    # while the form is open: one entity is renamed, another one becomes superseded
    volts = core_entity(hass, home_id, PLUG, "50-0-value-66561")
    registry.async_update_entity(volts.entity_id, new_entity_id="sensor.plug_volts")
    late = core_entity(hass, home_id, PLUG, "112-0-151")
    registry.async_update_entity(late.entity_id, disabled_by=None)
    del untouched[late.entity_id]
    # the user takes the preselection as it is
    result = await _submit(hass, result, sorted(preselected))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    for entity_id in candidates:
        now = registry.async_get(entity_id) or registry.async_get("sensor.plug_volts")
        assert now is not None
        expected = None if entity_id in used.values() else er.RegistryEntryDisabler.USER
        assert now.disabled_by is expected, entity_id
    assert "Disabled 19 of Z-Wave JS's entities that Home replaces" in caplog.text
    await settle(hass, 31)
    assert core.state is ConfigEntryState.LOADED
    assert links(hass, ours, home_id) == expected_links_to_core(hass, home_id)
    for entity_id, disabled_by in untouched.items():
        now = registry.async_get(entity_id)
        assert now is not None and now.disabled_by == disabled_by, entity_id
    # the one the form did not show is neither put away nor kept: the issue asks again
    found = issue(hass, ours)
    assert found is not None and found.translation_placeholders["count"] == "1"
    # ours are all there
    for entity in er.async_entries_for_config_entry(registry, ours.entry_id):
        assert entity.disabled or hass.states.get(entity.entity_id), entity.entity_id

    # undo from the options: the entities come back, and are not offered again
    flow = await hass.config_entries.options.async_init(ours.entry_id)
    assert flow["type"] is FlowResultType.FORM
    assert flow["description_placeholders"]["put_away"] == "19"
    assert "show_core_entities" in flow["data_schema"].schema
    result = dict(
        await hass.config_entries.options.async_configure(
            flow["flow_id"],
            {"step_limits": "2, 5, 10", "period_minutes": "60", "show_core_entities": True},
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    for entity_id in candidates:
        now = registry.async_get(entity_id) or registry.async_get("sensor.plug_volts")
        assert now is not None and now.disabled_by is None, entity_id
    await settle(hass, 31)
    found = issue(hass, ours)
    assert found is not None and found.translation_placeholders["count"] == "1"
    assert ours.options["step_limits"] == [2.0, 5.0, 10.0]
    # nothing is put away any more: the options form has no undo switch
    flow = await hass.config_entries.options.async_init(ours.entry_id)
    assert "show_core_entities" not in flow["data_schema"].schema
    await hass.config_entries.options.async_configure(flow["flow_id"], {})


UNSUPPORTED = 5


@pytest.fixture(scope="module")
def simulator_with_foreign_plug(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """The three devices and, as node 5, a metering plug no quirk supports."""
    yield from running_simulator(tmp_path_factory, "zwave-foreign", nodes=4, foreign_plug=True)


async def test_an_unsupported_node_is_never_touched(
    hass: HomeAssistant, simulator_with_foreign_plug: Simulator, socket_enabled: None
) -> None:
    """Its core entities are neither counted, offered nor disabled, even when asked to."""
    sim = AsyncSim(hass, simulator_with_foreign_plug)
    ours, _core = await both(hass, sim)
    registry = er.async_get(hass)
    foreign = core_entity(hass, sim.home_id, UNSUPPORTED, "50-0-value-66049")
    assert not foreign.disabled
    assert (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, f"{sim.home_id}-{UNSUPPORTED}"), ours.entry_id
        )
        is None
    )
    found = issue(hass, ours)
    assert found is not None
    assert found.translation_placeholders["count"] == "21"

    foreign_ids = {
        e.entity_id: e.disabled_by
        for e in er.async_entries_for_device(
            registry, foreign.device_id or "", include_disabled_entities=True
        )
    }
    assert len(foreign_ids) > 10
    result = await _fix_flow(hass, ours)
    _, labels = _form(result)
    offered = set(labels)
    assert not offered & set(foreign_ids)
    manager = repairs_flow_manager(hass)
    assert manager is not None
    # even a crafted request cannot reach it: the form refuses it, nothing changes
    picked = next(iter(offered))
    with pytest.raises(InvalidData):
        await manager.async_configure(result["flow_id"], {"entities": [foreign.entity_id, picked]})
    assert not any(
        e.disabled_by is er.RegistryEntryDisabler.USER for e in registry.entities.values()
    )
    result = dict(await manager.async_configure(result["flow_id"], {"entities": [picked]}))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    for entity_id, disabled_by in foreign_ids.items():
        now = registry.async_get(entity_id)
        assert now is not None and now.disabled_by == disabled_by
    disabled = [
        e
        for e in registry.entities.values()
        if e.platform == CORE and e.disabled_by is er.RegistryEntryDisabler.USER
    ]
    assert [e.entity_id for e in disabled] == [picked]
    # the others were left unticked: kept, so no issue comes back for them
    await settle(hass)
    assert issue(hass, ours) is None
    # nor can a caller inside the integration put it away
    ours.runtime_data.neighbour.async_put_away([foreign.id], [])
    assert registry.async_get(foreign.entity_id).disabled_by is None  # type: ignore[union-attr]


async def test_our_client_holds_only_the_nodes_a_quirk_may_claim(
    hass: HomeAssistant,
    simulator_with_foreign_plug: Simulator,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The foreign plug is core's alone: our library never builds it, nor parses its reports."""
    sim = AsyncSim(hass, simulator_with_foreign_plug)
    ours, core = await both(hass, sim)
    own = ours.runtime_data
    assert own.client is not None and own.client.driver is not None
    assert set(own.client.driver.controller.nodes) == {1, PLUG, ZEN06, HAN}
    assert UNSUPPORTED in core.runtime_data.client.driver.controller.nodes
    # the diagnostics still show it, to write a quirk for it
    diagnostics = await async_get_config_entry_diagnostics(hass, ours)
    assert diagnostics["connection"]["nodes_left_out"] == 1
    foreign = [n for n in diagnostics["unsupported_nodes"] if n["node_id"] == UNSUPPORTED]
    assert foreign == [
        {
            "node_id": UNSUPPORTED,
            "ready": True,
            "manufacturer_id": "0x0086",
            "product_type": "0x7f01",
            "product_id": "0x7f02",
            "firmware_version": foreign[0]["firmware_version"],
        }
    ]
    # its reports stop at the filter, unparsed (the real server's events start as
    # the filter expects); ours go on
    node_filter = own.transport.node_filter
    dropped, unparsed = node_filter.events_dropped, []
    drops_unparsed = node_filter.drops_unparsed

    def spy(text: str) -> bool:
        unparsed.append(drops_unparsed(text))
        return unparsed[-1]

    monkeypatch.setattr(node_filter, "drops_unparsed", spy)
    power = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{sim.home_id}.{PLUG}.power")
    assert power is not None
    await sim.call("report_meter", UNSUPPORTED, "W", 123.0)
    await sim.call("report_meter", PLUG, "W", 321.0)

    async def arrived() -> bool:
        state = hass.states.get(power)
        return state is not None and state.state in ("321", "321.0")

    for _ in range(100):
        if await arrived():
            break
        await asyncio.sleep(0.05)
    assert await arrived(), hass.states.get(power)
    assert node_filter.events_dropped > dropped
    assert unparsed.count(True) == node_filter.events_dropped - dropped
    core_power = core_entity(hass, sim.home_id, UNSUPPORTED, "50-0-value-66049")
    assert hass.states.get(core_power.entity_id).state in ("123", "123.0")


async def test_a_submission_without_the_field_disables_nothing(
    hass: HomeAssistant, sim: AsyncSim
) -> None:
    """The ticks are only suggested: an empty submission keeps everything."""
    ours, _core = await both(hass, sim)
    result = await _fix_flow(hass, ours)
    preselected, _ = _form(result)
    assert len(preselected) == 21
    result = await _submit(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    registry = er.async_get(hass)
    assert not any(
        e.disabled_by is er.RegistryEntryDisabler.USER for e in registry.entities.values()
    )
    await settle(hass)
    assert issue(hass, ours) is None
    assert len(ours.options["core_entities"]["kept"]) == 21


async def test_core_entities_on_endpoint_child_devices_are_superseded_too(
    hass: HomeAssistant, sim: AsyncSim
) -> None:
    """2026.11's Z-Wave JS puts entities of some endpoints on child devices of the node's.

    The simulated nodes have one endpoint, so the child device is made as core
    makes one for an endpoint (helpers.py: ``<home>-<node>-<endpoint>``, its
    parent the node's device) and core's power entity of the plug moved to it.
    """
    ours, core = await both(hass, sim)
    found = issue(hass, ours)
    assert found is not None
    assert found.translation_placeholders["count"] == "21"
    node_device = core_device(hass, sim.home_id, PLUG)
    assert node_device is not None
    registry = dr.async_get(hass)
    child = registry.async_get_or_create_child(
        config_entry_id=core.entry_id,
        identifiers={(CORE, f"{sim.home_id}-{PLUG}-1")},
        name="Endpoint 1",
        parent_device_id=node_device.id,
    )
    power = core_entity(hass, sim.home_id, PLUG, "50-0-value-66049")
    er.async_get(hass).async_update_entity(power.entity_id, device_id=child.id)
    await settle(hass)
    found = issue(hass, ours)
    assert found is not None
    # the same 21 entities on the same 3 devices: the child counts as its node's
    assert found.translation_placeholders["count"] == "21"
    assert found.translation_placeholders["device_count"] == "3"
    _, labels = _form(await _fix_flow(hass, ours))
    assert power.entity_id in labels
    # our plug still links to core's device of the node, not to the endpoint's
    assert our_device(hass, ours, f"{sim.home_id}-{PLUG}").via_device_id == node_device.id


def test_a_partial_parameter_is_covered_by_its_number() -> None:
    """Core makes one entity per partial parameter: each is covered by the parameter."""
    resolved = find_quirk((0x0208, 0x0101, 0x000A), "1.0")
    assert resolved is not None
    covered = covered_values(resolved, PLUG)
    select = {(Platform.SELECT, "config_20")}
    assert covered_by("2-112-0-20-255", covered) == select
    assert covered_by("2-112-0-20", covered) == select
    assert covered_by("2-50-0-value-66049", covered) == {(Platform.SENSOR, "power")}
    assert covered_by("2-50-0-reset", covered) == {(Platform.BUTTON, "reset_meters")}
    assert not covered_by("2-112-0-99-255", covered)
    assert not covered_by("2-50-0-value-66050", covered)
    assert core_value_id("3235823838.2-37-0-currentValue", 3235823838) == "2-37-0-currentValue"
    assert core_value_id("3235823838.2.ping", 3235823838) is None
    assert core_value_id("1.2-37-0-currentValue", 3235823838) is None


async def test_fix_flow_aborts_when_there_is_nothing_to_do(
    hass: HomeAssistant, sim: AsyncSim
) -> None:
    """Everything disabled by hand meanwhile, or the entry not running: the flow says so."""
    ours, _core = await both(hass, sim)
    assert issue(hass, ours) is not None
    registry = er.async_get(hass)
    for entity in replaced(hass, sim.home_id):
        registry.async_update_entity(entity.entity_id, disabled_by=er.RegistryEntryDisabler.USER)
    result = await _fix_flow(hass, ours)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nothing_left"
    await settle(hass)
    assert issue(hass, ours) is None

    for entity in replaced(hass, sim.home_id):
        registry.async_update_entity(entity.entity_id, disabled_by=None)
    await settle(hass)
    # the form is open when ours is unloaded: the issue goes, the submission changes nothing
    result = await _fix_flow(hass, ours)
    assert result["type"] is FlowResultType.FORM
    assert await hass.config_entries.async_unload(ours.entry_id)
    assert issue(hass, ours) is None
    preselected, _ = _form(result)
    result = await _submit(hass, result, sorted(preselected))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
    assert not any(e.disabled for e in replaced(hass, sim.home_id))
