"""The integration as a new user meets it, in a real browser.

Home Assistant runs as its own process (`hass`) with this integration and a
fresh simulated network; Debian's Chromium, driven by Playwright, completes
onboarding, adds the integration through its config flow, reads the device
pages, writes a bad value, toggles the plug, makes an automation from each of
the integration's blueprints and sees it run, adds core's Z-Wave JS beside it
and puts its duplicates away through the repair issue, and switches to Norwegian.
Screenshots go to docs/images/. Without Chromium or Playwright the test is
skipped (scripts/setup --browser installs both), and the summary says so.

Nothing leaves the machine: Home Assistant listens on 127.0.0.1 and runs
without default_config, and the browser may only ask Home Assistant, minus
the map tiles and other integrations' brand images, which Home Assistant
would fetch from the internet.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import NETWORK_NODES, ROOT, Simulator
from .hass_process import BASE_CONFIG, HASS, Hass, has_state, http_json, wait_until

try:
    from playwright.sync_api import Locator, Page, Route, sync_playwright
except ImportError:  # scripts/setup --browser installs it
    sync_playwright = None

CHROMIUM = Path(os.environ.get("ZWQ_CHROMIUM", "/usr/bin/chromium"))
# Chromium as root, headless, and quiet: without the background-networking
# flags it keeps trying hosts beyond this machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A common desktop width: the device page in three columns. (At 1280 px, the
# narrowest three-column layout, a number's box leaves only 13-17 characters.)
VIEWPORT = {"width": 1440, "height": 900}
# the narrowest three-column layout, a common laptop width
NARROW = 1280
IMAGES = ROOT / "docs" / "images"
TRANSLATIONS = ROOT / "custom_components" / "zwave_quirks" / "translations"

# The HAN's names that must be shown whole (sensor translation keys).
MUST_FIT = (
    "power",
    "energy",
    "energy_export",
    "temperature",
    "meter_serial",
    # the capacity tariff's (issue 13)
    "energy_this_hour",
    "estimated_energy_this_hour",
    "capacity_peak_average",
    "capacity_step",
    "next_step_threshold",
)
# Names known to be cut at VIEWPORT, and why. The test fails when one of them
# fits, so that its entry goes.
KNOWN_CUT: dict[str, str] = {}


# The wrong address the config flow is given first; the test checks that
# nothing listens there.
CLOSED_PORT = 1


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "Playwright is not installed (run scripts/setup --browser)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (run scripts/setup --browser)"
    if not HASS.exists():
        return f"no {HASS}"
    return None


SKIP_REASON = _skip_reason()
# .ci/run sets this: there the test must run, not be skipped
REQUIRED = os.environ.get("ZWQ_BROWSER_REQUIRED") == "1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(SKIP_REASON is not None and not REQUIRED, reason=SKIP_REASON or ""),
]


@pytest.fixture(autouse=True)
def browser_available() -> None:
    """Fail, rather than skip, where the browser test is required."""
    if SKIP_REASON is not None:
        pytest.fail(f"the browser test is required here, but: {SKIP_REASON}")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No `hass` fixture here: Home Assistant runs as a process of its own."""


def _translations(language: str) -> dict[str, Any]:
    return json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))


# Every entity name on a device page: the row it is in, the width its text
# needs and the width it has, and the room the row would give a longer name.
MEASURE_NAMES = """async () => {
  await document.fonts.ready;
  const names = [];
  const contentWidth = (el) => {
    const cs = getComputedStyle(el);
    return el.getBoundingClientRect().width
      - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  };
  const textWidth = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().width;
  };
  const measure = (el, row) => {
    const text = el.innerText.trim();
    if (!text) return;
    const width = contentWidth(el);
    const probe = document.createElement('span');
    probe.textContent = 'x'.repeat(300);
    el.appendChild(probe);
    const room = contentWidth(el);
    probe.remove();
    const need = textWidth(el);
    names.push({
      text, row, need, width, room,
      cut: need > width + 0.5 || el.scrollWidth > el.clientWidth,
      font: getComputedStyle(el).fontSize,
    });
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      const row = el.tagName.toLowerCase();
      if (!row.startsWith('hui-') || !row.endsWith('-entity-row') || !el.shadowRoot) continue;
      const generic = el.shadowRoot.querySelector('hui-generic-entity-row');
      const info = generic && generic.shadowRoot && generic.shadowRoot.querySelector('.info');
      if (info && info.clientWidth) measure(info, row);
      // a select's name is the label in its box
      const select = el.shadowRoot.querySelector('ha-select');
      const field = select && select.shadowRoot
        && select.shadowRoot.querySelector('ha-picker-field');
      const item = field && field.shadowRoot
        && field.shadowRoot.querySelector('ha-combo-box-item');
      const label = item && item.querySelector('[slot=overline]');
      if (label) measure(label, row);
    }
  };
  walk(document);
  return names;
}"""


