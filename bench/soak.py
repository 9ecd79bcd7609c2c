"""Soak: Home Assistant with zwave_quirks on the simulated network under load, with restarts.

Every node reports its power once a second for the whole run; the Z-Wave JS server (the
WebSocket server only: driver and nodes go on) is stopped and started again `--restarts`
times, evenly spread. Prints reports sent, state changes seen, reports lost while connected,
latency from report to state (p50/p99), peak memory, and tasks left after unloading.

Run: .venv/bin/python bench/soak.py [--nodes 231] [--minutes 10] [--restarts 2]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from live import (
    MAX_NODES,
    OURS,
    WINDOWS,
    Watcher,
    analyse,
    dump_clock,
    live_home_assistant,
    our_tasks,
    outages,
    parse_arguments,
    peak_rss_mib,
    read_reports,
    run_load,
    setup_power_sensors,
    start_simulator,
    wait_available,
    wait_load_done,
)


async def soak(args: argparse.Namespace) -> None:
    sim, nodes = start_simulator(args)
    seconds = args.minutes * 60
    rate = len(nodes) * args.per_node_rate
    log = args.cache / "soak-reports.csv"
    try:
        with dump_clock() as dumps:
            async with live_home_assistant() as hass:
                t0 = time.monotonic()
                entry, sensors, enabled = await setup_power_sensors(hass, OURS, sim, nodes)
                print(
                    f"zwave_quirks: {len(sensors)} power sensors available "
                    f"{time.monotonic() - t0:.1f} s after setup began ({enabled} enabled by us)",
                    flush=True,
                )
                watcher = Watcher(hass, sensors)
                since = time.time()
                await run_load(hass, sim, rate, seconds, log)
                stops: list[float] = []
                for k in range(1, args.restarts + 1):
                    await asyncio.sleep(since + seconds * k / (args.restarts + 1) - time.time())
                    stops.append(time.time())
                    await hass.async_add_executor_job(sim.stop_server)
                    await asyncio.sleep(args.down)
                    await hass.async_add_executor_job(sim.start_server)
                    back = await wait_available(hass, sensors, 300)
                    print(
                        f"restart {k} at {stops[-1] - since:.0f} s: server down {args.down:g} s, "
                        f"all sensors back {back:.1f} s after the start",
                        flush=True,
                    )
                status = await wait_load_done(hass, sim, seconds + 600)
                await watcher.quiet(3, 120)
                watcher.stop()
                await hass.async_add_executor_job(watcher.save, args.cache / "soak-states.json")
                sim_peak = peak_rss_mib(sim.pid)  # type: ignore[arg-type]
                ha_peak = peak_rss_mib()
                assert await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
                await asyncio.sleep(1)
                left = our_tasks()
    finally:
        sim.stop()
    reports = read_reports(log)
    out = analyse(reports, sensors, watcher, since, outages(stops, dumps))
    worst = f"{max(out.latencies) * 1e3:.1f}" if out.latencies else "-"
    print()
    print(WINDOWS)
    print(
        f"\n{len(nodes)} nodes x {args.per_node_rate:g} report/s for {args.minutes:g} min, "
        f"{args.restarts} server restarts (down {args.down:g} s each), mock radio "
        f"{args.tx_delay} ms/frame"
    )
    rows = [
        ("reports sent", f"{out.sent}"),
        ("reports without the controller's ACK", f"{status['ackTimeouts']}"),
        ("state changes seen (power sensors)", f"{out.changes}"),
        ("reports sent while connected", f"{out.connected}"),
        ("lost while connected", f"{len(out.lost)}"),
        ("sent in outage windows (seen anyway)", f"{out.outage} ({out.outage_seen})"),
        ("sensors back after a stop (stale)", f"{out.reconnects} ({out.stale})"),
        ("latency p50 / p99 / max, ms", f"{out.pct(50):.1f} / {out.pct(99):.1f} / {worst}"),
        (
            "  of it from the controller's ACK, p50/p99",
            f"{out.pct(50, out.after_ack):.1f} / {out.pct(99, out.after_ack):.1f}",
        ),
        ("peak RSS Home Assistant (Python), MiB", f"{ha_peak:.0f}"),
        ("peak RSS simulator (Node), MiB", f"{sim_peak:.0f}"),
        ("tasks of ours left after unload", f"{len(left)}"),
    ]
    for name, value in rows:
        print(f"{name:<40} {value:>20}")
    for where in left:
        print(f"  left: {where}")
    for k, (start, dump) in enumerate(outages(stops, dumps), 1):
        print(f"  outage {k}: {start - since:.1f} s to {dump - since:.1f} s (state dump)")
    slow = sorted(zip(out.latencies, out.sent_at, strict=True), reverse=True)[:5]
    for latency, sent in slow:
        print(f"  slow: {latency * 1e3:.0f} ms, sent at {sent - since:.1f} s")
    # p99 per minute: when the slow ones were sent
    minutes: dict[int, list[float]] = {}
    for latency, sent in zip(out.latencies, out.sent_at, strict=True):
        minutes.setdefault(int((sent - since) // 60), []).append(latency)
    print("  p99 per minute, ms: " + " ".join(f"{out.pct(99, m):.0f}" for m in minutes.values()))
    for report in out.lost[:10]:
        print(f"  lost: node {report.node} {report.tenths / 10} W sent at {report.sent:.3f}")
    print(
        f"soak: {out.sent} sent, {out.changes} changes, {len(out.lost)} lost while connected, "
        f"p50 {out.pct(50):.1f} ms, p99 {out.pct(99):.1f} ms, HA {ha_peak:.0f} MiB, "
        f"sim {sim_peak:.0f} MiB, {len(left)} tasks left"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--down", type=float, default=5, help="seconds the server is stopped")
    parser.add_argument("--per-node-rate", type=float, default=1, help="reports/s per node")
    asyncio.run(soak(parse_arguments(parser, nodes=MAX_NODES)))


if __name__ == "__main__":
    main()
