"""Capacity tariff ("kapasitetsledd"): energy per period and the month's peaks.

Pure computation, without Home Assistant: every call takes "now" as a
timezone-aware datetime, and the tracker is given the local time zone.

- A period is ``minutes`` of elapsed time that starts where the local clock
  shows a multiple of the period (xx:00, or xx:00/15/30/45). Its day is the
  local date of its start, so the days of the DST changes have 23 and 25
  hourly periods (the repeated 02:00 in October is two periods).
- Energy comes from accepted readings of the meter's import total. Between
  two totals that differ (a total that does not move settles nothing), the
  difference is split over the periods in the shape of the integrated power
  readings.
- A power reading counts until the next one, for at most HOLD; time without
  one (the server or Home Assistant down, the node silent) is a gap. A gap
  gets the energy that the totals at both ends leave after the measured part,
  evenly over its time, and the periods it touches are flagged estimated.
- A total that starts a new level (a reset of the meter, a replaced meter,
  the first total) brings no energy: the time since the last total is settled
  from the power readings alone.
- Until the next total, periods carry their integrated power (a gap up to
  HOLD long the mean power at its two ends, a longer gap nothing):
  provisional values, shown at once. When readings come but no total moves
  for SETTLE_AFTER, the periods before are settled as they are, and the next
  total that moves is a new level. A period that is all gap and got no
  energy is unknown: it makes no day.
- A period's value in kW is its energy over its length; a day's value is its
  largest period; the month's peak average is the mean of the three largest
  days (of fewer, while the month has fewer days with readings). The month
  is that of the period's start: the month boundary starts the peaks anew.

Steps: limits L1 < L2 < ... < Ln (kW) make n + 1 steps; step 1 is below L1,
step k is from L(k-1) up to Lk, step n + 1 is from Ln. The step is decided by
the closed periods; the next step threshold is the value (kW) that the
running period must reach to take the month's peak average to the next
limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise
from typing import Any

DEFAULT_LIMITS: tuple[float, ...] = (2.0, 5.0, 10.0, 15.0, 20.0, 25.0)
DEFAULT_PERIOD_MINUTES = 60
PERIOD_MINUTES: tuple[int, ...] = (60, 15)
# a power reading counts this long at most; longer without one is a gap
HOLD = timedelta(minutes=15)
# periods this old without a total that moved are settled from the power alone
SETTLE_AFTER = timedelta(hours=2)
# how many days make the peak average
PEAK_DAYS = 3
STORAGE_FORMAT = 1


class CapacityReading(StrEnum):
    """What a capacity sensor shows."""

    ENERGY = "energy"  # kWh so far in the current period
    ESTIMATE = "estimate"  # kWh so far + power now x the rest of the period
    PEAK_AVERAGE = "peak_average"  # kW, the mean of the month's largest days
    STEP = "step"  # 1 .. len(limits) + 1
    THRESHOLD = "threshold"  # kW the running period may reach before the next step


def check_limits(limits: Sequence[float]) -> tuple[float, ...]:
    """The step limits, if they are ascending positive finite numbers; else ValueError."""
    values = tuple(float(limit) for limit in limits)
    if not values:
        raise ValueError("no step limits")
    if not all(math.isfinite(value) and value > 0 for value in values):
        raise ValueError("step limits must be positive numbers")
    if any(b <= a for a, b in pairwise(values)):
        raise ValueError("step limits must ascend")
    return values


def step_of(limits: Sequence[float], average: float) -> int:
    """The step (1-based) that a peak average is in."""
    return 1 + sum(1 for limit in limits if average >= limit)


def threshold(limit: float, others: Sequence[float]) -> float:
    """What the running period (kW) must reach for the month's average to reach limit.

    ``others`` are the largest periods of the month's other days. The running
    period's day counts with it, so of n = min(3, days) days, the average is
    (x + the n - 1 largest others) / n.
    """
    top = sorted(others, reverse=True)[: PEAK_DAYS - 1]
    return limit * (len(top) + 1) - sum(top)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone")
    return moment.astimezone(UTC)


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class Peak:
    """A period's average power (kW) and whether a gap made part of it."""

    start: datetime
    kw: float
    estimated: bool


