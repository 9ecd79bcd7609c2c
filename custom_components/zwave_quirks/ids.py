"""Identifiers: pure functions of the network's home id, a node id and a key.

Stable across restarts, reconnects and firmware updates; every module that
needs one takes it from here.
"""

from __future__ import annotations

from collections.abc import Iterable

from .const import DOMAIN


def network_key(home_id: int) -> str:
    """The device registry identifier of the network's device."""
    return str(home_id)


def device_key(home_id: int, node_id: int) -> str:
    """The device registry identifier of a node (core's Z-Wave JS uses the same form)."""
    return f"{home_id}-{node_id}"


def node_ids(
    home_id: int, identifiers: Iterable[tuple[str, str]], domain: str = DOMAIN
) -> list[int]:
    """The node ids in a device's identifiers of ``domain`` (the inverse of device_key)."""
    prefix = f"{home_id}-"
    return [
        int(key.removeprefix(prefix))
        for found, key in identifiers
        if found == domain and key.startswith(prefix) and key.removeprefix(prefix).isdigit()
    ]


def unique_id(home_id: int, node_id: int, key: str) -> str:
    """The unique id of a node's entity for a declaration key."""
    return f"{home_id}.{node_id}.{key}"


def readings_storage_key(home_id: int, node_id: int) -> str:
    """Where a node's readings (totals, capacity tracker) are kept."""
    return f"{DOMAIN}.readings.{home_id:08x}.{node_id}"


def capacity_storage_key(home_id: int, node_id: int) -> str:
    """Where a version before 0.3 kept a node's capacity tracker."""
    return f"{DOMAIN}.capacity.{home_id:08x}.{node_id}"
