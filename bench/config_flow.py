"""Config flow: time from submitting the URL to the entry being created, ours and core's.

Both integrations in one Home Assistant, against the real simulator
(simulator/launcher.py, a fresh cache dir, 3 nodes), alternating ours/core.
Each repeat starts a user flow, submits the server's URL and times:

- check: the flow's own server check (ours: version, initialize and
  start_listening; core: the version message only);
- flow: from the submit (async_configure) to the flow handing the new entry
  to ConfigEntries.async_add, i.e. the flow's own work;
- created: to the CREATE_ENTRY result, which in this Home Assistant comes
  after the new entry is set up (ConfigEntries.async_add awaits async_setup);
- done: to async_block_till_done(), every enabled entity's state written.

The entry is removed after each repeat. Core's flow runs as without
Supervisor (is_hassio patched to False, as core's tests do): its user step
goes straight to the "manual" step, where the URL is entered.

Run: .venv/bin/python bench/config_flow.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest.mock import patch

from harness import CORE, OURS, ROOT, entity_counts, home_assistant, median
from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.zwave_quirks.const import CONF_URL

sys.path.insert(0, str(ROOT / "simulator"))
from launcher import Simulator

# the form where each integration's flow asks for the URL
URL_STEP = {OURS: "user", CORE: "manual"}
# the server check each flow makes before creating the entry
CHECK = {
    OURS: "custom_components.zwave_quirks.config_flow.async_check_server",
    CORE: "homeassistant.components.zwave_js.config_flow.async_get_version_info",
}
MEASURES = ("check", "flow", "created", "done")


def timed(func: Callable[..., Awaitable[Any]], into: list[float]) -> Callable[..., Any]:
    """func, appending the seconds each call takes to into."""

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await func(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - t0)

    return wrapper


async def one_run(
    hass: HomeAssistant, domain: str, url: str, checks: list[float], added: list[float]
) -> tuple[dict[str, float], int]:
    """Seconds per measure of one flow, and entities enabled; the entry is removed again."""
    result = await hass.config_entries.flow.async_init(domain, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM, result
    assert result["step_id"] == URL_STEP[domain], result
    checks.clear()
    added.clear()
    t0 = time.perf_counter()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_URL: url})
    created = time.perf_counter() - t0
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    done = time.perf_counter() - t0
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED, (domain, entry.state)
    _created, enabled, written = entity_counts(hass, entry)
    assert enabled and written == enabled, (domain, written, enabled)
    assert len(checks) == 1 and len(added) == 1, (checks, added)
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    return {"check": checks[0], "flow": added[0] - t0, "created": created, "done": done}, enabled


def p90(xs: list[float]) -> float:
    """The 90th percentile (nearest rank)."""
    ordered = sorted(xs)
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


async def bench(url: str, repeat: int) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    checks: list[float] = []
    added: list[float] = []
    async with home_assistant(fixture_client=False) as hass:
        with ExitStack() as stack:
            entries = hass.config_entries
            add = entries.async_add

            async def timed_add(entry: ConfigEntry) -> None:
                added.append(time.perf_counter())
                await add(entry)

            stack.enter_context(patch.object(entries, "async_add", timed_add))
            stack.enter_context(
                patch("homeassistant.components.zwave_js.config_flow.is_hassio", return_value=False)
            )
            for target in CHECK.values():
                module, name = target.rsplit(".", 1)
                original = getattr(importlib.import_module(module), name)
                stack.enter_context(patch(target, timed(original, checks)))
            # warm-up: imports and first-use caches do not count
            for domain in (OURS, CORE):
                await one_run(hass, domain, url, checks, added)
            results = {d: {m: [] for m in MEASURES} for d in (OURS, CORE)}
            enabled: dict[str, int] = {}
            for _ in range(repeat):
                for domain in (OURS, CORE):  # alternating
                    times, enabled[domain] = await one_run(hass, domain, url, checks, added)
                    for measure, value in times.items():
                        results[domain][measure].append(value)
    return results, enabled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as cache, Simulator(cache_dir=Path(cache)) as sim:
        results, enabled = asyncio.run(bench(sim.url, args.repeat))
    header = "".join(f" {m + ' ms':>10} {'p90':>6}" for m in MEASURES)
    print(f"{'integration':<13}{header} {'enabled':>8}   (median, p90 of {args.repeat})")
    for domain, measures in results.items():
        cells = "".join(
            f" {median(v) * 1e3:>10.1f} {p90(v) * 1e3:>6.1f}" for v in measures.values()
        )
        print(f"{domain:<13}{cells} {enabled[domain]:>8}")
    ratios = "; ".join(
        f"{m} {median(results[OURS][m]) / median(results[CORE][m]):.2f}x" for m in MEASURES
    )
    print(f"ours/core (medians): {ratios}")


if __name__ == "__main__":
    main()