@dataclass(frozen=True, slots=True)
class Period:
    """A closed period's energy, as settled."""

    start: datetime
    kwh: float
    estimated: bool


@dataclass(slots=True)
class _Span:
    """Time since the last total: measured (in one period) or a gap (any length)."""

    start: datetime
    end: datetime
    kwh: float = 0.0
    # a gap: the power assumed for it (the mean of the readings at its ends)
    gap_kw: float | None = None

    @property
    def gap(self) -> bool:
        return self.gap_kw is not None

    def energy(self) -> float:
        if self.gap_kw is None:
            return self.kwh
        return self.gap_kw * _hours(self.start, self.end)


@dataclass(frozen=True, slots=True)
class CapacitySnapshot:
    """The tracker at one moment, with the step limits applied."""

    tz: tzinfo
    period_start: datetime
    period_end: datetime
    period_hours: float
    energy: float
    energy_estimated: bool
    # None while no power reading is fresh
    estimate: float | None
    peaks: tuple[Peak, ...]
    average: float
    step: int
    lower_limit: float
    upper_limit: float | None
    threshold: float | None

    def _time(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).isoformat()

    def value(self, reading: CapacityReading) -> float | int | None:
        """The state of a sensor."""
        match reading:
            case CapacityReading.ENERGY:
                return round(self.energy, 3)
            case CapacityReading.ESTIMATE:
                return None if self.estimate is None else round(self.estimate, 3)
            case CapacityReading.PEAK_AVERAGE:
                return round(self.average, 3)
            case CapacityReading.STEP:
                return self.step
            case CapacityReading.THRESHOLD:
                return None if self.threshold is None else round(self.threshold, 3)

    def attributes(self, reading: CapacityReading) -> dict[str, Any]:
        """The state attributes of a sensor, for automations."""
        period = {
            "period_start": self._time(self.period_start),
            "period_end": self._time(self.period_end),
        }
        match reading:
            case CapacityReading.ENERGY:
                return period | {"estimated": self.energy_estimated}
            case CapacityReading.ESTIMATE:
                average = None if self.estimate is None else self.estimate / self.period_hours
                return period | {
                    "average_power": None if average is None else round(average, 3),
                    "estimated": self.energy_estimated,
                }
            case CapacityReading.PEAK_AVERAGE:
                return {
                    "peaks": [
                        {
                            "start": self._time(peak.start),
                            "average_power": round(peak.kw, 3),
                            "estimated": peak.estimated,
                        }
                        for peak in self.peaks
                    ],
                    "estimated": any(peak.estimated for peak in self.peaks),
                }
            case CapacityReading.STEP:
                return {"lower_limit": self.lower_limit, "upper_limit": self.upper_limit}
            case CapacityReading.THRESHOLD:
                return {"step_limit": self.upper_limit}


