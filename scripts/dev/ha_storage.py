"""Write the Home Assistant settings that its YAML can no longer set quietly.

Home Assistant 2026.10 keeps its HTTP server settings in storage: an `http:`
section in configuration.yaml becomes a "pending" trial that must be confirmed
in the UI ("Confirm new HTTP server configuration") within 5 minutes, or Home
Assistant reverts to the stored settings (all interfaces) and restarts. Writing
the store directly makes the settings the confirmed ones.

Optionally marks onboarding steps done: with `core_config` done, onboarding asks
for the user, analytics and integrations but skips the location step, whose
completion sets up met, radio_browser, google_translate and shopping_list.

Optionally stores the core configuration (location, units, time zone, country,
currency, language) once, where the UI keeps it: a `homeassistant:` section in
configuration.yaml would lock those settings, the language among them.

    python scripts/dev/ha_storage.py CONFIG_DIR --port 8123 [--onboarding-done core_config]
        [--core-config oslo]
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_KEY,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)
from homeassistant.components.onboarding import STORAGE_KEY as ONBOARDING_KEY
from homeassistant.components.onboarding import STORAGE_VERSION as ONBOARDING_VERSION
from homeassistant.components.onboarding.const import STEPS
from homeassistant.core_config import (
    CORE_STORAGE_KEY,
    CORE_STORAGE_MINOR_VERSION,
    CORE_STORAGE_VERSION,
)

# the demo's home: Oslo, metric, Norwegian kroner; English until the user picks another
CORE_CONFIGS = {
    "oslo": {
        "latitude": 59.91,
        "longitude": 10.75,
        "elevation": 0,
        "unit_system_v2": "metric",
        "location_name": "Z-Wave Quirks demo",
        "time_zone": "Europe/Oslo",
        "external_url": None,
        "internal_url": None,
        "currency": "NOK",
        "country": "NO",
        "language": "en",
        "radius": 100,
    }
}


def _write(config_dir: Path, key: str, version: int, minor: int, data: object) -> None:
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    payload = {"version": version, "minor_version": minor, "key": key, "data": data}
    (storage / key).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def write_http_store(config_dir: Path, host: str, port: int) -> None:
    """Store HTTP settings as confirmed (stable), with the YAML migration done."""
    stable = {
        **HTTP_STORAGE_SCHEMA({"server_host": [host], "server_port": port}),
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    data = {"stable": stable, "pending": None, "yaml_migration_done": True}
    _write(config_dir, STORAGE_KEY, STORAGE_VERSION, STORAGE_MINOR_VERSION, data)


def mark_onboarding_done(config_dir: Path, steps: list[str]) -> None:
    """Mark onboarding steps done, unless onboarding has been stored already."""
    if unknown := set(steps) - set(STEPS):
        raise ValueError(f"unknown onboarding steps: {sorted(unknown)}")
    if not (config_dir / ".storage" / ONBOARDING_KEY).exists():
        _write(config_dir, ONBOARDING_KEY, ONBOARDING_VERSION, 1, {"done": steps})


def write_core_config(config_dir: Path, name: str) -> None:
    """Store the core configuration, unless Home Assistant has stored one already."""
    if not (config_dir / ".storage" / CORE_STORAGE_KEY).exists():
        data = CORE_CONFIGS[name]
        _write(config_dir, CORE_STORAGE_KEY, CORE_STORAGE_VERSION, CORE_STORAGE_MINOR_VERSION, data)


def main() -> None:
    """Write the stores named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--onboarding-done", nargs="*", default=[], metavar="STEP")
    parser.add_argument("--core-config", choices=sorted(CORE_CONFIGS))
    args = parser.parse_args()
    write_http_store(args.config_dir, args.host, args.port)
    if args.onboarding_done:
        mark_onboarding_done(args.config_dir, args.onboarding_done)
    if args.core_config:
        write_core_config(args.config_dir, args.core_config)


if __name__ == "__main__":
    main()
