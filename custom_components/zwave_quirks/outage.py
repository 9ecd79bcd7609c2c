"""A repair issue when the Z-Wave JS server has been unreachable for some minutes.

While the server is down every entity is only "unavailable"; after
OUTAGE_ISSUE_AFTER without a connection (from the loss, or from the first
failed setup after a start) a repair issue says why and where. It goes by
itself once a connection is back, and with the entry. It lives beside the
entry, not in its runtime data, because a setup that fails makes new runtime
data at every retry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HassJob, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import CONF_URL, DOMAIN, LOGGER
from .util import redact_url

OUTAGE_ISSUE = "server_unreachable"
OUTAGE_ISSUE_AFTER = timedelta(minutes=5)
OUTAGES: HassKey[dict[str, Outage]] = HassKey(f"{DOMAIN}_outages")


def outage_issue_id(entry_id: str) -> str:
    """The repair issue of an entry's outage."""
    return f"{OUTAGE_ISSUE}_{entry_id}"


class Outage:
    """How long one entry's server has been unreachable."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Initialize: the server is reachable until told otherwise."""
        self.hass = hass
        self.entry = entry
        self.since: datetime | None = None
        self._timer: Callable[[], None] | None = None

    @callback
    def async_down(self) -> None:
        """No connection (lost, or a setup failed): raise the issue if it lasts."""
        if self.since is not None:
            return
        self.since = dt_util.utcnow()
        self._timer = async_call_later(
            self.hass,
            OUTAGE_ISSUE_AFTER.total_seconds(),
            HassJob(self._async_raise, "zwave_quirks outage", cancel_on_shutdown=True),
        )

    @callback
    def async_up(self) -> None:
        """Connected: the outage, and its issue, are over."""
        self.async_cancel()
        ir.async_delete_issue(self.hass, DOMAIN, outage_issue_id(self.entry.entry_id))

    @callback
    def async_cancel(self) -> None:
        """Stop timing (the entry unloads)."""
        self.since = None
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _async_raise(self, _now: datetime) -> None:
        self._timer = None
        entry = self.entry
        if self.since is None or entry.disabled_by or entry.state is ConfigEntryState.NOT_LOADED:
            return
        LOGGER.info(
            "The Z-Wave JS server of %s has been unreachable since %s",
            self.entry.title,
            dt_util.as_local(self.since).isoformat(timespec="minutes"),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            outage_issue_id(self.entry.entry_id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=OUTAGE_ISSUE,
            translation_placeholders={
                "title": self.entry.title,
                "url": redact_url(self.entry.data.get(CONF_URL, "")),
                "since": dt_util.as_local(self.since).strftime("%Y-%m-%d %H:%M"),
            },
        )


@callback
def async_outage(hass: HomeAssistant, entry: ConfigEntry) -> Outage:
    """The entry's outage keeper, made once."""
    outages = hass.data.setdefault(OUTAGES, {})
    if (outage := outages.get(entry.entry_id)) is None:
        outage = outages[entry.entry_id] = Outage(hass, entry)
    return outage


@callback
def async_forget_outage(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The entry unloads or goes: no more timing, no issue."""
    if (outage := hass.data.get(OUTAGES, {}).pop(entry.entry_id, None)) is not None:
        outage.async_cancel()
    ir.async_delete_issue(hass, DOMAIN, outage_issue_id(entry.entry_id))
