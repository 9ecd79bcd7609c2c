"""Start/stop the simulated Z-Wave network (simulator/src/main.js) from Python.

Stdlib only (Python 3.11+). Used by the end-to-end tests and the demo script.

    with Simulator(cache_dir=Path("/tmp/zw-cache")) as sim:
        print(sim.url, sim.home_id)
        sim.report_meter(4, "W", 1234.5)

CLI: python simulator/launcher.py --ws-port 3000 [--control-port 3001] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

SIM_DIR = Path(__file__).resolve().parent
MAIN_JS = SIM_DIR / "src" / "main.js"
NODE_MODULES = SIM_DIR / "node_modules"
READY_PREFIX = "ZWAVE_SIM_READY "
MAX_NODES = 231  # node ids 2..232 (node 1 is the controller): nodes + others

_running: set[Simulator] = set()  # stopped by the atexit hook


def _ephemeral_ports() -> tuple[int, int]:
    """The kernel's range for outgoing connections and for port 0."""
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii")
        low, high = (int(part) for part in text.split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def _free_port() -> int:
    """A free port below the kernel's ephemeral range.

    A simulator keeps its ports across its restarts (clients reconnect to the
    same URL). A port of the ephemeral range can be taken by any connection
    while it is stopped: a CI run once failed so (EADDRINUSE on restart).
    """
    low, _high = _ephemeral_ports()
    pick = random.SystemRandom()  # not the tests' seeded generator: workers differ
    for _ in range(100):
        port = pick.randrange(max(1024, low - 12000), low) if low > 2048 else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port below the ephemeral range")


def _tail(path: Path | None, lines: int = 40) -> str:
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Simulator:
    """One simulated network process (driver + mock nodes + Z-Wave JS server + control API)."""

    def __init__(
        self,
        cache_dir: Path,
        ws_port: int | None = None,
        control_port: int | None = None,
        log_path: Path | None = None,
        node: str = "node",
        *,
        nodes: int | None = None,
        tx_delay: int | None = None,
        log_level: str = "info",
        foreign_plug: bool = False,
        others: int = 0,
    ) -> None:
        if foreign_plug and nodes is None:
            raise ValueError("foreign_plug replaces the last of the nodes: give nodes")
        if others < 0 or (nodes or 0) + others > MAX_NODES:
            raise ValueError(
                f"nodes {nodes} + others {others}: a network has at most {MAX_NODES} nodes"
                f" (ids 2..{MAX_NODES + 1}), others >= 0"
            )
        self.cache_dir = Path(cache_dir)
        self.ws_port = ws_port or _free_port()
        self.control_port = control_port or _free_port()
        while self.control_port == self.ws_port:
            self.control_port = _free_port()
        self.log_path = Path(log_path) if log_path else None
        self.node = node
        # nodes 2..nodes+1: one of each shipped device (README.md), then copies; None: one of each
        self.nodes = nodes
        self.tx_delay = tx_delay  # ms per frame on the mock radio (None: zwave-js's 10)
        self.log_level = log_level
        # the last of the nodes is a metering plug no quirk supports
        self.foreign_plug = foreign_plug
        # then nodes of other kinds that no quirk supports (README.md), ids nodes+2..;
        # nodes + others is at most 231
        self.others = others
        self.ready_info: dict | None = None
        self._proc: subprocess.Popen | None = None
        self._log_file: Any = None
        self._effective_log: Path | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}"

    @property
    def home_id(self) -> int | None:
        return self.ready_info["homeId"] if self.ready_info else None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_file(self) -> Path | None:
        """Where the simulator's stderr (driver log) goes."""
        return self._effective_log

    def start(self, timeout: float = 180) -> dict:
        if self.running:
            assert self.ready_info is not None
            return self.ready_info
        if not NODE_MODULES.is_dir():
            raise RuntimeError(
                f"{NODE_MODULES} is missing: run scripts/setup (npm ci in simulator/) first"
            )
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._effective_log = self.log_path
        elif self._effective_log is None:
            fd, name = tempfile.mkstemp(prefix="zwave-sim-", suffix=".log")
            os.close(fd)
            self._effective_log = Path(name)
        self._log_file = open(self._effective_log, "ab")  # noqa: SIM115
        cmd = [
            self.node,
            str(MAIN_JS),
            "--ws-port", str(self.ws_port),
            "--control-port", str(self.control_port),
            "--cache-dir", str(self.cache_dir),
            "--log-level", self.log_level,
        ]  # fmt: skip
        if self.nodes is not None:
            cmd += ["--nodes", str(self.nodes)]
        if self.tx_delay is not None:
            cmd += ["--tx-delay", str(self.tx_delay)]
        if self.foreign_plug:
            cmd.append("--foreign-plug")
        if self.others:
            cmd += ["--others", str(self.others)]
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log_file,
                start_new_session=True,
                cwd=str(SIM_DIR),
            )
        except OSError as err:
            self._close_log()
            raise RuntimeError(f"could not start {self.node!r}: {err}") from err

        _running.add(self)
        result: dict[str, Any] = {}
        got_line = threading.Event()
        proc = self._proc

        def reader() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode("utf-8", errors="replace").strip()
                if line.startswith(READY_PREFIX) and "info" not in result:
                    try:
                        result["info"] = json.loads(line[len(READY_PREFIX) :])
                    except ValueError as err:
                        result["error"] = f"bad READY line: {line!r} ({err})"
                    got_line.set()
                    return  # nothing else comes on stdout; end the thread
            result["eof"] = True  # the process closed stdout: it has ended
            got_line.set()

        threading.Thread(target=reader, name="zwave-sim-stdout", daemon=True).start()
        got_line.wait(timeout)
        if "info" not in result:
            code = proc.poll()
            if code is None and result.get("eof"):
                try:
                    code = proc.wait(5)
                except subprocess.TimeoutExpired:
                    code = None
            self.stop()
            why = result.get("error") or (
                f"exited with code {code}"
                if code is not None
                else f"not ready after {timeout:.0f}s"
            )
            raise RuntimeError(
                f"Z-Wave simulator failed to start ({why}). Log {self._effective_log}:\n"
                + _tail(self._effective_log)
            )
        self.ready_info = result["info"]
        return self.ready_info

    def stop(self, timeout: float = 15, sig: int = signal.SIGTERM) -> None:
        proc, self._proc = self._proc, None
        _running.discard(self)
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass
            # reap leftovers of the process group (there should be none)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if sig == signal.SIGKILL:
                self._remove_dead_locks()
        self._close_log()

    def _remove_dead_locks(self) -> None:
        """Remove the driver cache's lock directories that a killed process left.

        zwave-js locks its cache with lock directories that count as stale only
        10 s after their last refresh: a start sooner than that after a kill
        fails with "Failed to lock DB file". A machine back from a power cut
        takes longer than that; the tests restart at once, so the dead
        process's locks go here. (Nothing else uses this cache directory.)
        """
        for lock in (self.cache_dir / "locks").glob("*.lock"):
            shutil.rmtree(lock, ignore_errors=True)

    def kill(self) -> None:
        """End the process at once (SIGKILL), as a crash or a power cut would."""
        self.stop(sig=signal.SIGKILL)

    def freeze(self) -> None:
        """Stop the process (SIGSTOP): its sockets stay open, nothing answers."""
        if self._proc is not None:
            os.killpg(self._proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """Let a frozen process go on (SIGCONT)."""
        if self._proc is not None:
            os.killpg(self._proc.pid, signal.SIGCONT)

    def _close_log(self) -> None:
        if self._log_file is not None:
            try:
                self._log_file.close()
            except OSError:
                pass
            self._log_file = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control API -------------------------------------------------------------------------

    def request(self, method: str, path: str, body: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.control_url + path,
            data=data,
            method=method.upper(),
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", errors="replace")
            raise RuntimeError(f"{method} {path} -> HTTP {err.code}: {detail}") from err

    def status(self) -> dict:
        return self.request("GET", "/status")

    def stop_server(self) -> None:
        self.request("POST", "/server/stop")

    def start_server(self) -> None:
        self.request("POST", "/server/start")

    def report_meter(
        self, node_id: int, scale: str, value: float, rate_type: str | None = None
    ) -> None:
        """Unsolicited Meter Report.

        rate_type None: "consumed", except node 4's scale "kVAh" (its export total), which
        uses the node's export rate type (see set_export_rate_type). An explicit rate_type
        ("consumed", "produced", "unspecified") only changes the rate type on the wire.
        """
        # without float noise (12349.745 + 0.1 is 12349.845000000001, which needs more
        # decimals than a meter's 4 bytes hold)
        body: dict[str, Any] = {"scale": scale, "value": round(value, 6)}
        if rate_type is not None:
            body["rateType"] = rate_type
        self.request("POST", f"/nodes/{node_id}/meter", body)

    def set_meter(self, node_id: int, scale: str, value: float) -> None:
        """Move a meter's register without a report: the next Meter Get answers with it."""
        self.request(
            "POST",
            f"/nodes/{node_id}/meter",
            {"scale": scale, "value": round(value, 6), "silent": True},
        )

    def set_export_rate_type(self, node_id: int, rate_type: str) -> None:
        """Rate type ("consumed" or "produced") of node 4's scale 1 (export) reports."""
        self.request("POST", f"/nodes/{node_id}/export", {"rateType": rate_type})

    def report_temperature(self, node_id: int, value: float) -> None:
        """Unsolicited Multilevel Sensor Report (°C); -999.9 is the Z-HAN2's "no reading"."""
        self.request("POST", f"/nodes/{node_id}/temperature", {"value": value})

    def activate_scene(self, node_id: int, scene_id: int) -> None:
        self.request("POST", f"/nodes/{node_id}/scene", {"sceneId": scene_id})

    def press_switch(self, node_id: int, on: bool) -> None:
        self.request("POST", f"/nodes/{node_id}/switch", {"on": on})

    def set_device_config(self, node_id: int, param: int, value: int) -> None:
        self.request("POST", f"/nodes/{node_id}/config", {"param": param, "value": value})

    def node_state(self, node_id: int) -> dict:
        return self.request("GET", f"/nodes/{node_id}/state")

    def received(self, node_id: int, include_gets: bool = False) -> list:
        return self.request(
            "GET", f"/nodes/{node_id}/received" + ("?all=1" if include_gets else "")
        )

    def clear_received(self, node_id: int) -> None:
        self.request("POST", f"/nodes/{node_id}/received/clear")

    def start_load(
        self,
        rate: float,
        seconds: float,
        nodes: list[int] | None = None,
        log: Path | None = None,
    ) -> dict:
        """Nodes send power reports (W), `rate` per second in total, round robin.

        Each value is unique per node within the run; when the run ends or is stopped,
        `log` gets one CSV line per report: node,value,sentAt (ms since the epoch),serverRunning.
        """
        body: dict[str, Any] = {"nodes": nodes or "all", "rate": rate, "seconds": seconds}
        if log is not None:
            body["log"] = str(log)
        return self.request("POST", "/load", body)

    def load_status(self) -> dict:
        return self.request("GET", "/load")

    def wait_load(self, timeout: float) -> dict:
        """The load's status once its run has ended (and its log is written)."""
        end = time.monotonic() + timeout
        while (status := self.load_status())["running"]:
            if time.monotonic() > end:
                raise TimeoutError(f"load still running after {timeout:.0f}s: {status}")
            time.sleep(0.2)
        return status

    def stop_load(self) -> dict:
        return self.request("POST", "/load/stop")

    def include(self, kind: str) -> int:
        """A node of `kind` waits to join: the next inclusion a client starts adds it.

        `kind`: "hank" (a copy of the HANK plug, with the project's behaviours) or an
        other kind ("thermostat", "multisensor", "dimmer", "metering-plug", "lock").
        Returns its node id (one above the highest). RuntimeError (HTTP 400) while
        another node is pending, for an unknown kind, or when node 232 exists.
        """
        return self.request("POST", "/inclusion", {"kind": kind})["nodeId"]

    def pending_inclusion(self) -> dict | None:
        """The node waiting to join ({"nodeId", "kind", "since"}), or None."""
        return self.request("GET", "/inclusion")

    def cancel_inclusion(self) -> int:
        """Withdraw the node waiting to join (before an inclusion added it); its node id."""
        return self.request("POST", "/inclusion/cancel")["nodeId"]

    def fail(self, node_id: int) -> None:
        """The node stops acknowledging frames (gone, broken): it can be removed as failed.

        A client's controller.remove_failed_node then removes it, and the server sends every
        client "node removed". Until the simulator starts again.
        """
        self.request("POST", f"/nodes/{node_id}/fail")

    def revive(self, node_id: int) -> None:
        """A node that fails acknowledges frames again (its next report tells zwave-js)."""
        self.request("POST", f"/nodes/{node_id}/revive")

    def failed(self) -> list[int]:
        """The nodes that fail and are not removed yet."""
        return list(self.request("GET", "/removal")["failed"])


@atexit.register
def _stop_all() -> None:
    for sim in list(_running):
        try:
            sim.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the simulated Z-Wave network")
    parser.add_argument("--ws-port", type=int, default=3000)
    parser.add_argument("--control-port", type=int, default=None)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--log", type=Path, default=None, help="log file (default: temp file)")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument(
        "--nodes",
        type=int,
        default=None,
        help="node ids 2..nodes+1, at most 231 (default: one of each shipped device)",
    )
    parser.add_argument(
        "--others", type=int, default=0, help="then nodes no quirk supports (nodes + others <= 231)"
    )
    parser.add_argument("--tx-delay", type=int, default=None, help="ms per mock radio frame")
    args = parser.parse_args(argv)

    cache_dir = args.cache_dir or Path(tempfile.gettempdir()) / "zwave-quirks-sim-cache"
    sim = Simulator(
        cache_dir,
        ws_port=args.ws_port,
        control_port=args.control_port,
        log_path=args.log,
        nodes=args.nodes,
        tx_delay=args.tx_delay,
        others=args.others,
    )

    stop_event = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop_event.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        t0 = time.monotonic()
        info = sim.start(timeout=args.timeout)
        print(f"Z-Wave simulator ready in {time.monotonic() - t0:.1f}s: {sim.url}", flush=True)
        print(
            f"  home id {info['homeId']:#010x}, nodes {info['nodes']},"
            f" control API {sim.control_url}, log {sim.log_file}",
            flush=True,
        )
        while not stop_event.is_set():
            if not sim.running:
                print("simulator process ended unexpectedly", flush=True)
                return 1
            stop_event.wait(0.5)
    except RuntimeError as err:
        print(str(err), flush=True)
        return 1
    finally:
        sim.stop()
    print("Z-Wave simulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
