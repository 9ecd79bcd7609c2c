"""The energy total the dashboard books: it grows only by accepted consumption.

Home Assistant's statistics count every rise of a ``total_increasing``
state as consumption and every drop of more than 10 % as a new cycle that
starts from 0, so a bad level that lasts two readings, or a replaced meter,
books what was never used. The total shown here is therefore not the
device's register but the sum of what the register's accepted readings add:
it never drops and never jumps. The register is kept beside it (the sensor's
``meter_reading`` attribute). Real failures, and what the guard does:

- a negative total (about -21,474,836 kWh from a signed overflow,
  home-assistant/core #159919, #57230): never counted, however often it comes;
- a reading off the track, a rise that implies more average power than the
  meter can carry (an absurd kWh value, core #56493 and #81179; a misplaced
  decimal, 12.75 -> 125.271 kWh, zwave-js-ui #2367), or a drop (a counter
  back to 0, core #77252): the readings are held, the total waits. Back on
  the old track, what the register says was used is counted, and the bad
  level is discarded, however many readings it had.
- a new level that lasts DECIDE_SECONDS (a reset on the device, a replaced
  meter): the total goes on from it, the jump itself is not counted. The
  time between the last reading and the new level gets the energy of the
  power readings, when they cover it, else the new level's own rate. A jump
  up could also have been consumption the meter could not carry: the user
  is asked (a repair issue), and the answer is applied exactly.
- a reset through this integration: a drop within EXPECT_RESET_SECONDS of
  the press is the new level at once.

Only readings from the node decide. A value read again (after a reconnect,
a value added or its metadata updated) counts only when it continues the
track, and never decides a held level. Pure: no Home Assistant; times are
seconds since the epoch, powers kW.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

# how long after a press of the reset button a drop is the expected reset
EXPECT_RESET_SECONDS = 120.0
# the same held reading again within this time is a repeated frame (zwave-js
# does not drop repeated non-secure frames): it does not make a level last
CONFIRM_SECONDS = 5.0
# a level off the track that lasts this long, over two readings at least, is a new level
DECIDE_SECONDS = 3600.0
# readings are quantised and their timestamps are when they arrived: a rise
# is allowed this much on top of the meter's largest power over the time
SLACK_KWH = 0.1
SLACK_SECONDS = 60.0
# a power reading counts this long at most; longer without one is a gap
POWER_HOLD_SECONDS = 900.0


class Reason(StrEnum):
    """Why a reading is held."""

    DROP = "drop"
    SPIKE = "spike"
    NEGATIVE = "negative"


class Outcome(StrEnum):
    """What a reading did, for the one log line of a decision."""

    COUNTED = "counted"  # the total grew (or stayed) by the register's rise
    FIRST = "first"  # the first reading: the total starts at the register
    HELD = "held"  # a new level off the track is held; the total waits
    STILL_HELD = "still_held"  # another reading of a held level, or a repeated frame
    NEGATIVE = "negative"  # a negative reading, the first of an episode
    NEGATIVE_AGAIN = "negative_again"
    DISCARDED = "discarded"  # back on the track: the held level was bad
    NEW_LEVEL = "new_level"  # a held level lasted: the total goes on from it
    RESET = "reset"  # the expected reset through this integration
    IGNORED = "ignored"  # a value read again that does not continue the track


@dataclass(slots=True)
class Level:
    """A level off the track, held: its first and its latest reading."""

    reason: Reason
    first: float
    first_at: float
    latest: float
    latest_at: float
    readings: int = 1
    # the power readings' energy since the last accepted reading, up to first_at
    # (None: they do not cover that time)
    power_kwh: float | None = None


@dataclass(slots=True)
class Jump:
    """A jump up taken as a new level: it may have been consumption (the user decides)."""

    before: float  # the register's last accepted reading before the jump
    after: float  # the new level's first reading
    at: float
    # what the total got for the time between the two readings
    credited: float

    @property
    def uncounted(self) -> float:
        """What counting the jump as consumption adds to the total."""
        return max(0.0, self.after - self.before - self.credited)


@dataclass(slots=True)
class Result:
    """A reading's outcome, with what the log line needs."""

    outcome: Outcome
    value: float
    # the reading it is measured against (the last accepted register reading)
    last: float | None = None
    level: Level | None = None
    added: float = 0.0  # what the total gained
    jump: Jump | None = None  # a new level up: ask the user

    @property
    def changed(self) -> bool:
        """Whether the total or its register moved."""
        return self.outcome in (
            Outcome.COUNTED,
            Outcome.FIRST,
            Outcome.DISCARDED,
            Outcome.NEW_LEVEL,
            Outcome.RESET,
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _level(data: Any) -> Level | None:
    """A stored level; None if anything in it is not what it should be."""
    if not isinstance(data, dict) or data.get("reason") not in set(Reason):
        return None
    first, first_at, latest, latest_at = (
        _number(data.get(k)) for k in ("first", "first_at", "latest", "latest_at")
    )
    readings, power = data.get("readings"), data.get("power_kwh")
    if first is None or first_at is None or latest is None or latest_at is None:
        return None
    if not isinstance(readings, int) or (power is not None and _number(power) is None):
        return None
    return Level(
        Reason(data["reason"]), first, first_at, latest, latest_at, readings, _number(power)
    )


def _jump(data: Any) -> Jump | None:
    """A stored jump; None if anything in it is not a number."""
    if not isinstance(data, dict):
        return None
    before, after, at, credited = (
        _number(data.get(k)) for k in ("before", "after", "at", "credited")
    )
    if before is None or after is None or at is None or credited is None:
        return None
    return Jump(before, after, at, credited)


class TotalGuard:
    """One meter's total: the register's readings in, the total to book out."""

    def __init__(self) -> None:
        """Initialize, empty: the first reading starts the total at the register."""
        self.total: float | None = None
        self.register: float | None = None
        self.register_at: float | None = None
        self.level: Level | None = None
        # a reading off the track while a level is held: it replaces the level
        # only if the next reading goes on from it
        self.candidate: Level | None = None
        # what reads of the value (not reports) counted since the last accepted reading
        self._refreshed = 0.0
        # when a register of unknown age was read
        self._seen_at: float | None = None
        self.jump: Jump | None = None
        # what the user counted by hand (jumps): in the total, but no consumption
        # of the time the answer came
        self.corrections = 0.0
        self.held: tuple[float, Reason] | None = None
        self.counts: dict[str, int] = dict.fromkeys((r.value for r in Reason), 0)
        self._reset_until: float | None = None
        self._negative_episode = False
        # the power readings: energy integrated so far, the latest reading,
        # since when they cover the time without a gap
        self._power_kwh = 0.0
        self._power_kw: float | None = None
        self._power_at: float | None = None
        self._power_since: float | None = None
        # the integrated energy when the register was last accepted, and when
        self._power_mark: float | None = None
        self._power_mark_at: float | None = None

    # -- state ------------------------------------------------------------------

    def seed(self, total: float, at: float | None, register: float | None = None) -> None:
        """Start from a known total (a version that kept the register as the total)."""
        if self.total is None and total >= 0:
            self.total = total
            self.register = total if register is None else register
            self.register_at = at

    def expect_reset(self, now: float, expected: bool = True) -> None:
        """A drop soon is a reset made through this integration (or, no longer)."""
        self._reset_until = now + EXPECT_RESET_SECONDS if expected else None

    def as_dict(self) -> dict[str, Any]:
        """What is stored across restarts (the power readings are not)."""
        return {
            "total": self.total,
            "register": self.register,
            "register_at": self.register_at,
            "level": None if self.level is None else asdict(self.level),
            "jump": None if self.jump is None else asdict(self.jump),
            "corrections": self.corrections,
            "counts": dict(self.counts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TotalGuard:
        """A guard from stored data; what cannot be read is left out (ValueError if all)."""
        guard = cls()
        total, register = _number(data.get("total")), _number(data.get("register"))
        if total is None or total < 0:
            raise ValueError(f"no total in {data!r}")
        guard.total, guard.register = total, register if register is not None else total
        guard.register_at = _number(data.get("register_at"))
        guard.corrections = _number(data.get("corrections")) or 0.0
        guard.level = _level(data.get("level"))
        guard.jump = _jump(data.get("jump"))
        counts = data.get("counts")
        if isinstance(counts, dict):
            for reason in Reason:
                if isinstance(count := counts.get(reason), int):
                    guard.counts[reason] = count
        return guard

    def diagnostics(self) -> dict[str, Any]:
        """The guard's decisions, for diagnostics."""
        level = self.level
        return {
            "total": self.total,
            "register": self.register,
            "held_level": None
            if level is None
            else {
                "reason": level.reason,
                "first": level.first,
                "latest": level.latest,
                "readings": level.readings,
            },
            "last_held": None
            if self.held is None
            else {"value": self.held[0], "reason": self.held[1]},
            "jump_to_decide": None if self.jump is None else asdict(self.jump),
            "counts": dict(self.counts),
        }

    # -- power ------------------------------------------------------------------

    def power(self, kw: float, now: float) -> None:
        """A power reading of the same meter (kW): it fills the time a new level leaves."""
        if self._power_at is not None and now >= self._power_at:
            gap = now - self._power_at
            assert self._power_kw is not None
            self._power_kwh += self._power_kw * min(gap, POWER_HOLD_SECONDS) / 3600
            if gap > POWER_HOLD_SECONDS:
                self._power_since = now
        else:
            self._power_since = now
        self._power_kw, self._power_at = max(0.0, kw), now

    def _power_until(self, now: float) -> float | None:
        """The integrated energy up to now; None when a gap breaks the coverage."""
        if self._power_at is None or self._power_kw is None or now < self._power_at:
            return None
        if now - self._power_at > POWER_HOLD_SECONDS:
            return None
        return self._power_kwh + self._power_kw * (now - self._power_at) / 3600

    def _power_since_mark(self, now: float) -> float | None:
        """The power readings' energy since the register was last accepted, if they cover it."""
        if self._power_mark is None or (until := self._power_until(now)) is None:
            return None
        if self._power_since is None or self._power_mark_at is None:
            return None
        if self._power_since > self._power_mark_at:
            # a gap since then
            return None
        return max(0.0, until - self._power_mark)

    # -- decisions ----------------------------------------------------------------

    @staticmethod
    def _fits(value: float, base: float, since: float | None, now: float, kw: float | None) -> bool:
        """Whether a rise from base is possible since then (no time known: only the slack)."""
        if value < base:
            return False
        if kw is None:
            return True
        hours = 0.0 if since is None else max(0.0, now - since) / 3600
        return value - base <= kw * hours + max(SLACK_KWH, kw * SLACK_SECONDS / 3600)

    def _on_track(self, value: float, now: float, kw: float | None) -> bool:
        assert self.register is not None
        return self._fits(value, self.register, self.register_at, now, kw)

    def _accept(self, value: float, now: float, added: float) -> float:
        assert self.total is not None
        self.total += added
        self.register, self.register_at, self.level = value, now, None
        self.candidate = None
        self._refreshed = 0.0
        self._power_mark, self._power_mark_at = self._power_until(now), now
        return added

    def refresh(self, value: float, now: float, kw: float | None = None) -> Result:
        """A value read again, not newly reported: counted only when it continues the track.

        Its time is unknown, so the last accepted time stays (a restart must
        not forget it).
        """
        if value < 0:
            return Result(Outcome.IGNORED, value, self.register)
        if self.total is None:
            # a value of unknown age: the first reading decides (see reading)
            self.total = self.register = value
            self.register_at, self._seen_at = None, now
            return Result(Outcome.FIRST, value)
        assert self.register is not None
        if self.level is None and self.register_at is not None and self._on_track(value, now, kw):
            added = value - self.register
            self.total += added
            self.register = value
            self._refreshed += added
            if self._power_mark is not None:
                # that much of the power readings' energy is counted now
                self._power_mark += added
            return Result(Outcome.COUNTED, value, self.register, added=added)
        return Result(Outcome.IGNORED, value, self.register)

    def reading(self, value: float, now: float, kw: float | None = None) -> Result:
        """A new reading from the node."""
        if value < 0:
            first = not self._negative_episode
            self._negative_episode = True
            self.counts[Reason.NEGATIVE] += 1
            self.held = (value, Reason.NEGATIVE)
            return Result(
                Outcome.NEGATIVE if first else Outcome.NEGATIVE_AGAIN, value, self.register
            )
        self._negative_episode = False
        if self.total is None or self.register is None or self.register_at is None:
            return self._first_reading(value, now, kw)
        last = self.register
        if self._reset_until is not None and now <= self._reset_until and value < last:
            self._reset_until = None
            power = self._power_since_mark(now)
            added = self._accept(value, now, value if power is None else max(power, value))
            return Result(Outcome.RESET, value, last, added=added)
        if self._on_track(value, now, kw) and not self._level_rather(value, now, kw):
            held = self.level
            added = self._accept(value, now, value - last)
            if held is None:
                return Result(Outcome.COUNTED, value, last, added=added)
            return Result(Outcome.DISCARDED, value, last, level=held, added=added)
        return self._off_track(value, last, now, kw)

    def _first_reading(self, value: float, now: float, kw: float | None) -> Result:
        """The first reading, or the first after a register read at an unknown time.

        A reading that fits the time since that register was read counts; one
        that does not is the base (the value was stale: what was used before
        Home Assistant watched is not ours to count).
        """
        last = self.register
        if self.total is None or last is None:
            self.total = value
            self._accept(value, now, 0.0)
            return Result(Outcome.FIRST, value)
        if self._fits(value, last, self._seen_at, now, kw):
            added = self._accept(value, now, value - last)
            return Result(Outcome.COUNTED, value, last, added=added)
        self._accept(value, now, 0.0)
        return Result(Outcome.FIRST, value, last)

    def _continues(self, level: Level | None, value: float, now: float, kw: float | None) -> bool:
        return level is not None and self._fits(value, level.latest, level.latest_at, now, kw)

    def _level_rather(self, value: float, now: float, kw: float | None) -> bool:
        """Whether a reading that fits the track and goes on from a held level is the level's.

        A counter reset from a small register catches up with the old track.
        The power readings decide when they cover the time; without them, a
        level that has grown over two readings already wins.
        """
        level = self.level
        if level is None or not self._continues(level, value, now, kw):
            return False
        assert self.register is not None
        power = self._power_since_mark(now)
        if power is not None:
            return abs(value - self.register - power) > max(SLACK_KWH, power / 4)
        return level.readings >= 2 and level.latest > level.first

    def _off_track(self, value: float, last: float, now: float, kw: float | None) -> Result:
        reason = Reason.DROP if value < last else Reason.SPIKE
        level = self.level
        if level is not None and value == level.latest and now - level.latest_at < CONFIRM_SECONDS:
            return Result(Outcome.STILL_HELD, value, last, level=level)
        if level is not None and self._continues(level, value, now, kw):
            # the held level goes on; a stray reading in between is forgotten
            level.latest, level.latest_at = value, now
            level.readings += 1
            self.candidate = None
            if now - level.first_at >= DECIDE_SECONDS:
                return self._new_level(level, value, last, now, kw)
            return Result(Outcome.STILL_HELD, value, last, level=level)
        self.counts[reason] += 1
        self.held = (value, reason)
        new = Level(reason, value, now, value, now, power_kwh=self._power_since_mark(now))
        if level is None:
            self.level = new
            return Result(Outcome.HELD, value, last, level=new)
        # another level while one is held: it replaces it only once it goes on itself
        candidate = self.candidate
        if candidate is not None and self._continues(candidate, value, now, kw):
            candidate.latest, candidate.latest_at = value, now
            candidate.readings += 1
            self.level, self.candidate = candidate, None
        else:
            self.candidate = new
        return Result(Outcome.STILL_HELD, value, last, level=self.level)

    def _new_level(
        self, level: Level, value: float, last: float, now: float, kw: float | None
    ) -> Result:
        """A held level lasted: go on from it; the time before it gets an estimate."""
        assert self.register_at is not None
        gap = max(0.0, level.first_at - self.register_at)
        if level.power_kwh is not None:
            credited = level.power_kwh
        else:
            rate = (value - level.first) / (now - level.first_at) if now > level.first_at else 0.0
            # what reads of the value (not reports) already counted of that time
            credited = max(0.0, rate * gap - self._refreshed)
        if level.reason == Reason.DROP and self._fits(
            level.first, 0.0, self.register_at, level.first_at, kw
        ):
            # a reset: the counter went on from 0, so at least that much was used
            credited = max(credited, level.first)
        jump = None
        if level.reason == Reason.SPIKE:
            # an earlier jump nobody answered stays out of the total
            jump = self.jump = Jump(last, level.first, level.first_at, credited)
        added = self._accept(value, now, credited + value - level.first)
        return Result(Outcome.NEW_LEVEL, value, last, level=level, added=added, jump=jump)

    def count_jump(self) -> float:
        """The user says the jump was consumption: add what it left out; return that."""
        if self.jump is None or self.total is None:
            return 0.0
        added = self.jump.uncounted
        self.total += added
        self.corrections += added
        self.jump = None
        return added

    def keep_jump(self) -> None:
        """The user says the jump was not consumption: nothing changes."""
        self.jump = None
