"""Test helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.zwave_quirks.const import DOMAIN

PLUG, ZEN06, HAN = 2, 3, 4


async def wait_for(
    hass: HomeAssistant, predicate: Callable[[], bool], limit: float = 30, what: str = ""
) -> None:
    """Poll until predicate() holds, letting Home Assistant run in between."""
    async with asyncio.timeout(limit):
        while not predicate():
            await asyncio.sleep(0.05)
            await hass.async_block_till_done()
    assert predicate(), what


def entity_id(hass: HomeAssistant, home_id: int, node_id: int, key: str, platform: str) -> str:
    """The entity id of a declaration's entity on a node."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{home_id}.{node_id}.{key}")
    assert found is not None, f"no {platform} entity {key} on node {node_id}"
    return found