def _measure(page: Page, *names: str) -> list[dict[str, Any]]:
    """The page's names, once those given are there and no more rows come."""
    for name in names:
        page.get_by_text(name, exact=True).first.wait_for()
    counts: list[int] = []

    def settled() -> bool:
        counts.append(len(page.evaluate(MEASURE_NAMES)))
        return len(counts) >= 3 and counts[-1] == counts[-2] == counts[-3] > 0

    wait_until("the device page to settle", settled, 30)
    return list(page.evaluate(MEASURE_NAMES))


def _visible(name: dict[str, Any]) -> str:
    """What a name shows: whole, or the characters that fit before the ellipsis."""
    if not name["cut"]:
        return str(name["text"])
    fit = int(len(name["text"]) * name["width"] / name["need"]) - 1
    return str(name["text"])[: max(fit, 1)] + "…"


def _alike_at(page: Page, width: int, *names: str) -> tuple[list[str], list[str]]:
    """At a narrower window: the names that read the same (cut to one text), and a report."""
    page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
    try:
        page.reload()
        measured = _measure(page, *names)
    finally:
        page.set_viewport_size(VIEWPORT)
    shown = Counter(_visible(n) for n in measured)
    alike = sorted(text for text, count in shown.items() if count > 1)
    lines = [f"  at {width} px: {len(measured)} names, {sum(n['cut'] for n in measured)} cut"]
    lines += [f"    {n['text']!r} shows {_visible(n)!r}" for n in measured if n["cut"]]
    return alike, lines


def _describe(names: list[dict[str, Any]]) -> list[str]:
    """One line per name; then, per kind of row, the least room and the characters it holds."""
    lines = [
        f"  {'CUT ' if n['cut'] else '    '}{n['text']!r:34} {n['row'][4:-11]:7}"
        f" needs {n['need']:5.1f} px, has {n['width']:5.1f} px (room {n['room']:5.1f} px)"
        for n in names
    ]
    by_row: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for n in names:
        by_row.setdefault((n["row"][4:-11], n["font"]), []).append(n)
    for (row, font), group in sorted(by_row.items()):
        per_char = sum(n["need"] for n in group) / sum(len(n["text"]) for n in group)
        room = min(n["room"] for n in group)
        lines.append(
            f"  room for {row} names ({font}): {room:.0f} px at least,"
            f" about {room / per_char:.0f} characters at {per_char:.1f} px each"
        )
    return lines


def _screenshot(target: Page | Locator, name: str) -> Path:
    """A PNG in docs/images/: a whole page without the sidebar, or one element.

    The sidebar goes because it shifts by a pixel from run to run; the palette
    of 256 colours keeps the files small.
    """
    from PIL import Image  # noqa: PLC0415 - Home Assistant's dependency, only needed here

    if isinstance(target, Page):
        png = target.screenshot(full_page=True, animations="disabled")
        sidebar = target.locator("ha-sidebar").bounding_box()
        left = round(sidebar["x"] + sidebar["width"]) + 1 if sidebar else 0
    else:
        png = target.screenshot(animations="disabled")
        left = 0
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.crop((left, 0, image.width, image.height)).quantize(colors=256)
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / name
    image.save(path, optimize=True)
    return path


def _pick(page: Page, field: str, search: str, option: str) -> None:
    """Choose in one of the frontend's searchable pickers (country, language)."""
    page.locator("span[slot=overline]", has_text=field).click()
    dialog = page.get_by_role("dialog", name=field)
    dialog.get_by_placeholder("Search").fill(search)
    dialog.get_by_text(option, exact=True).click()


