"""Test helpers."""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

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


def sockets_to(port: int | None) -> int:
    """How many TCP sockets of this process are connected to a port, or all (blocking: /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            remote = int(fields[2].rsplit(":", 1)[1], 16)
            if port in (None, remote) and fields[9] in inodes:
                count += 1
    return count


OUR_FILES = str(Path(__file__).resolve().parents[1] / "custom_components" / DOMAIN)
DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def deprecations_of_ours(
    records: Iterable[logging.LogRecord], caught: Iterable[warnings.WarningMessage]
) -> list[str]:
    """Deprecation warnings and Home Assistant's "Detected that custom integration" lines
    (``helpers/frame.py``'s report_usage) that name this integration or its files.
    """
    found = []
    for record in records:
        message = record.getMessage()
        ours = DOMAIN in message or f"custom_components/{DOMAIN}" in message
        if ours and (
            "Detected that custom integration" in message
            or (record.levelno >= logging.WARNING and "deprecat" in message.lower())
        ):
            found.append(f"log {record.name}: {message}")
    found.extend(
        f"{warning.category.__name__} {warning.filename}: {warning.message}"
        for warning in caught
        if issubclass(warning.category, DEPRECATIONS)
        and (str(warning.filename).startswith(OUR_FILES) or DOMAIN in str(warning.message))
    )
    return found
