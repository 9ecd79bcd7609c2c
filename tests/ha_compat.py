"""Compatibility layer: the test plugin 0.13.375 (made for 2026.10.4) on Home Assistant 2026.11.

No pytest-homeassistant-custom-component for 2026.11 is published yet. This
plugin (``-p tests.ha_compat`` in pyproject.toml, so that it loads before the
test plugin's entry point) bridges the three places where 0.13.375 breaks on
2026.11, and does nothing on 2026.10. Remove it when a plugin release for
2026.11 appears (requirements_test_2026.11.txt says so too).

1. 2026.11's ``homeassistant/__init__.py`` aliases ``httpx`` to ``httpx2`` and
   refuses to run once ``httpx`` is imported; the plugin imports httpx (respx)
   before homeassistant. Importing homeassistant here first keeps the order.
2. ``_clear_logger_overwrites`` moved from ``components.logger`` to its
   ``helpers`` module.
3. Restored states are indexed by entity registry id; the plugin's
   ``mock_restore_cache*`` fill the removed ``last_states`` dict, which
   2026.11 no longer reads. They are replaced by versions that load the
   states the way 2026.11's ``RestoreStateData.async_load`` does.
4. Entity registry entries have a new field, ``compat_name``: the snapshots
   leave it out while it is None, so that one snapshot file holds on every
   leg (a name there would still show as a difference).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attr
import homeassistant  # noqa: F401  # 1: before anything imports httpx
from homeassistant.components import logger
from homeassistant.components.logger import helpers as logger_helpers
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import restore_state as rs
from homeassistant.helpers.json import JSONEncoder
from homeassistant.util import dt as dt_util

if not hasattr(logger, "_clear_logger_overwrites"):  # 2
    logger._clear_logger_overwrites = logger_helpers._clear_logger_overwrites  # type: ignore[attr-defined]

NEEDS_RESTORE_SHIM = hasattr(rs.RestoreStateData, "_async_load_stored_states")


def _mock_restore(
    hass: HomeAssistant, states: Sequence[tuple[State, Mapping[str, Any] | None]]
) -> None:
    """Put stored states where 2026.11's RestoreStateData reads them."""
    now = dt_util.utcnow().isoformat()
    items = []
    for state, extra_data in states:
        stored = state.as_dict()
        attributes = json.loads(json.dumps(stored["attributes"], cls=JSONEncoder))
        stored = {**stored, "attributes": attributes}
        items.append({"state": stored, "extra_data": extra_data, "last_seen": now})
    data = rs.RestoreStateData(hass)
    data._async_load_stored_states(items)
    assert len(data.last_states_by_entity_id) + len(data.last_states_by_entity_registry_id) == len(
        states
    ), f"Duplicate entity_id? {states}"
    # as async_setup does: a stored state follows its entity into the registry
    hass.bus.async_listen(
        er.EVENT_ENTITY_REGISTRY_UPDATED,
        data._async_entity_registry_entry_created,
        event_filter=rs._entity_registry_entry_created_filter,
    )
    rs.async_get.cache_clear()
    hass.data[rs.DATA_RESTORE_STATE] = data


def mock_restore_cache(hass: HomeAssistant, states: Sequence[State]) -> None:
    """The plugin's mock_restore_cache, for 2026.11."""
    _mock_restore(hass, [(state, None) for state in states])


def mock_restore_cache_with_extra_data(
    hass: HomeAssistant, states: Sequence[tuple[State, Mapping[str, Any]]]
) -> None:
    """The plugin's mock_restore_cache_with_extra_data, for 2026.11."""
    _mock_restore(hass, states)


def pytest_configure() -> None:
    """Patch the plugin's helpers once it is imported (it must import recorder first)."""
    from pytest_homeassistant_custom_component import common, syrupy  # noqa: PLC0415

    if NEEDS_RESTORE_SHIM:  # 3
        common.mock_restore_cache = mock_restore_cache
        common.mock_restore_cache_with_extra_data = mock_restore_cache_with_extra_data
    serializer = syrupy.HomeAssistantSnapshotSerializer
    if "compat_name" in {field.name for field in attr.fields(er.RegistryEntry)}:  # 4
        original = serializer._serializable_entity_registry_entry.__func__  # type: ignore[attr-defined]

        def without_compat_name(cls: type, data: er.RegistryEntry) -> Any:
            """The plugin's serializer, without 2026.11's compat_name while it is None."""
            serialized = original(cls, data)
            if serialized.get("compat_name", "") is None:
                del serialized["compat_name"]
            return serialized

        serializer._serializable_entity_registry_entry = classmethod(without_compat_name)  # type: ignore[method-assign]
