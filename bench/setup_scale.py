"""Setup scale: time and memory to set up ours and core's zwave_js on 6, 50 and 231 nodes.

Run: .venv/bin/python bench/setup_scale.py [--repeat N] [--sizes 6,50,231] [--mixed]

--mixed: realistic homes, 6 supported nodes and the rest devices no quirk
supports (the simulator's other kinds, captured as fixtures); our node filter
sees the state as it would the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import time
import tracemalloc

from harness import (
    CORE,
    OURS,
    BenchClient,
    entity_counts,
    home_assistant,
    make_entry,
    median,
    network_state,
)


async def one_run(domain: str, state: dict, trace: bool) -> tuple[float, int, int, int, int]:
    """Seconds to set up (or bytes added when trace), entities created, enabled, written."""
    BenchClient.state = state
    async with home_assistant() as hass:
        entry = make_entry(domain)
        entry.add_to_hass(hass)
        gc.collect()
        if trace:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        t0 = time.perf_counter()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        elapsed = time.perf_counter() - t0
        added = 0
        if trace:
            gc.collect()
            added = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.stop()
        created, enabled, written = entity_counts(hass, entry)
        assert written == enabled, (domain, written, enabled)
        await hass.config_entries.async_unload(entry.entry_id)
    return elapsed, added, created, enabled, written


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="6,50,231")
    parser.add_argument("--mixed", action="store_true", help="6 supported, the rest others")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    sizes = [int(s) for s in args.sizes.split(",")]
    # warm-up: imports and first-use caches do not count
    for domain in (OURS, CORE):
        await one_run(domain, network_state(3), trace=False)
    rows = []
    ratios = []
    for size in sizes:
        state = network_state(size, mixed=args.mixed)
        times: dict[str, list[float]] = {OURS: [], CORE: []}
        mems: dict[str, list[float]] = {OURS: [], CORE: []}
        counts: dict[str, tuple[int, int]] = {}
        for _ in range(args.repeat):
            for domain in (OURS, CORE):  # alternating
                t, _m, created, enabled, _w = await one_run(domain, state, trace=False)
                times[domain].append(t)
                counts[domain] = (created, enabled)
                _t, m, *_ = await one_run(domain, state, trace=True)
                mems[domain].append(m)
        for domain in (OURS, CORE):
            created, enabled = counts[domain]
            t, m = median(times[domain]), median(mems[domain])
            rows.append((size, domain, t * 1e3, created, enabled, m / 1024, m / enabled / 1024))
        o, c = rows[-2], rows[-1]
        ratios.append(
            f"{size}: time {o[2] / c[2]:.2f}x mem {o[5] / c[5]:.2f}x mem/ent {o[6] / c[6]:.2f}x"
        )
    print(
        f"{'nodes':>5} {'integration':<13} {'setup ms':>9} {'created':>8} {'enabled':>8} "
        f"{'mem KiB':>9} {'KiB/ent':>8}   (median of {args.repeat}"
        f"{'; 6 supported, the rest others' if args.mixed else ''})"
    )
    for size, domain, ms, created, enabled, kib, per in rows:
        print(
            f"{size:>5} {domain:<13} {ms:>9.1f} {created:>8} {enabled:>8} {kib:>9.0f} {per:>8.2f}"
        )
    print("ours/core: " + "; ".join(ratios))


if __name__ == "__main__":
    asyncio.run(main())
