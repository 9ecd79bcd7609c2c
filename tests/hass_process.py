"""Home Assistant as a process of its own (`hass`), for the tests that need a real one.

The browser test and the restart tests run `hass` on 127.0.0.1 with this
integration and a minimal configuration (no default_config: its discovery
integrations send beyond loopback). `onboard` creates the owner through the
onboarding API, as the frontend does, and returns an access token.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts" / "dev"))

from ha_storage import mark_onboarding_done, write_http_store

HASS = Path(sys.executable).with_name("hass")
# `hass`, with the tests' one widening of the library's server schemas (see the file)
LAUNCH = Path(__file__).with_name("hass_launch.py")
BASE_CONFIG = "frontend:\nconfig:\nlogger:\n  default: warning\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_json(
    url: str, token: str | None = None, timeout: float = 10, data: dict[str, Any] | None = None
) -> Any:
    """GET, or POST ``data``, as JSON."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as r:
        return json.load(r)


def has_state(url: str, token: str, entity_id: str) -> bool:
    """Whether Home Assistant has a state for the entity (a disabled one has none)."""
    try:
        http_json(f"{url}/api/states/{entity_id}", token)
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return False
        raise
    return True


def wait_until(what: str, check: Callable[[], Any], timeout: float, every: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class Hass:
    """A `hass` process on 127.0.0.1 with this integration and a minimal configuration.

    ``configuration`` is the whole configuration.yaml; ``components`` are
    further custom integrations (folders) beside this one; ``skip_location``
    marks onboarding's location step done.
    """

    def __init__(
        self,
        config_dir: Path,
        configuration: str = BASE_CONFIG,
        components: tuple[Path, ...] = (),
        skip_location: bool = False,
    ) -> None:
        self.config_dir = config_dir
        self.configuration = configuration
        self.components = components
        # onboarding's location step sets up met, radio_browser and google_translate
        self.skip_location = skip_location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = config_dir / "hass-output.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0
        self.token = ""

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 180) -> None:
        """Start `hass` and wait until its HTTP server answers."""
        self.spawn()
        self.wait_answering(timeout)

    def spawn(self) -> float:
        """Start the process; the monotonic time it was started at."""
        self.config_dir.mkdir(parents=True, exist_ok=True)
        (self.config_dir / "configuration.yaml").write_text(self.configuration, encoding="utf-8")
        components = self.config_dir / "custom_components"
        if not components.exists():
            if self.components:
                components.mkdir()
                for folder in (ROOT / "custom_components" / "zwave_quirks", *self.components):
                    (components / folder.name).symlink_to(folder)
            else:
                components.symlink_to(ROOT / "custom_components")
        # HTTP settings in YAML would need confirming in the UI (2026.10)
        write_http_store(self.config_dir, "127.0.0.1", self.port)
        if self.skip_location:
            mark_onboarding_done(self.config_dir, ["core_config"])
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, str(LAUNCH), "--config", str(self.config_dir), "--skip-pip"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return time.monotonic()

    def _alive(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            raise AssertionError(f"hass exited ({self._proc.returncode}):\n{self.tail()}")

    def wait_answering(self, timeout: float = 180) -> None:
        def ready() -> bool:
            self._alive()
            try:
                http_json(f"{self.url}/api/onboarding", timeout=2)
            except OSError, ValueError:
                return False
            return True

        wait_until("Home Assistant to answer", ready, timeout)

    def wait_running(self, timeout: float = 180, every: float = 0.25) -> None:
        """Until Home Assistant has started (its core state RUNNING); needs the token."""

        def started() -> bool:
            self._alive()
            try:
                return self.api("config", timeout=2)["state"] == "RUNNING"
            except OSError, ValueError:
                return False

        wait_until("Home Assistant to have started", started, timeout, every)

    def api(self, path: str, data: dict[str, Any] | None = None, timeout: float = 10) -> Any:
        """The REST API with the owner's token."""
        return http_json(f"{self.url}/api/{path}", self.token, timeout, data)

    def state(self, entity_id: str) -> dict[str, Any] | None:
        try:
            return dict(self.api(f"states/{entity_id}"))
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def onboard(self) -> str:
        """Create the owner and finish onboarding through its API; the access token."""
        client_id = f"{self.url}/"
        user = http_json(
            f"{self.url}/api/onboarding/users",
            data={
                "client_id": client_id,
                "name": "Test User",
                "username": "test",
                "password": "test-password-1234",
                "language": "en",
            },
        )
        form = urllib.parse.urlencode(
            {"grant_type": "authorization_code", "code": user["auth_code"], "client_id": client_id}
        ).encode()
        with urllib.request.urlopen(f"{self.url}/auth/token", form, timeout=10) as r:
            self.token = json.load(r)["access_token"]
        for step, data in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": client_id, "redirect_uri": client_id}),
        ):
            try:
                self.api(f"onboarding/{step}", data)
            except urllib.error.HTTPError as err:
                if err.code != 403:  # 403: the step is done already
                    raise
        return self.token

    def add_entry(self, handler: str, data: dict[str, Any]) -> dict[str, Any]:
        """An integration's config flow through the API, one form; the created entry."""
        step = self.api("config/config_entries/flow", {"handler": handler})
        step = self.api(f"config/config_entries/flow/{step['flow_id']}", data)
        assert step["type"] == "create_entry", step
        return dict(step["result"])

    def stop(self, timeout: float = 60, sig: int = signal.SIGTERM) -> None:
        """SIGTERM (and wait for the process), or SIGKILL; nothing of its group stays."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        with contextlib.suppress(ProcessLookupError):  # anything left in its group
            os.killpg(proc.pid, signal.SIGKILL)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def error_lines(self) -> list[str]:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if " ERROR " in line]