class CapacityTracker:
    """The energy of each period of a meter, and the current month's day peaks.

    Feed it accepted totals (kWh) and power readings (kW) with their times;
    ask it for a snapshot. ``on_closed`` (optional) sees every period as it
    is settled.
    """

    def __init__(self, tz: tzinfo, minutes: int = DEFAULT_PERIOD_MINUTES) -> None:
        """Initialize an empty tracker."""
        if minutes <= 0 or 60 % minutes:
            raise ValueError(f"a period of {minutes} minutes does not divide the hour")
        self.tz = tz
        self.minutes = minutes
        self.period = timedelta(minutes=minutes)
        self.on_closed: Callable[[Period], None] | None = None
        # accounted time: spans since the last total cover it up to here
        self.until: datetime | None = None
        self._spans: list[_Span] = []
        self._gap_open = False
        # the total the spans start from; kwh None: no total known (power alone)
        self.anchor_at: datetime | None = None
        self.anchor_kwh: float | None = None
        # the last total reported, to tell whether a total moved
        self.last_total: float | None = None
        # energy of the anchor's period before the anchor, already settled
        self._partial: Period | None = None
        # the held power reading (not kept across restarts), and the last one seen
        self._power_kw: float | None = None
        self._power_at: datetime | None = None
        self._last_kw: float | None = None
        # the power the node showed when the readings started (for the estimate only)
        self._shown_kw: float | None = None
        self._shown_at: datetime | None = None
        # the settled largest period of each day of self.month
        self.month: tuple[int, int] | None = None
        self.days: dict[date, Peak] = {}
        self.stats: dict[str, int] = {
            "totals": 0,
            "totals_not_moving": 0,
            "new_levels": 0,
            "gaps": 0,
            "settled_without_total": 0,
        }

    # -- time ------------------------------------------------------------------

    def period_start(self, moment: datetime) -> datetime:
        """The start of the period that holds a moment."""
        moment = _utc(moment)
        local = moment.astimezone(self.tz)
        return moment - timedelta(
            minutes=local.minute % self.minutes,
            seconds=local.second,
            microseconds=local.microsecond,
        )

    def _month(self, start: datetime) -> tuple[int, int]:
        local = start.astimezone(self.tz)
        return local.year, local.month

    def _day(self, start: datetime) -> date:
        return start.astimezone(self.tz).date()

    def _pieces(self, start: datetime, end: datetime) -> list[tuple[datetime, float]]:
        """The periods a stretch of time touches, with the hours it spends in each."""
        pieces = []
        moment = start
        while moment < end:
            period = self.period_start(moment)
            stop = min(end, period + self.period)
            pieces.append((period, _hours(moment, stop)))
            moment = stop
        return pieces

    # -- inputs ------------------------------------------------------------------

    def advance(self, now: datetime) -> None:
        """Account the time up to now: held power, or a gap."""
        now = _utc(now)
        if self.until is None:
            self.until = now
            start = self.period_start(now)
            if now > start:
                # the period began before the tracker did: its start is unknown
                self._partial = Period(start, 0.0, True)
            return
        moment = self.until
        while moment < now:
            if (kw := self._held_kw(moment)) is not None:
                assert self._power_at is not None
                end = min(now, self.period_start(moment) + self.period, self._power_at + HOLD)
                self._add_measured(moment, end, kw * _hours(moment, end))
            else:
                end = now
                self._add_gap(moment, end)
            moment = end
        self.until = now
        self._settle_stale(now)

    def _held_kw(self, moment: datetime) -> float | None:
        """The power reading that still counts at a moment, if any."""
        if self._power_at is None or moment >= self._power_at + HOLD:
            return None
        return self._power_kw

    def _add_measured(self, start: datetime, end: datetime, kwh: float) -> None:
        last = self._spans[-1] if self._spans else None
        if (
            last is not None
            and not last.gap
            and last.end == start
            and self.period_start(last.start) == self.period_start(start)
        ):
            last.end = end
            last.kwh += kwh
        else:
            self._spans.append(_Span(start, end, kwh))
        self._gap_open = False

    def _add_gap(self, start: datetime, end: datetime) -> None:
        last = self._spans[-1] if self._spans else None
        if self._gap_open and last is not None and last.gap and last.end == start:
            last.end = end
        else:
            if not self._gap_open:
                self.stats["gaps"] += 1
            self._gap_open = True
            last = _Span(start, end, gap_kw=self._last_kw or 0.0)
            self._spans.append(last)
        if last.end - last.start > HOLD:
            # too long to guess from the power at its ends: the totals will tell
            last.gap_kw = 0.0

    def power(self, now: datetime, kw: float) -> None:
        """A power reading (kW); export (below 0) counts as no import."""
        if not math.isfinite(kw):
            return
        now = self._clamp(now)
        self.advance(now)
        kw = max(0.0, kw)
        if self._gap_open and self._spans and self._spans[-1].gap:
            gap = self._spans[-1]
            if gap.end - gap.start <= HOLD:
                # a short gap's provisional power: the mean of the readings at its ends
                gap.gap_kw = kw if self._last_kw is None else (self._last_kw + kw) / 2
            self._gap_open = False
        self._power_kw, self._power_at, self._last_kw = kw, now, kw

    def shown(self, now: datetime, kw: float) -> None:
        """The power the node shows while no reading counts (after a start or a reconnect).

        It is no reading (it may be older than now): it counts for the estimate
        only, as long as a reading would, and never as energy.
        """
        if math.isfinite(kw) and self._held_kw(self._clamp(now)) is None:
            self._shown_kw, self._shown_at = max(0.0, kw), self._clamp(now)

    def _estimate_kw(self, moment: datetime) -> float | None:
        """The power the rest of the period is estimated at: the held reading, or the shown."""
        if (kw := self._held_kw(moment)) is not None:
            return kw
        shown_at = self._shown_at
        if shown_at is None or (self._power_at is not None and self._power_at >= shown_at):
            return None
        return self._shown_kw if moment < shown_at + HOLD else None

    def lost(self, now: datetime) -> None:
        """Readings stopped (the node or the server went away): what follows is a gap."""
        self.advance(self._clamp(now))
        self._power_kw = self._power_at = None

    def total(self, now: datetime, kwh: float, new_level: bool = False) -> None:
        """An accepted reading of the import total (kWh).

        ``new_level``: the total does not continue the last one (a reset, a
        replaced meter, the first total): it brings no energy.
        """
        if not math.isfinite(kwh):
            return
        now = self._clamp(now)
        self.advance(now)
        if not new_level and self.last_total is not None and kwh == self.last_total:
            self.stats["totals_not_moving"] += 1
            return
        if new_level or self.anchor_kwh is None:
            self.stats["new_levels"] += 1
            self._settle(now, self._spans, None)
        else:
            self.stats["totals"] += 1
            # below 0 only after periods were settled without a total
            self._settle(now, self._spans, max(0.0, kwh - self.anchor_kwh))
        self._spans = []
        self.anchor_at, self.anchor_kwh, self.last_total = now, kwh, kwh

    def _clamp(self, now: datetime) -> datetime:
        """A moment not before the accounted time (a clock set back stands still)."""
        now = _utc(now)
        return now if self.until is None or now >= self.until else self.until

    # -- settling ------------------------------------------------------------------

    def _settle(self, now: datetime, spans: list[_Span], delta: float | None) -> float:
        """Give the periods of spans their energy; delta None: from the power alone.

        Periods that end by now are closed; the one that holds now keeps its
        part as the partial period. Returns the energy given.
        """
        alloc: dict[datetime, list[Any]] = {}

        def give(start: datetime, kwh: float, estimated: bool) -> None:
            entry = alloc.setdefault(start, [0.0, False])
            entry[0] += kwh
            entry[1] = entry[1] or estimated

        if self._partial is not None:
            give(self._partial.start, self._partial.kwh, self._partial.estimated)
        measured = sum(span.kwh for span in spans if not span.gap)
        gap_hours = sum(_hours(span.start, span.end) for span in spans if span.gap)
        all_hours = sum(_hours(span.start, span.end) for span in spans)
        scale, gap_kw, even_kw = 1.0, None, None
        given = 0.0
        if delta is not None:
            if gap_hours > 0:
                gap_energy = max(0.0, delta - measured)
                scale = (delta - gap_energy) / measured if measured > 0 else 0.0
                gap_kw = gap_energy / gap_hours
            elif measured > 0:
                scale = delta / measured
            elif all_hours > 0:
                # the total moved while the power said nothing: evenly over the time
                even_kw = delta / all_hours
            else:
                # two totals at the same moment
                give(self.period_start(now), delta, False)
                given += delta
        for span in spans:
            if span.gap:
                kw = span.gap_kw if gap_kw is None else gap_kw
                for start, hours in self._pieces(span.start, span.end):
                    give(start, (kw or 0.0) * hours, True)
                    given += (kw or 0.0) * hours
            elif even_kw is not None:
                for start, hours in self._pieces(span.start, span.end):
                    give(start, even_kw * hours, False)
                    given += even_kw * hours
            else:
                give(self.period_start(span.start), span.kwh * scale, False)
                given += span.kwh * scale
        self._partial = None
        for start, (kwh, estimated) in sorted(alloc.items()):
            if start + self.period <= now:
                self._close(Period(start, kwh, estimated))
            else:
                self._partial = Period(start, kwh, estimated)
        return given

    def _settle_stale(self, now: datetime) -> None:
        """Settle periods long without a total from the power alone.

        Not while a recent gap waits for the totals at its ends: the next
        total fills it.
        """
        if not self._spans:
            return
        bound = self.period_start(now - SETTLE_AFTER)
        if self._spans[0].start >= bound:
            return
        if any(span.gap and span.end > bound for span in self._spans):
            return
        before, after = [], []
        for span in self._spans:
            if span.end <= bound:
                before.append(span)
            elif span.start >= bound:
                after.append(span)
            else:
                # only a gap crosses a period boundary
                before.append(_Span(span.start, bound, gap_kw=span.gap_kw))
                after.append(_Span(bound, span.end, gap_kw=span.gap_kw))
        self._settle(bound, before, None)
        self._spans = after
        self.stats["settled_without_total"] += 1
        # what the power gave is no total: the next one that moves starts anew
        self.anchor_at, self.anchor_kwh = bound, None

    def _close(self, period: Period) -> None:
        if self.on_closed is not None:
            self.on_closed(period)
        if period.estimated and period.kwh <= 0:
            return  # unknown, not nothing
        month = self._month(period.start)
        if self.month is None or month > self.month:
            self.month, self.days = month, {}
        elif month < self.month:
            return
        kw = period.kwh / _hours(period.start, period.start + self.period)
        day = self._day(period.start)
        known = self.days.get(day)
        if known is None or kw > known.kw:
            self.days[day] = Peak(period.start, kw, period.estimated)

    # -- outputs ------------------------------------------------------------------

    def _open_periods(self) -> dict[datetime, tuple[float, bool]]:
        """Provisional energy of the periods since the last total."""
        periods: dict[datetime, tuple[float, bool]] = {}

        def add(start: datetime, kwh: float, estimated: bool) -> None:
            old, was = periods.get(start, (0.0, False))
            periods[start] = (old + kwh, was or estimated)

        if self._partial is not None:
            add(self._partial.start, self._partial.kwh, self._partial.estimated)
        for span in self._spans:
            if span.gap and not span.gap_kw:
                # no energy yet (a long gap): only the periods at its ends are flagged
                add(self.period_start(span.start), 0.0, True)
                add(self.period_start(span.end - timedelta(microseconds=1)), 0.0, True)
            elif span.gap:
                for start, hours in self._pieces(span.start, span.end):
                    add(start, (span.gap_kw or 0.0) * hours, True)
            else:
                add(self.period_start(span.start), span.kwh, False)
        return periods

    def snapshot(self, now: datetime, limits: Sequence[float]) -> CapacitySnapshot:
        """The current period and the month so far, up to now."""
        now = self._clamp(now)
        self.advance(now)
        start = self.period_start(now)
        end = start + self.period
        open_periods = self._open_periods()
        energy, estimated = open_periods.get(start, (0.0, False))
        kw = self._estimate_kw(now)
        estimate = None if kw is None else energy + kw * _hours(now, end)
        # the month's days: settled, and the closed periods not yet settled
        month = self._month(start)
        days = dict(self.days) if self.month == month else {}
        hours = _hours(start, end)
        for begin, (kwh, flagged) in open_periods.items():
            if begin >= start or self._month(begin) != month or (flagged and kwh <= 0):
                continue
            day, kw = self._day(begin), kwh / hours
            if (known := days.get(day)) is None or kw > known.kw:
                days[day] = Peak(begin, kw, flagged)
        peaks = tuple(sorted(days.values(), key=lambda p: (-p.kw, p.start))[:PEAK_DAYS])
        average = sum(p.kw for p in peaks) / len(peaks) if peaks else 0.0
        step = step_of(limits, average)
        upper = limits[step - 1] if step <= len(limits) else None
        today = self._day(start)
        return CapacitySnapshot(
            tz=self.tz,
            period_start=start,
            period_end=end,
            period_hours=hours,
            energy=energy,
            energy_estimated=estimated,
            estimate=estimate,
            peaks=peaks,
            average=average,
            step=step,
            lower_limit=limits[step - 2] if step >= 2 else 0.0,
            upper_limit=upper,
            threshold=(
                None
                if upper is None
                else threshold(upper, [p.kw for d, p in days.items() if d != today])
            ),
        )

    # -- persistence ------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """The state to store (JSON types); the held power is not kept."""

        def time(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {
            "format": STORAGE_FORMAT,
            "minutes": self.minutes,
            "until": time(self.until),
            "spans": [
                [span.start.isoformat(), span.end.isoformat(), span.kwh, span.gap_kw]
                for span in self._spans
            ],
            "gap_open": self._gap_open,
            "anchor_at": time(self.anchor_at),
            "anchor_kwh": self.anchor_kwh,
            "last_total": self.last_total,
            "last_kw": self._last_kw,
            "partial": (
                None
                if self._partial is None
                else [self._partial.start.isoformat(), self._partial.kwh, self._partial.estimated]
            ),
            "month": None if self.month is None else list(self.month),
            "days": {
                day.isoformat(): [peak.start.isoformat(), peak.kw, peak.estimated]
                for day, peak in sorted(self.days.items())
            },
            "stats": dict(self.stats),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], tz: tzinfo, minutes: int) -> CapacityTracker:
        """A tracker from stored state; ValueError (or a KeyError, TypeError) if malformed.

        With another period length, the month's day peaks (kW) are kept and
        the current period starts anew (estimated).
        """
        tracker = cls(tz, minutes)
        if data.get("format") != STORAGE_FORMAT:
            raise ValueError(f"unknown storage format {data.get('format')}")

        def time(text: str | None) -> datetime | None:
            return None if text is None else _utc(datetime.fromisoformat(text))

        def number(value: Any) -> float | None:
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"not a number: {value!r}")
            return float(value)

        if data["month"] is not None:
            year, month = data["month"]
            tracker.month = (int(year), int(month))
        tracker.days = {
            date.fromisoformat(day): Peak(_utc(datetime.fromisoformat(start)), float(kw), bool(e))
            for day, (start, kw, e) in data["days"].items()
        }
        tracker.last_total = number(data["last_total"])
        tracker._last_kw = number(data["last_kw"])
        tracker.stats |= {k: int(v) for k, v in data["stats"].items() if k in tracker.stats}
        if data["minutes"] != minutes:
            return tracker
        tracker.until = time(data["until"])
        tracker._spans = [
            _Span(_utc(datetime.fromisoformat(a)), _utc(datetime.fromisoformat(b)), float(k), g)
            for a, b, k, g in data["spans"]
        ]
        for span in tracker._spans:
            number(span.gap_kw)
        tracker._gap_open = bool(data["gap_open"])
        tracker.anchor_at = time(data["anchor_at"])
        tracker.anchor_kwh = number(data["anchor_kwh"])
        if (partial := data["partial"]) is not None:
            start, kwh, estimated = partial
            tracker._partial = Period(_utc(datetime.fromisoformat(start)), float(kwh), estimated)
        return tracker

    def diagnostics(self) -> dict[str, Any]:
        """The tracker's state without the meter's totals (they could identify a household)."""
        data = self.as_dict()
        for key in ("anchor_kwh", "last_total"):
            data[key] = None if data[key] is None else "**REDACTED**"
        return data