def _onboard(page: Page, hass: Hass) -> None:
    """Onboarding as a new user does it: user, location, country, analytics, finish."""
    page.goto(hass.url)
    page.get_by_role("button", name="Create my smart home").click()
    page.get_by_role("textbox", name="Name*", exact=True).fill("Test User")
    page.get_by_role("textbox", name="Username*", exact=True).fill("test")
    page.get_by_role("textbox", name="Password*", exact=True).fill("test-password-1234")
    page.get_by_role("textbox", name="Confirm password*", exact=True).fill("test-password-1234")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Home location").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("We would like to know the country").wait_for()
    _pick(page, "Country", "Norway", "Norway")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Help us help you").wait_for()
    page.get_by_role("button", name="Next").click()  # analytics stay off
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url("**/home/**")


def _open_add_integration(page: Page) -> None:
    """Settings > Devices & services > Add integration > Z-Wave Quirks: its first step."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Devices & services").click()
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("Z-Wave Quirks")
    page.get_by_role("button", name="Z-Wave Quirks").click()


def _choose_entity(page: Page, search: str, option: str) -> list[str]:
    """In a blueprint's next empty entity box: what it offers, then choose one."""
    page.get_by_text("Select an entity").first.click()
    dialog = page.get_by_role("dialog", name="Select option")
    dialog.get_by_role("listitem").first.wait_for()
    # the items' texts are in shadow roots: the accessibility tree has them
    offered = re.findall(r"^\s*- listitem: (.+)$", dialog.aria_snapshot(), re.MULTILINE)
    dialog.get_by_placeholder("Search").fill(search)
    dialog.get_by_text(option, exact=True).first.click()
    return offered


def _new_automation(page: Page, url: str, blueprint: str) -> None:
    """Settings > Automations & scenes > Blueprints > the blueprint: a new automation."""
    page.goto(f"{url}/config/blueprint/dashboard")
    page.get_by_role("rowheader", name=blueprint).click()
    page.wait_for_url("**/config/automation/edit/new")


def _save_automation(page: Page) -> None:
    """Save; a release that asks for the name gets the blueprint's."""
    page.get_by_role("button", name="Save").click()
    traces = page.get_by_role("button", name="Traces")  # saved: it has traces
    named = page.get_by_role("dialog").get_by_role("button", name="Save")
    traces.or_(named).first.wait_for()
    if named.is_visible():
        named.click()
    traces.wait_for()


def _device_actions(page: Page, url: str, device: str) -> list[str]:
    """A new automation, Add action > By type > Device, the device: what Action offers."""
    page.goto(f"{url}/config/automation/edit/new")
    page.get_by_role("button", name="Add action").click()
    page.get_by_role("button", name="By type").last.click()
    page.get_by_role("button", name="Device", exact=True).click()
    page.get_by_role("button", name=re.compile(r"^Device Does something")).click()
    page.get_by_text("Select a device").first.click()
    dialog = page.get_by_role("dialog", name="Device")
    dialog.get_by_placeholder("Search").fill(device)
    dialog.get_by_text(device, exact=True).first.click()
    page.locator("ha-device-action-picker").click()
    dialog = page.get_by_role("dialog", name="Action")
    dialog.get_by_role("listitem").first.wait_for()
    # the list is virtual: search, so every action of ours is rendered
    dialog.get_by_placeholder("Search").fill("parameter")
    time.sleep(0.5)
    return re.findall(r"^\s*- listitem: (.+)$", dialog.aria_snapshot(), re.MULTILINE)


def _run_action(page: Page) -> None:
    """The open action's menu > Run action."""
    page.get_by_role("button", name="Menu").last.click()
    page.get_by_role("menuitem", name="Run action").click()


def _config_sets(sim: Simulator, node: int) -> list[dict[str, Any]]:
    """The Configuration Set commands a node received."""
    return [e for e in sim.received(node) if e["cc"] == "Configuration" and e["command"] == "Set"]


def _open_device(page: Page, device: str) -> str:
    """From the integration's page to a device's page; its URL."""
    page.locator("ha-config-entry-device-row", has_text=device).click()
    page.wait_for_url("**/config/devices/device/**")
    return page.url


