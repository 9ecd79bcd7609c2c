"""Differences between the library versions and Home Assistant releases we support.

The manifest asks for zwave-js-server-python as a lower bound only, so that
whatever Home Assistant's own Z-Wave JS integration pins satisfies it (2026.10:
0.73.1, 2026.11: 0.74.0; also tested: 0.75.0). Every difference between those
versions, and between Home Assistant 2026.10 and 2026.11, that the code needs
is here, and nowhere else (README, Compatibility).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from homeassistant.helpers import device_registry as dr
from zwave_js_server import const as zwave_const
from zwave_js_server.exceptions import NotConnected

# What a pending command raises when the connection closes under it: 0.73.1 and
# 0.74.0 cancel its future, 0.75.0 fails it with NotConnected. Every version
# raises NotConnected for a command sent while the client is not connected.
CONNECTION_LOST: tuple[type[BaseException], ...] = (asyncio.CancelledError, NotConnected)


def schema_range() -> tuple[int, int]:
    """The server API schemas the installed library speaks (read at call time)."""
    return zwave_const.MIN_SERVER_SCHEMA_VERSION, zwave_const.MAX_SERVER_SCHEMA_VERSION


def child_devices(registry: dr.DeviceRegistry, device_id: str) -> Sequence[dr.BaseDeviceEntry]:
    """The child devices of a device (2026.11: core's Z-Wave JS puts endpoints on them).

    2026.10 has no public look-up, and its Z-Wave JS makes no child devices.
    """
    children = getattr(dr, "async_entries_for_parent_device", None)
    return [] if children is None else children(registry, device_id)
