"""The integration's blueprints, put where Home Assistant finds them, without a download.

HACS installs only this folder, and *Import blueprint* needs GitHub: so the
integration copies its blueprints (blueprints/automation/ beside this file)
to `<config>/blueprints/automation/zwave_quirks/` when Home Assistant starts
it, as core does with its own. A newer version replaces a copy only while
the copy is one this integration wrote (or shipped before); a copy the user
has edited is kept, and the log says a newer one exists; a copy the user has
deleted is not put back. What was written is noted, by its hash, in
`.storage/zwave_quirks.blueprints`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util.file import write_utf8_file_atomic

from .const import DOMAIN, LOGGER

SHIPPED = Path(__file__).parent / "blueprints" / "automation"
FOLDER = ("blueprints", "automation", DOMAIN)
STORAGE_KEY = f"{DOMAIN}.blueprints"
# the versions earlier releases shipped (sha256): copied by hand, unedited
EARLIER = {
    "stay_below_capacity_step.yaml": {
        "b5cfad9bbb63d0e16282963257f7103235f62ed7470bb839efd8431855abc8bc",
        "db58a12f3792c006b4d9b002f0f3f7aa8ba1027448459eb3de3b3834217b2916",
    },
    "appliance_finished.yaml": {
        "943e064ded50f057722b329c42f34998ea6d35452cc3b890150bab28a5dcf37a",
    },
}


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _install(
    folder: Path, written: dict[str, str]
) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Copy what is due (in the executor): the new notes, the files written, the ones kept.

    The kept ones (the user's edits) map to the hash of the version not copied.
    """
    notes = dict(written)
    wrote: list[str] = []
    kept: dict[str, str] = {}
    for source in sorted(SHIPPED.glob("*.yaml")):
        name = source.name
        data = source.read_bytes()
        new = _hash(data)
        target = folder / name
        if target.exists():
            current = _hash(target.read_bytes())
            if current == new:
                notes[name] = new
                continue
            if current != written.get(name) and current not in EARLIER.get(name, set()):
                kept[name] = new  # the user's edit
                continue
        elif name in written:
            continue  # the user deleted it
        folder.mkdir(parents=True, exist_ok=True)
        write_utf8_file_atomic(str(target), data.decode())
        notes[name] = new
        wrote.append(name)
    return notes, wrote, kept


def _notes(stored: dict[str, Any], key: str) -> dict[str, str]:
    value = stored.get(key)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Put the shipped blueprints into the configuration's blueprints folder."""
    store: Store[dict[str, Any]] = Store(hass, 1, STORAGE_KEY)
    stored = await store.async_load() or {}
    written, told = _notes(stored, "written"), _notes(stored, "told")
    folder = Path(hass.config.path(*FOLDER))
    try:
        notes, wrote, kept = await hass.async_add_executor_job(_install, folder, written)
    except OSError as err:
        LOGGER.warning("The blueprints could not be copied to %s: %s", folder, err)
        return
    for name in wrote:
        LOGGER.info("Blueprint %s is in %s", name, folder)
    now_told = dict(told)
    for name, shipped in kept.items():
        if told.get(name) != shipped:  # once per version
            LOGGER.info(
                "Blueprint %s in %s is your edited copy: kept; this version's is in %s",
                name,
                folder,
                SHIPPED,
            )
            now_told[name] = shipped
    if wrote and "automation" in hass.config.components:
        from homeassistant.components.automation.helpers import (  # noqa: PLC0415
            async_get_blueprints,
        )

        # the next automation reload reads the new files
        await async_get_blueprints(hass).async_reset_cache()
    if notes != written or now_told != told:
        await store.async_save({"written": notes, "told": now_told})