@pytest.fixture
def simulator_fresh(tmp_path: Path, socket_enabled: None) -> Iterator[Simulator]:
    """A factory-new simulated network of its own (the session's has been written to)."""
    sim = Simulator(
        cache_dir=tmp_path / "zwave-cache",
        log_path=tmp_path / "simulator.log",
        nodes=NETWORK_NODES,
    )
    try:
        begun = time.monotonic()
        sim.start()
        sim.startup_seconds = time.monotonic() - begun  # type: ignore[attr-defined]
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def hass_process(tmp_path: Path, socket_enabled: None) -> Iterator[Hass]:
    # automations made in the UI go to automations.yaml, as in a new installation
    config = tmp_path / "config"
    config.mkdir()
    (config / "automations.yaml").write_text("[]\n", encoding="utf-8")
    hass = Hass(config, BASE_CONFIG + "automation: !include automations.yaml\n")
    try:
        begun = time.monotonic()
        hass.start()
        hass.startup_seconds = time.monotonic() - begun
        yield hass
    finally:
        hass.stop()


def test_new_user_in_the_browser(
    simulator_fresh: Simulator,
    hass_process: Hass,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    sim, hass = simulator_fresh, hass_process
    en, nb = _translations("en"), _translations("nb")
    uncut: list[str] = []  # names shown cut, on any page (issue 10: none may be)
    report: list[str] = []
    started = time.monotonic()
    phase_start = started

    def phase(name: str) -> None:
        nonlocal phase_start
        now = time.monotonic()
        report.append(f"{name}: {now - phase_start:.1f} s")
        phase_start = now

    report.append(
        f"simulator started: {sim.startup_seconds:.1f} s,"  # type: ignore[attr-defined]
        f" Home Assistant started: {hass.startup_seconds:.1f} s"
    )
    blocked: list[str] = []
    page_errors: list[str] = []

    def only_home_assistant(route: Route) -> None:
        url = route.request.url
        own = url.startswith(hass.url + "/")
        fetches_outside = "/api/map_tiles/" in url or (
            "/api/brands/" in url and "/zwave_quirks/" not in url
        )
        if own and not fetches_outside:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", CLOSED_PORT)) != 0, "something listens on CLOSED_PORT"
    assert sync_playwright is not None
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
            )
            page: Page | None = None
            try:
                context = browser.new_context(viewport=VIEWPORT, locale="en-US")
                context.set_default_timeout(30_000)
                context.route("**/*", only_home_assistant)
                page = context.new_page()
                page.on("pageerror", lambda err: page_errors.append(f"{err.name}: {err.message}"))

                _onboard(page, hass)
                token = page.evaluate("JSON.parse(localStorage.hassTokens).access_token")
                core = http_json(f"{hass.url}/api/config", token)
                assert core["country"] == "NO"
                assert core["unit_system"]["temperature"] == "°C"  # metric
                phase("onboarding")

                # Settings > Devices & services > Add integration > Z-Wave Quirks
                _open_add_integration(page)
                url_box = page.get_by_role("textbox", name="Server URL*")
                url_box.fill(f"ws://127.0.0.1:{CLOSED_PORT}")
                page.get_by_role("button", name="Submit").click()
                error = en["config"]["error"]["cannot_connect"]
                page.get_by_text(error, exact=True).wait_for()
                report.append(f"config flow error shown: {error!r}")
                _screenshot(page.get_by_role("dialog"), "config-flow-error.png")

                url_box.fill(sim.url)
                page.get_by_role("button", name="Submit").click()
                page.get_by_role("button", name="Skip and finish").click()
                page.wait_for_url("**/config/integrations/integration/zwave_quirks**")
                for device in ("Heatit Z-HAN2", "HANK Electronics HKZW-SO03", "Zooz ZEN06"):
                    page.locator("ha-config-entry-device-row", has_text=device).wait_for()
                integration_url = page.url
                phase("config flow")

                # The HAN's page: the names measured, the five that matter whole
                han_url = _open_device(page, "Heatit Z-HAN2")
                names = _measure(
                    page,
                    en["entity"]["sensor"]["meter_serial"]["name"],
                    en["entity"]["number"]["temperature_hysteresis"]["name"],
                    en["entity"]["button"]["reset_meters"]["name"],
                )
                report.append(f"HAN device page (en), {VIEWPORT['width']} px wide:")
                report.extend(_describe(names))
                uncut.extend(n["text"] for n in names if n["cut"])
                cut = {n["text"] for n in names if n["cut"]}
                shown = {n["text"] for n in names}
                for key in MUST_FIT:
                    name = en["entity"]["sensor"][key]["name"]
                    assert name in shown, f"{name!r} is not on the HAN's page"
                    if key in KNOWN_CUT:
                        assert name in cut, f"{name!r} fits now: drop it from KNOWN_CUT"
                        report.append(f"known cut: {name!r}: {KNOWN_CUT[key]}")
                    else:
                        assert name not in cut, f"{name!r} is cut"
                _screenshot(page, "han-device.png")
                # a common laptop width: names may be cut, but no two may read the same
                alike, lines = _alike_at(
                    page, NARROW, en["entity"]["number"]["temperature_hysteresis"]["name"]
                )
                report.extend(lines)
                assert not alike, f"names that read the same at {NARROW} px (en): {alike}"

                # A value off the parameter's step: an error, and nothing written
                sim.clear_received(4)
                name = en["entity"]["number"]["temperature_hysteresis"]["name"]
                box = page.locator("hui-number-entity-row", has_text=name).get_by_role("spinbutton")
                box.fill("2.3")
                box.press("Enter")
                toast = page.get_by_role("status").filter(has_text="2.3")
                toast.wait_for()
                message = toast.inner_text().strip()
                report.append(f"error for {name} = 2.3: {message!r}")
                # in the user's terms: the entity, not a parameter number
                assert name in message, message
                assert "parameter 7" not in message, message
                time.sleep(1)
                sets = _config_sets(sim, 4)
                assert not sets, sets
                phase("HAN device page")

                # The plug's Outlet, and the node follows
                page.goto(integration_url)
                _open_device(page, "HANK Electronics HKZW-SO03")
                outlet_row = page.locator(
                    "hui-toggle-entity-row", has_text=en["entity"]["switch"]["outlet"]["name"]
                )
                outlet = outlet_row.get_by_role("switch")
                assert sim.node_state(2)["switch"] is False
                assert not outlet.is_checked()
                outlet_row.locator("ha-switch").click()  # its thumb covers the input
                wait_until("node 2 to switch on", lambda: sim.node_state(2)["switch"], 15)
                wait_until("the switch to show on", outlet.is_checked, 15)
                names = _measure(
                    page,
                    en["entity"]["number"]["voltage_report_interval"]["name"],
                    en["entity"]["select"]["status_change_notifications"]["name"],
                )
                report.append(f"plug device page (en), {VIEWPORT['width']} px wide:")
                report.extend(_describe(names))
                uncut.extend(n["text"] for n in names if n["cut"])
                _screenshot(page, "plug-device.png")
                alike, lines = _alike_at(
                    page, NARROW, en["entity"]["number"]["voltage_report_interval"]["name"]
                )
                report.extend(lines)
                assert not alike, f"names that read the same at {NARROW} px (plug, en): {alike}"
                phase("plug device page")

                # A parameter from an automation: the picked device's own parameters
                # by name, and a value box in the parameter's unit
                offered = _device_actions(page, hass.url, "Heatit Z-HAN2")
                report.append(f"device actions of the Z-HAN2: {offered}")
                action_name = en["device_automation"]["action_type"]["set_parameter"]
                temperature = en["entity"]["number"]["temperature_hysteresis"]["name"]
                wanted = action_name.format(entity_name=f"Heatit Z-HAN2 {temperature}")
                ours = [o for o in offered if o.startswith(action_name.format(entity_name=""))]
                assert wanted in ours, offered
                # parameters 1-8 and 11; 9 and 10 are read only
                assert len(ours) == 9 and all("Heatit Z-HAN2" in o for o in ours), ours
                plug_only = en["entity"]["select"]["overload_protection"]["name"]
                assert not [o for o in offered if plug_only in o], offered
                page.get_by_role("dialog", name="Action").get_by_text(wanted, exact=True).click()
                value = page.get_by_role("spinbutton", name="Value*")
                page.get_by_text("°C", exact=True).wait_for()
                value.fill("2.5")
                sim.clear_received(4)
                _run_action(page)
                wait_until(
                    "parameter 7 to be set to 25 (2.5 °C)",
                    lambda: [(e["param"], e["value"]) for e in _config_sets(sim, 4)] == [(7, 25)],
                    15,
                )
                _screenshot(page, "device-action.png")
                value.fill("2.3")  # off the parameter's steps of 0.5
                sim.clear_received(4)
                _run_action(page)
                page.get_by_text("Error running action").wait_for()
                time.sleep(1)
                assert _config_sets(sim, 4) == []
                report.append("device action: 2.5 °C was set, 2.3 °C refused and not sent")
                phase("device action")

                # The blueprints, as the integration put them: an automation from
                # each, made in the editor, and seen to run
                _new_automation(page, hass.url, "Appliance finished")
                offered = _choose_entity(page, "HKZW", "HANK Electronics HKZW-SO03")
                report.append(f"Appliance finished offers as the power sensor: {offered}")
                assert "Power HANK Electronics HKZW-SO03 Sensor" in offered, offered
                # a capacity sensor is in kW: not the plug's power
                assert not [o for o in offered if "threshold" in o or "peak" in o], offered
                page.get_by_role("button", name="Add action").click()
                page.get_by_placeholder("Search").last.fill("persistent notification")
                page.get_by_text("Create persistent notification").first.click()
                done = "The washing machine has finished"
                page.get_by_role("textbox").first.fill(done)
                page.get_by_role("spinbutton", name="mm").fill("0")
                page.get_by_role("spinbutton", name="ss").fill("3")
                _save_automation(page)
                sim.report_meter(2, "W", 0)
                time.sleep(1)
                sim.report_meter(2, "W", 480)  # running
                time.sleep(1)
                sim.report_meter(2, "W", 1.5)  # finished, once it lasts 3 s
                page.get_by_role("button", name="Notifications").click()
                page.get_by_text(done).wait_for(timeout=20_000)
                report.append(f"Appliance finished ran: the notification {done!r} is shown")
                page.keyboard.press("Escape")

                _new_automation(page, hass.url, "Stay below the next capacity step")
                offered = _choose_entity(page, "Estimated", "Heatit Z-HAN2")
                report.append(f"Stay below offers as the estimate: {offered}")
                assert offered and all(o.endswith("Sensor") for o in offered), offered
                offered = _choose_entity(page, "Next step", "Heatit Z-HAN2")
                report.append(f"Stay below offers as the threshold: {offered}")
                assert offered == [
                    "Capacity peak average Heatit Z-HAN2 Sensor",
                    "Next step threshold Heatit Z-HAN2 Sensor",
                ], offered
                offered = _choose_entity(page, "Outlet", "HANK Electronics HKZW-SO03")
                # the frontend's filter knows no entity category: the devices'
                # settings are offered too, and the action refuses them
                report.append(f"Stay below offers {len(offered)} switches")
                _screenshot(page, "blueprint-stay-below.png")
                # act at 0.1 kW on average: a few seconds of 20 kW reach it
                margin = page.get_by_role("spinbutton").last
                margin.click()
                margin.press("Control+a")
                margin.press_sequentially("1.9")
                margin.press("Tab")
                sim.report_meter(4, "W", 0)
                _save_automation(page)
                left = 3600 - time.time() % 3600
                if left < 30:  # the hour ends before 20 kW could reach it
                    time.sleep(left + 2)
                    sim.report_meter(4, "W", 0)
                assert sim.node_state(2)["switch"] is True
                sim.report_meter(4, "W", 20_000)
                wait_until("the plug to be turned off", lambda: not sim.node_state(2)["switch"], 20)
                sim.report_meter(4, "W", 1500)
                report.append("Stay below ran: the plug was turned off")
                phase("blueprints")

                # Beside Z-Wave JS: core's integration added for the same network (its
                # own flow, through the API), then our repair issue puts its duplicates away
                flows = f"{hass.url}/api/config/config_entries/flow"
                step = http_json(flows, token, data={"handler": "zwave_js"})
                assert step["step_id"] == "manual", step
                step = http_json(f"{flows}/{step['flow_id']}", token, data={"url": sim.url})
                assert step["type"] == "create_entry", step
                core_kwh = "sensor.heatit_z_han2_electric_consumption_kwh"
                wait_until("core's entities", lambda: has_state(hass.url, token, core_kwh), 30)
                page.goto(f"{hass.url}/config/repairs")
                issue_tail = en["issues"]["superseded_entities"]["title"].split("}")[-1]
                issue = page.get_by_text(issue_tail)
                issue.wait_for()
                report.append(f"repair issue: {issue.inner_text().strip()!r}")
                issue.click()
                submit = page.get_by_role("button", name="Submit")
                submit.wait_for()
                # the form opens scrolled to its first box; the description says what it does
                described = page.get_by_text("Disabled entities stay in Home Assistant")
                described.scroll_into_view_if_needed()
                described.wait_for()
                report.append(
                    "fix flow offers"
                    f" {page.get_by_role('checkbox', include_hidden=True).count()} entities"
                )
                _screenshot(page, "beside-zwave-js-repair.png")
                submit.click()
                wait_until(
                    "core's kWh sensor to be disabled",
                    lambda: not has_state(hass.url, token, core_kwh),
                    15,
                )
                page.keyboard.press("Escape")
                page.goto(han_url)
                page.get_by_text("Connected via").wait_for()
                _screenshot(page, "beside-zwave-js-device.png")
                phase("beside Z-Wave JS")

                # Norwegian: entity names follow the system language once the
                # entry reloads; the user's own language changes the rest of the UI
                page.goto(f"{hass.url}/config/general")
                _pick(page, "Language", "bokmål", "Norsk Bokmål")
                page.get_by_role("button", name="Save").last.click()
                wait_until(
                    "the system language to be nb",
                    lambda: http_json(f"{hass.url}/api/config", token)["language"] == "nb",
                    15,
                )
                page.goto(integration_url)
                page.locator("ha-config-entry-row").get_by_role("button", name="Menu").first.click()
                page.get_by_role("menuitem", name="Reload").click()
                page.get_by_role("button", name="OK").click()
                page.goto(f"{hass.url}/profile/localization")
                _pick(page, "Language", "bokmål", "Norsk Bokmål")
                wait_until(
                    "the page to be in Norwegian",
                    lambda: page.locator("html").get_attribute("lang") == "nb",
                    15,
                )
                page.goto(han_url)
                names = _measure(
                    page,
                    *(nb["entity"]["sensor"][key]["name"] for key in MUST_FIT),
                    nb["entity"]["number"]["temperature_hysteresis"]["name"],
                )
                report.append(f"HAN device page (nb), {VIEWPORT['width']} px wide:")
                report.extend(_describe(names))
                uncut.extend(n["text"] for n in names if n["cut"])
                _screenshot(page, "han-device-nb.png")
                alike, lines = _alike_at(
                    page, NARROW, nb["entity"]["number"]["temperature_hysteresis"]["name"]
                )
                report.extend(lines)
                assert not alike, f"names that read the same at {NARROW} px (nb): {alike}"
                assert not uncut, f"names shown cut: {uncut}"
                phase("Norwegian")
            except BaseException:
                if page is not None:  # what the page showed, for the failure
                    page.screenshot(path=tmp_path / "failure.png")
                    (tmp_path / "failure.aria.txt").write_text(
                        page.locator("body").aria_snapshot(), encoding="utf-8"
                    )
                    report.append(f"failure screenshot: {tmp_path / 'failure.png'}")
                raise
            finally:
                browser.close()
    finally:
        report.append(f"requests kept from leaving the machine: {len(blocked)}")
        if page_errors:  # the frontend's own, uncaught
            counted = ", ".join(f"{n} times {e!r}" for e, n in Counter(page_errors).items())
            report.append(f"errors in the page: {counted}")
        errors = hass.error_lines()
        report.append(
            f"Home Assistant logged {len(errors)} errors; none may come from this"
            " integration (the others: ffmpeg, turbojpeg, and the onboarding integrations"
            " whose requirements the test's Home Assistant lacks):"
        )
        report.extend(f"  {line[:160]}" for line in errors)
        report.append(f"browser test total: {time.monotonic() - started:.1f} s")
        record_property("browser", "\n".join(report))
        print("\n".join(report))
    assert not [e for e in errors if "zwave_quirks" in e], errors


