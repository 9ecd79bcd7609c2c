"""Protect total_increasing meters from bad readings.

Home Assistant's statistics book a drop of a growing total as a meter reset
and every rise as consumption, so one bad reading ruins the energy dashboard.
Real failures, and what the guard does about them:

- a negative total (about -21,474,836 kWh from a signed overflow,
  home-assistant/core #159919, #57230): never shown, however often it comes;
- a spike (an absurd kWh value, core #56493 and #81179; a misplaced decimal,
  12.75 -> 125.271 kWh, zwave-js-ui #2367): a rise that implies more average
  power than the meter can carry is held back; the next reading decides.
  Back on the old track: the spike is discarded. Continuing from the new
  level: a real jump (a replaced meter), accepted;
- a drop (a counter back to 0, core #77252): held back once; a second reading
  below the last total confirms a reset on the device, anything else shows
  that it was a glitch. A reset through this integration is accepted at once.

Only readings from the node decide. A value read again (after a reconnect,
a value added or its metadata updated) is shown only when it fits the last
accepted total, and never confirms a held reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .const import LOGGER

# how long after a press of the reset button a drop is the expected reset
EXPECT_RESET_SECONDS = 120.0
# a held reading is confirmed by a different reading, or by the same one this
# much later: a repeated frame (zwave-js does not drop repeated non-secure
# frames) never confirms a spike or a drop
CONFIRM_SECONDS = 5.0
# readings are quantised and their timestamps are when they arrived: a rise
# is allowed this much on top of the meter's largest power over the time
SLACK_KWH = 0.1
SLACK_SECONDS = 60.0

DROP = "drop"
SPIKE = "spike"
NEGATIVE = "negative"
REASONS = (DROP, SPIKE, NEGATIVE)


@dataclass(frozen=True, slots=True)
class Held:
    """A reading held back, and why."""

    value: float
    reason: str
    at: float


class TotalGuard:
    """Decides which readings of a growing total to show.

    Times are seconds since the epoch; powers are kW. The caller passes the
    meter's largest power with each reading (it may depend on a parameter).
    """

    def __init__(self, label: str) -> None:
        """Initialize; label names the meter in log lines."""
        self.label = label
        self.last: float | None = None
        self.last_at: float | None = None
        # a drop or spike that the next reading confirms or discards
        self.pending: Held | None = None
        # the last reading held back, for diagnostics
        self.held: Held | None = None
        self.counts: dict[str, int] = dict.fromkeys(REASONS, 0)
        self._reset_until: float | None = None
        self._negative_episode = False
        # told of each reading it accepts: (total, time, new_level); new_level
        # when the total does not continue the last one (the first, a reset, a jump)
        self.on_accepted: Callable[[float, float, bool], None] | None = None

    # -- state ------------------------------------------------------------------

    def seed(self, value: float, at: float | None) -> None:
        """Start from a known total (the state restored after a restart)."""
        if self.last is None and value >= 0:
            self.last, self.last_at = value, at

    def expect_reset(self, now: float, expected: bool = True) -> None:
        """A drop soon is a reset made through this integration (or, no longer)."""
        self._reset_until = now + EXPECT_RESET_SECONDS if expected else None

    def as_dict(self) -> dict[str, Any]:
        """The guard's decisions, for diagnostics."""

        def held(item: Held | None) -> dict[str, Any] | None:
            return None if item is None else {"value": item.value, "reason": item.reason}

        return {
            "last": self.last,
            "pending": held(self.pending),
            "held": held(self.held),
            "counts": dict(self.counts),
        }

    # -- decisions ----------------------------------------------------------------

    @staticmethod
    def _fits(value: float, base: float, since: float | None, now: float, kw: float | None) -> bool:
        """Whether a rise from base is physically possible since then.

        With no known time (a total restored without one), only the slack.
        """
        if value < base:
            return False
        if kw is None:
            return True
        hours = 0.0 if since is None else max(0.0, now - since) / 3600
        return value - base <= kw * hours + max(SLACK_KWH, kw * SLACK_SECONDS / 3600)

    @staticmethod
    def _confirms(value: float, pending: Held, now: float) -> bool:
        """Whether a reading may confirm a held one: not the same frame again."""
        return value != pending.value or now - pending.at >= CONFIRM_SECONDS

    def _accept(self, value: float, now: float) -> float:
        self.last, self.last_at, self.pending = value, now, None
        return value

    def _accept_reading(self, value: float, now: float, new_level: bool = False) -> float:
        self._accept(value, now)
        if self.on_accepted is not None:
            self.on_accepted(value, now, new_level)
        return value

    def _hold(self, value: float, reason: str, now: float, pending: bool) -> float | None:
        self.counts[reason] += 1
        self.held = Held(value, reason, now)
        if pending:
            self.pending = self.held
        return self.last

    def refresh(self, value: float, now: float, kw: float | None = None) -> float | None:
        """The value to show for a value read again, not newly reported.

        It is shown when it fits the last total; its time is unknown, so the
        last accepted time stays (a restart must not forget it).
        """
        if value < 0:
            return self.last
        if self.last is None:
            # nothing to measure against: current as of now
            self.last, self.last_at = value, now
        elif self.pending is None and self._fits(value, self.last, self.last_at, now, kw):
            self.last = value
        return self.last

    def reading(self, value: float, now: float, kw: float | None = None) -> float | None:
        """The value to show for a new reading from the node."""
        expecting = self._reset_until is not None and now <= self._reset_until
        if value < 0:
            if not self._negative_episode:
                self._negative_episode = True
                LOGGER.warning(
                    "%s: negative total %s ignored; a growing total cannot be negative",
                    self.label,
                    value,
                )
            return self._hold(value, NEGATIVE, now, pending=False)
        self._negative_episode = False
        if self.last is None:
            return self._accept_reading(value, now, new_level=True)
        if value < self.last:
            return self._drop(value, self.last, now, expecting)
        return self._rise(value, self.last, now, kw)

    def _rise(self, value: float, last: float, now: float, kw: float | None) -> float | None:
        pending = self.pending
        if pending is not None and pending.reason == SPIKE:
            if self._fits(value, last, self.last_at, now, kw):
                LOGGER.warning(
                    "%s: spike discarded: %s is back on the track of %s",
                    self.label,
                    pending.value,
                    last,
                )
                return self._accept_reading(value, now)
            if not self._confirms(value, pending, now):
                return self.last
            if self._fits(value, pending.value, pending.at, now, kw):
                LOGGER.warning(
                    "%s: the jump from %s to %s is confirmed by %s; accepted as a new level",
                    self.label,
                    last,
                    pending.value,
                    value,
                )
                return self._accept_reading(value, now, new_level=True)
        elif self._fits(value, last, self.last_at, now, kw):
            return self._accept_reading(value, now)
        LOGGER.warning(
            "%s: reading %s rises from %s faster than the meter can (at most %s kW); "
            "held back until the next reading shows whether it was a spike",
            self.label,
            value,
            last,
            kw,
        )
        return self._hold(value, SPIKE, now, pending=True)

    def _drop(self, value: float, last: float, now: float, expecting: bool) -> float | None:
        if expecting:
            self._reset_until = None
            LOGGER.info("%s: new total %s after a meter reset", self.label, value)
            return self._accept_reading(value, now, new_level=True)
        if (pending := self.pending) is not None and pending.reason == DROP:
            if not self._confirms(value, pending, now):
                return self.last
            LOGGER.warning(
                "%s: drop from %s to %s confirmed, accepted as a meter reset",
                self.label,
                last,
                value,
            )
            return self._accept_reading(value, now, new_level=True)
        LOGGER.warning(
            "%s: reading %s is below the last total %s; held back until the next "
            "reading confirms it",
            self.label,
            value,
            last,
        )
        return self._hold(value, DROP, now, pending=True)
