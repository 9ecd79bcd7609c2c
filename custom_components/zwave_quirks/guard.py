"""Protect total_increasing meters from single bad readings.

A kWh total that drops makes Home Assistant's statistics book a meter reset and
then a huge false consumption. A single drop is held back; the next reading
either confirms it (a real reset on the device: accepted) or shows that it was
a glitch. A reset through this integration is expected and accepted at once.
"""

from __future__ import annotations

from .const import LOGGER

# how many readings a reset through the integration stays expected
EXPECT_RESET_READINGS = 3


class TotalGuard:
    """Decides which readings of a growing total to accept."""

    def __init__(self, label: str) -> None:
        """Initialize; label names the meter in log lines."""
        self.label = label
        self.last: float | None = None
        self.pending: float | None = None
        self._expect_reset = 0

    def seed(self, value: float) -> None:
        """Start from a known total (the state restored after a restart)."""
        if self.last is None:
            self.last = value

    def expect_reset(self, expected: bool = True) -> None:
        """The next drop is a reset made through this integration (or, no longer)."""
        self._expect_reset = EXPECT_RESET_READINGS if expected else 0

    def peek(self, value: float) -> float:
        """Return the value to show for a value read again, not newly reported."""
        if self.last is None or value >= self.last:
            self.last = value
            return value
        return self.last

    def accept(self, value: float) -> float:
        """Return the value to show for a new reading."""
        expecting = self._expect_reset > 0
        self._expect_reset = max(0, self._expect_reset - 1)
        if self.last is None or value >= self.last:
            self.last, self.pending = value, None
            return value
        if expecting:
            self._expect_reset = 0
            self.last, self.pending = value, None
            return value
        if self.pending is not None:
            LOGGER.warning(
                "%s: drop from %s to %s confirmed, accepted as a meter reset",
                self.label,
                self.last,
                value,
            )
            self.last, self.pending = value, None
            return value
        self.pending = value
        LOGGER.warning(
            "%s: reading %s is below the last total %s; held back until the next "
            "reading confirms it",
            self.label,
            value,
            self.last,
        )
        return self.last