@pytest.fixture
def simulator_with_others(tmp_path: Path, socket_enabled: None) -> Iterator[Simulator]:
    """A network of its own with devices no quirk supports (the other maker's plug is 8)."""
    sim = Simulator(
        cache_dir=tmp_path / "zwave-cache-others",
        log_path=tmp_path / "simulator.log",
        nodes=NETWORK_NODES,
        others=5,
    )
    try:
        sim.start()
        yield sim
    finally:
        sim.stop()


OTHER_PLUG = 8


def _user_quirk_example() -> str:
    """The worked example of docs/user-quirks.md, as a user copies it."""
    text = (ROOT / "docs" / "user-quirks.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    return next(b for b in blocks if b.startswith("# <config>/zwave_quirks/other_plug.yaml"))


def test_your_own_quirk_in_the_browser(
    simulator_with_others: Simulator,
    hass_process: Hass,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    """docs/user-quirks.md, walked: export the other maker's plug in Developer tools, a
    broken file's repair issue, the fixed file's device page; the screenshots of the docs."""
    sim, hass = simulator_with_others, hass_process
    report: list[str] = []
    started = time.monotonic()
    folder = hass.config_dir / "zwave_quirks"
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        page: Page | None = None
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            context.set_default_timeout(30_000)
            page = context.new_page()
            _onboard(page, hass)
            token = page.evaluate("JSON.parse(localStorage.hassTokens).access_token")
            _open_add_integration(page)
            page.get_by_role("textbox", name="Server URL*").fill(sim.url)
            page.get_by_role("button", name="Submit").click()
            page.get_by_role("button", name="Skip and finish").click()
            page.wait_for_url("**/config/integrations/integration/zwave_quirks**")
            page.locator("ha-config-entry-device-row", has_text="Heatit Z-HAN2").wait_for()
            entries = http_json(f"{hass.url}/api/config/config_entries/entry", token)
            (entry_id,) = [e["entry_id"] for e in entries if e["domain"] == "zwave_quirks"]

            # Developer tools > Actions > Export a starting quirk, node 8
            page.goto(f"{hass.url}/developer-tools/action")
            page.locator("ha-service-picker, ha-action-picker, ha-picker-field").first.click()
            dialog = page.get_by_role("dialog", name="Select option")
            dialog.get_by_placeholder("Search").fill("export_quirk")
            dialog.get_by_text("Export a starting quirk", exact=True).first.click()
            page.get_by_role("spinbutton").first.fill(str(OTHER_PLUG))
            page.get_by_role("button", name="Perform action").click()
            page.get_by_role("heading", name="Response").wait_for()
            response = page.locator("ha-code-editor").last
            response.get_by_text("fingerprints:").wait_for()
            shown = response.locator(".cm-content").inner_text()
            # a block the user can copy as it is: literal, not folded
            assert "yaml: |" in shown, shown[:300]
            assert "manufacturer_id: 32515" in shown, shown
            # the answer at the top of the page, as a user reads it
            page.get_by_role("heading", name="Response").evaluate(
                "e => e.scrollIntoView({block: 'start'})"
            )
            time.sleep(0.5)
            _screenshot(page, "user-quirk-export.png")
            report.append("export of node 8 shown in Developer tools")

            def reload() -> None:
                http_json(
                    f"{hass.url}/api/config/config_entries/entry/{entry_id}/reload", token, data={}
                )

            # a broken file: its repair issue names the file and the line
            folder.mkdir()
            example = _user_quirk_example()
            path = folder / "other_plug.yaml"
            path.write_text(example.replace("max_power: 3680", "max_power: lots"), "utf-8")
            reload()
            page.goto(f"{hass.url}/config/repairs")
            issue = page.get_by_text("Quirk file other_plug.yaml is not valid")
            issue.wait_for()
            issue.click()
            page.get_by_text("sensors[1].max_power: expected float").wait_for()
            _screenshot(page.get_by_role("dialog"), "user-quirk-repair.png")
            page.keyboard.press("Escape")
            report.append("repair issue shown for the broken file")

            # fixed: the plug's device page has the file's entities
            path.write_text(example, "utf-8")
            reload()
            page.goto(f"{hass.url}/config/integrations/integration/zwave_quirks")
            _open_device(page, "Other maker Metering plug")
            for name in (
                "Power",
                "Energy",
                "Outlet",
                "LED",
                "Power change",
                "Power change reports",
            ):
                page.get_by_text(name, exact=True).first.wait_for()
            _screenshot(page, "user-quirk-device.png")
            report.append("the plug's device page shows the file's entities")
        except BaseException:
            if page is not None:
                page.screenshot(path=tmp_path / "failure.png")
                (tmp_path / "failure.aria.txt").write_text(
                    page.locator("body").aria_snapshot(), encoding="utf-8"
                )
            raise
        finally:
            browser.close()
    report.append(f"your own quirk, browser test total: {time.monotonic() - started:.1f} s")
    record_property("browser", "\n".join(report))
    errors = hass.error_lines()
    # the broken file's own error line is expected; nothing else of ours
    ours = [e for e in errors if "zwave_quirks" in e and "other_plug.yaml" not in e]
    assert not ours, ours
