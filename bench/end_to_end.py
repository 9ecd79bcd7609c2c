"""End to end on the real server: ours and core's zwave_js connected at once to the simulator.

Both integrations run in one Home Assistant, each with its own connection to the same
Z-Wave JS server. At each rate (power reports per second, in total, round robin over the
nodes) the simulator's load generator runs for --seconds; per integration: latency from the
report leaving the node to the power sensor's state changing (p50, p99, max) and reports lost.

Run: .venv/bin/python bench/end_to_end.py [--nodes 20] [--rates 1,10,100] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from live import (
    CORE,
    OURS,
    Outcome,
    Watcher,
    analyse,
    live_home_assistant,
    parse_arguments,
    read_reports,
    run_load,
    setup_power_sensors,
    start_simulator,
    wait_load_done,
)


async def end_to_end(args: argparse.Namespace) -> None:
    rates = [float(r) for r in args.rates.split(",")]
    sim, nodes = start_simulator(args)
    log = args.cache / "end-to-end-reports.csv"
    results: list[tuple[float, str, Outcome, int]] = []
    try:
        async with live_home_assistant() as hass:
            sensors: dict[str, dict[str, int]] = {}
            entries = []
            for domain in (OURS, CORE):
                entry, sensors[domain], enabled = await setup_power_sensors(
                    hass, domain, sim, nodes
                )
                entries.append(entry)
                print(
                    f"{domain}: {len(sensors[domain])} power sensors, "
                    f"{enabled} of them enabled here (disabled by default)",
                    flush=True,
                )
            watcher = Watcher(hass, [e for s in sensors.values() for e in s])
            for rate in rates:
                since = time.time()
                await run_load(hass, sim, rate, args.seconds, log)
                status = await wait_load_done(hass, sim, args.seconds + 600)
                await watcher.quiet(3, 60)
                reports = read_reports(log)
                for domain in (OURS, CORE):
                    out = analyse(reports, sensors[domain], watcher, since)
                    results.append((rate, domain, out, status["ackTimeouts"]))
                print(f"{rate:g}/s done: {len(reports)} reports", flush=True)
            watcher.stop()
            for entry in entries:
                await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
    finally:
        sim.stop()
    print(
        f"\n{len(nodes)} nodes, {args.seconds:g} s per rate, mock radio {args.tx_delay} ms/frame; "
        "latency: report left the node -> state_changed fired (from ACK: from the "
        "controller's ACK, i.e. without the mock radio)"
    )
    print(
        f"{'rate/s':>6} {'integration':<13} {'sent':>6} {'seen':>6} {'lost':>5} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'p99 from ACK':>12}"
    )
    for rate, domain, out, _acks in results:
        worst = max(out.latencies) * 1e3 if out.latencies else float("nan")
        print(
            f"{rate:>6g} {domain:<13} {out.connected:>6} {out.seen:>6} {len(out.lost):>5} "
            f"{out.pct(50):>7.1f} {out.pct(99):>7.1f} {worst:>7.1f} "
            f"{out.pct(99, out.after_ack):>12.1f}"
        )
    acks = sum(a for _, domain, _, a in results if domain == OURS)
    if acks:
        print(f"reports without the controller's ACK (mock radio): {acks}")
    ratios = []
    for k in range(0, len(results), 2):
        (rate, _, ours, _), (_, _, core, _) = results[k], results[k + 1]
        p50, p99 = ours.pct(50) / core.pct(50), ours.pct(99) / core.pct(99)
        ratios.append(f"{rate:g}/s p50 {p50:.2f}x p99 {p99:.2f}x")
    print("ours/core: " + "; ".join(ratios))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="1,10,100", help="reports per second, in total")
    parser.add_argument("--seconds", type=float, default=60, help="per rate")
    asyncio.run(end_to_end(parse_arguments(parser, nodes=20)))


if __name__ == "__main__":
    main()
