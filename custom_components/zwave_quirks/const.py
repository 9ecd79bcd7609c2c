"""Constants of the Z-Wave Quirks integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "zwave_quirks"
LOGGER = logging.getLogger(__package__)

CONF_URL: Final = "url"
DEFAULT_URL: Final = "ws://127.0.0.1:3000"

CONNECT_TIMEOUT: Final = 10.0
# while Home Assistant starts, which waits for every entry's setup: a server that
# does not answer this fast is tried again once Home Assistant has started
STARTUP_CHECK_TIMEOUT: Final = 1.0
DRIVER_READY_TIMEOUT: Final = 60.0
# reconnect after 1 s, doubling: to at most 3 s in the first minute of an outage, then 60 s
RECONNECT_MIN_DELAY: Final = 1.0
RECONNECT_FAST_MAX_DELAY: Final = 3.0
RECONNECT_FAST_PERIOD: Final = 60.0
RECONNECT_MAX_DELAY: Final = 60.0
SET_VALUE_TIMEOUT: Final = 30.0

# the node events of a value: only VALUE_UPDATED is a reading from the node
VALUE_UPDATED: Final = "value updated"
VALUE_ADDED: Final = "value added"
METADATA_UPDATED: Final = "metadata updated"

USER_AGENT: Final = {"zwave_quirks": "0.3.0"}
