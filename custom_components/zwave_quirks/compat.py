"""Differences between the library versions and Home Assistant releases we support.

The manifest asks for zwave-js-server-python as a lower bound only, so that
whatever Home Assistant's own Z-Wave JS integration pins satisfies it (2026.10:
0.73.1, 2026.11: 0.74.0; also tested: 0.75.0). Every difference between those
versions that the code needs is here, and nowhere else (README, Compatibility).
Home Assistant 2026.10 and 2026.11 need none: the APIs used exist in both.
"""

from __future__ import annotations

import asyncio

from zwave_js_server import const as zwave_const
from zwave_js_server.exceptions import NotConnected

# What a pending command raises when the connection closes under it: 0.73.1 and
# 0.74.0 cancel its future, 0.75.0 fails it with NotConnected. Every version
# raises NotConnected for a command sent while the client is not connected.
CONNECTION_LOST: tuple[type[BaseException], ...] = (asyncio.CancelledError, NotConnected)


def schema_range() -> tuple[int, int]:
    """The server API schemas the installed library speaks (read at call time)."""
    return zwave_const.MIN_SERVER_SCHEMA_VERSION, zwave_const.MAX_SERVER_SCHEMA_VERSION
