"""`hass` for the tests that run Home Assistant as a process of its own.

The same as the `hass` command, after the one widening that conftest.py's
`library_api_compatibility` makes in the test process: on zwave-js-server-python
0.74.0 and 0.75.0 (server schema 51 and 52 only) the library's accepted range is
widened down to the simulator's schema (no @zwave-js/server speaks more than
50 yet). Nothing else differs. Goes with that fixture.

    python tests/hass_launch.py --config DIR --skip-pip
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this folder's modules (conftest, helpers) must not shadow anything
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "tests"]


def _widen_schema() -> None:
    const_js = ROOT / "simulator/node_modules/@zwave-js/server/dist-esm/lib/const.js"
    if not const_js.is_file():
        return
    found = re.search(r"maxSchemaVersion = (\d+)", const_js.read_text(encoding="utf-8"))
    if found is None:
        return
    from zwave_js_server import client, const  # noqa: PLC0415 - only once it is needed

    newest = int(found[1])
    if newest < const.MIN_SERVER_SCHEMA_VERSION:
        const.MIN_SERVER_SCHEMA_VERSION = newest  # type: ignore[misc]
        client.MIN_SERVER_SCHEMA_VERSION = newest  # type: ignore[attr-defined]


if __name__ == "__main__":
    import homeassistant  # noqa: F401 - before anything imports httpx (2026.11)

    _widen_schema()
    from homeassistant.__main__ import main

    sys.exit(main())
