"""Differences between the library versions and Home Assistant releases we support.

The manifest asks for zwave-js-server-python as a lower bound only, so that
whatever Home Assistant's own Z-Wave JS integration pins satisfies it (2026.10:
0.73.1, 2026.11: 0.74.0; also tested: 0.75.0). Every difference between those
versions that the code needs is here, and nowhere else (README, Compatibility).
Of Home Assistant, only the restore cache's look-up differs (2026.11 keys it
by entity registry id as well).
"""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from homeassistant.helpers import restore_state
from zwave_js_server import const as zwave_const
from zwave_js_server.exceptions import NotConnected

# What a pending command raises when the connection closes under it: 0.73.1 and
# 0.74.0 cancel its future, 0.75.0 fails it with NotConnected. Every version
# raises NotConnected for a command sent while the client is not connected.
CONNECTION_LOST: tuple[type[BaseException], ...] = (asyncio.CancelledError, NotConnected)


def schema_range() -> tuple[int, int]:
    """The server API schemas the installed library speaks (read at call time)."""
    return zwave_const.MIN_SERVER_SCHEMA_VERSION, zwave_const.MAX_SERVER_SCHEMA_VERSION


def restored_state(hass: HomeAssistant, entity_id: str) -> restore_state.StoredState | None:
    """An entity's state restored from the last run, whether or not it is added yet.

    2026.11 has a look-up (it keeps states by registry id too); 2026.10 a dict
    by entity id. Goes with 2026.10.
    """
    data = restore_state.async_get(hass)
    if (get := getattr(data, "async_get_stored_state", None)) is not None:
        stored: restore_state.StoredState | None = get(entity_id)
        return stored
    last_states: dict[str, restore_state.StoredState] = getattr(data, "last_states", {})
    return last_states.get(entity_id)
