"""The capacity tracker (pure): periods, totals shaped by power, gaps, peaks, steps."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.zwave_quirks.capacity import (
    DEFAULT_LIMITS,
    HOLD,
    CapacityReading,
    CapacityTracker,
    Period,
    check_limits,
    step_of,
    threshold,
)

OSLO = ZoneInfo("Europe/Oslo")
TICK = timedelta(minutes=5)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def oslo(text: str, fold: int = 0) -> datetime:
    """Oslo's wall clock, as UTC (Python subtracts wall times within one time zone)."""
    return datetime.fromisoformat(text).replace(tzinfo=OSLO, fold=fold).astimezone(UTC)


def tracker(minutes: int = 60) -> tuple[CapacityTracker, dict[datetime, Period]]:
    """A tracker in Oslo and the periods it closes, by start."""
    closed: dict[datetime, Period] = {}
    capacity = CapacityTracker(OSLO, minutes)

    def close(period: Period) -> None:
        assert period.start not in closed, f"{period.start} closed twice"
        closed[period.start] = period

    capacity.on_closed = close
    return capacity, closed


@dataclass
class Meter:
    """A simulated HAN meter.

    The load (kW) is sampled every TICK on the UTC grid and holds until the
    next tick; the node reports it at each tick, and the import total at
    hh:00:10 (as AMS meters publish their registers hourly).
    """

    capacity: CapacityTracker
    now: datetime
    total: float = 1000.0
    kw: float = 0.0
    online: bool = True
    # the exact energy of each tick, by the tick's start
    truth: dict[datetime, float] = field(default_factory=dict)

    def _events(self, until: datetime) -> Iterator[tuple[datetime, str]]:
        moment = self.now
        while True:
            next_tick = moment - timedelta(seconds=moment.timestamp() % TICK.total_seconds())
            if next_tick <= moment:
                next_tick += TICK
            hour = moment.replace(minute=0, second=10, microsecond=0)
            if hour <= moment:
                hour += timedelta(hours=1)
            moment = min(next_tick, hour)
            if moment > until:
                return
            yield moment, "tick" if moment == next_tick else "total"

    def _advance(self, moment: datetime) -> None:
        self.total += self.kw * (moment - self.now).total_seconds() / 3600
        tick = moment - timedelta(seconds=moment.timestamp() % TICK.total_seconds())
        if moment == tick:
            tick -= TICK
        self.truth[tick] = self.truth.get(tick, 0.0) + self.kw * (
            (moment - max(self.now, tick)).total_seconds() / 3600
        )
        self.now = moment

    def run(self, until: datetime, load: Callable[[datetime], float]) -> None:
        """Run the meter to ``until``, reporting while online."""
        for moment, kind in list(self._events(until)):
            self._advance(moment)
            if kind == "tick":
                self.kw = load(moment)
                if self.online:
                    self.capacity.power(moment, self.kw)
            elif self.online:
                self.capacity.total(moment, round(self.total, 6))
        self._advance(until)

    def go_offline(self) -> None:
        self.online = False
        self.capacity.lost(self.now)

    def expected(self, minutes: int = 60) -> dict[datetime, float]:
        """The exact energy of each period, by its start (UTC grid = Oslo's)."""
        periods: dict[datetime, float] = {}
        for tick, kwh in self.truth.items():
            start = tick - timedelta(seconds=tick.timestamp() % (minutes * 60))
            periods[start] = periods.get(start, 0.0) + kwh
        return periods


def steady(kw: float) -> Callable[[datetime], float]:
    return lambda _moment: kw


def profile(moment: datetime) -> float:
    """A household: a base load, an evening peak, a car charged on some nights."""
    local = moment.astimezone(OSLO)
    kw = 0.4 + 0.2 * math.sin(local.hour / 24 * 2 * math.pi)
    # no two periods alike, so that each day has one largest
    kw += local.hour / 100 + local.minute / 1000
    if 17 <= local.hour < 20:
        kw += 2.0 + (local.day % 7) * 0.3
    if local.day % 5 == 0 and local.hour in (1, 2, 3):
        kw += 7.0 + local.day / 10
    return round(kw, 3)


# -- periods and days ------------------------------------------------------------


def test_periods_follow_the_local_clock_through_dst() -> None:
    capacity, _ = tracker()
    assert capacity.period_start(oslo("2026-01-15 10:42:13")) == oslo("2026-01-15 10:00")
    # spring: 01:00 CET is followed by 03:00 CEST, one hour later
    assert capacity.period_start(oslo("2026-03-29 01:59")) == oslo("2026-03-29 01:00")
    assert capacity.period_start(oslo("2026-03-29 03:01")) == oslo("2026-03-29 03:00")
    assert oslo("2026-03-29 03:00") - oslo("2026-03-29 01:00") == timedelta(hours=1)
    # autumn: 02:00 comes twice, as two periods
    first = capacity.period_start(oslo("2026-10-25 02:30", fold=0))
    second = capacity.period_start(oslo("2026-10-25 02:30", fold=1))
    assert second - first == timedelta(hours=1)
    assert first.astimezone(OSLO).hour == second.astimezone(OSLO).hour == 2
    # a time zone half an hour off UTC: the local hour still counts
    india = CapacityTracker(ZoneInfo("Asia/Kolkata"))
    start = india.period_start(datetime(2026, 1, 15, 10, 10, tzinfo=ZoneInfo("Asia/Kolkata")))
    assert start.astimezone(ZoneInfo("Asia/Kolkata")).time().isoformat() == "10:00:00"
    quarter = CapacityTracker(OSLO, 15)
    assert quarter.period_start(oslo("2026-03-29 03:44:59")) == oslo("2026-03-29 03:30")


@pytest.mark.parametrize(
    ("day", "minutes", "count"),
    [
        ("2026-03-28", 60, 24),
        ("2026-03-29", 60, 23),
        ("2026-10-25", 60, 25),
        ("2026-10-25", 15, 100),
        ("2026-03-29", 15, 92),
    ],
)
def test_a_day_has_as_many_periods_as_its_hours(day: str, minutes: int, count: int) -> None:
    capacity, closed = tracker(minutes)
    start = oslo(f"{day} 00:00")
    end = oslo((date.fromisoformat(day) + timedelta(days=1)).isoformat() + " 00:00")
    meter = Meter(capacity, start - timedelta(hours=1))
    meter.run(end + timedelta(hours=1), steady(1.0))
    days = Counter(p.start.astimezone(OSLO).date() for p in closed.values())
    assert days[date.fromisoformat(day)] == count
    # each period is its own length of time, whatever the clock shows
    for period in closed.values():
        if period.start >= start and period.start + capacity.period <= end:
            assert period.kwh == pytest.approx(minutes / 60)


# -- energy ------------------------------------------------------------------------


def test_energy_this_period_and_the_estimate() -> None:
    capacity, closed = tracker()
    meter = Meter(capacity, utc("2026-01-15 08:52:00"))
    meter.run(utc("2026-01-15 09:15:00"), steady(3.0))
    snap = capacity.snapshot(meter.now, DEFAULT_LIMITS)
    assert snap.energy == pytest.approx(0.75)
    assert snap.estimate == pytest.approx(3.0)
    assert snap.period_start == utc("2026-01-15 09:00")
    attributes = snap.attributes(CapacityReading.ESTIMATE)
    assert attributes["period_start"] == "2026-01-15T10:00:00+01:00"
    assert attributes["period_end"] == "2026-01-15T11:00:00+01:00"
    assert attributes["average_power"] == pytest.approx(3.0)
    # the hour the tracker started in (08:55) is flagged: its start is unknown
    assert snap.energy_estimated is False
    assert closed[utc("2026-01-15 08:00")].estimated is True
    assert closed[utc("2026-01-15 08:00")].kwh == pytest.approx(0.25)


def test_totals_decide_and_power_shapes() -> None:
    """The power says 2 kW, the totals say more: the totals win, in the power's shape."""
    capacity, closed = tracker(15)
    start = utc("2026-01-15 09:00:10")
    capacity.total(start, 100.0, new_level=True)
    for minute in range(0, 60, 5):
        capacity.power(start + timedelta(minutes=minute), 1.0 if minute < 30 else 3.0)
    capacity.total(start + timedelta(hours=1), 102.2)
    quarters = [closed[utc(f"2026-01-15 09:{m:02}")].kwh for m in (0, 15, 30, 45)]
    # 1 kW until 09:30:10, then 3 kW: 2 kWh measured, 2.2 by the totals; the
    # 10 s before the first total are unknown
    second = 1 / 3600
    assert quarters == pytest.approx(
        [1.1 * x for x in (0.25 - 10 * second, 0.25, 10 * second + 3 * (0.25 - 10 * second), 0.75)]
    )
    assert all(not p.estimated for s, p in closed.items() if s >= utc("2026-01-15 09:15"))


def test_a_total_that_does_not_move_settles_nothing() -> None:
    capacity, _ = tracker()
    start = utc("2026-01-15 09:00:10")
    capacity.total(start, 100.0, new_level=True)
    capacity.power(start, 2.0)
    for second in range(10, 1800, 10):
        capacity.total(start + timedelta(seconds=second), 100.0)
    snap = capacity.snapshot(start + timedelta(minutes=30), DEFAULT_LIMITS)
    assert snap.energy == pytest.approx(1.0, abs=0.01)
    assert capacity.stats["totals_not_moving"] == 179


def test_a_month_against_the_truth() -> None:
    """January: every hour, day peak and the peak average as the meter measured them."""
    capacity, closed = tracker()
    meter = Meter(capacity, oslo("2025-12-31 23:30"))
    meter.run(oslo("2026-02-01 00:30"), profile)
    expected = meter.expected()
    january = {s: e for s, e in expected.items() if s.astimezone(OSLO).month == 1}
    assert len(january) == 31 * 24
    for start, kwh in january.items():
        assert closed[start].kwh == pytest.approx(kwh, abs=1e-6), start
        assert not closed[start].estimated
    best: dict[date, float] = {}
    for start, kwh in january.items():
        day = start.astimezone(OSLO).date()
        best[day] = max(best.get(day, 0.0), kwh)
    top = sorted(best.values(), reverse=True)[:3]
    # the month's peaks as they stood just before the month ended
    capacity2, _ = tracker()
    meter2 = Meter(capacity2, oslo("2025-12-31 23:30"))
    meter2.run(oslo("2026-01-31 23:59:59"), profile)
    snap = capacity2.snapshot(meter2.now, DEFAULT_LIMITS)
    assert [p.kw for p in snap.peaks] == pytest.approx(top, abs=1e-6)
    assert snap.average == pytest.approx(sum(top) / 3, abs=1e-6)
    assert len({p.start.astimezone(OSLO).date() for p in snap.peaks}) == 3
    assert snap.step == step_of(DEFAULT_LIMITS, sum(top) / 3)
    # and the month boundary starts them anew
    after = capacity.snapshot(oslo("2026-02-01 00:30"), DEFAULT_LIMITS)
    assert after.peaks == ()
    assert after.average == 0.0
    assert (after.step, after.threshold) == (1, 2.0)


@pytest.mark.parametrize(("month", "minutes"), [(3, 60), (10, 60), (10, 15), (3, 15)])
def test_dst_months_against_the_truth(month: int, minutes: int) -> None:
    capacity, closed = tracker(minutes)
    start = oslo(f"2026-{month:02}-01 00:00")
    end = oslo(f"2026-{month + 1:02}-01 00:00")
    meter = Meter(capacity, start - timedelta(minutes=30))
    meter.run(end - timedelta(seconds=1), profile)
    snap = capacity.snapshot(meter.now, DEFAULT_LIMITS)
    meter.run(end + timedelta(minutes=30), profile)
    expected = {s: e for s, e in meter.expected(minutes).items() if start <= s < end}
    hours = {3: 31 * 24 - 1, 10: 31 * 24 + 1}[month]
    assert len(expected) == hours * 60 // minutes
    for period_start, kwh in expected.items():
        assert closed[period_start].kwh == pytest.approx(kwh, abs=1e-6), period_start
    best: dict[date, tuple[float, datetime]] = {}
    for period_start, kwh in expected.items():
        day = period_start.astimezone(OSLO).date()
        best[day] = max(best.get(day, (0.0, period_start)), (kwh * 60 / minutes, period_start))
    top = sorted(best.values(), key=lambda item: (-item[0], item[1]))[:3]
    assert [(p.kw, p.start) for p in snap.peaks] == [
        (pytest.approx(kw, abs=1e-6), s) for kw, s in top
    ]


def test_a_gap_is_estimated_from_the_totals_at_both_ends() -> None:
    capacity, closed = tracker()
    meter = Meter(capacity, utc("2026-01-15 08:30"))
    meter.run(utc("2026-01-15 09:20"), steady(2.0))
    meter.go_offline()
    meter.run(utc("2026-01-15 09:40"), steady(6.0))  # unseen: 2 kWh in 20 minutes
    meter.online = True
    meter.run(utc("2026-01-15 09:50"), steady(2.0))
    during = capacity.snapshot(meter.now, DEFAULT_LIMITS)
    # 09:20 - 09:45 without readings: too long to guess, the totals will tell
    assert during.energy == pytest.approx(2.0 * 25 / 60, abs=0.01)
    assert during.energy_estimated
    meter.run(utc("2026-01-15 10:30"), steady(2.0))
    hour = closed[utc("2026-01-15 09:00")]
    assert hour.kwh == pytest.approx(2.0 * 40 / 60 + 2.0, abs=1e-6)
    assert hour.estimated
    assert not capacity.snapshot(meter.now, DEFAULT_LIMITS).energy_estimated
    assert capacity.stats["gaps"] == 1


def test_a_gap_over_days_and_a_month_boundary() -> None:
    """Home Assistant off from the 30th to the 2nd: spread evenly, flagged, February only."""
    capacity, closed = tracker()
    meter = Meter(capacity, utc("2026-01-30 11:30"))
    meter.run(utc("2026-01-30 12:00:30"), steady(1.0))
    meter.go_offline()
    meter.run(utc("2026-02-02 12:00:00"), steady(1.0))
    meter.online = True
    meter.run(utc("2026-02-02 13:30:00"), steady(1.0))
    gap = [p for s, p in closed.items() if utc("2026-01-30 13:00") <= s < utc("2026-02-02 12:00")]
    assert len(gap) == 71
    assert all(p.estimated and p.kwh == pytest.approx(1.0, abs=1e-6) for p in gap)
    snap = capacity.snapshot(meter.now, DEFAULT_LIMITS)
    assert {p.start.astimezone(OSLO).month for p in snap.peaks} == {2}
    assert snap.peaks[0].estimated


def test_a_new_level_never_makes_a_peak() -> None:
    """A meter reset, a replaced meter: the totals jump, the power decides."""
    capacity, closed = tracker()
    start = utc("2026-01-15 09:00:10")
    capacity.total(start, 5000.0, new_level=True)
    totals = {20: (0.0, True), 40: (90000.0, True), 60: (90000.0 + 1 / 3, False)}
    for minute in range(0, 61, 5):
        capacity.power(start + timedelta(minutes=minute), 1.0)
        if minute in totals:
            # a reset, a new meter, then a total that goes on
            value, new_level = totals[minute]
            capacity.total(start + timedelta(minutes=minute), value, new_level=new_level)
    assert closed[utc("2026-01-15 09:00")].kwh == pytest.approx(1.0, abs=0.01)
    assert capacity.stats["new_levels"] == 3
    snap = capacity.snapshot(start + timedelta(minutes=61), DEFAULT_LIMITS)
    assert snap.peaks[0].kw == pytest.approx(1.0, abs=0.01)


def test_without_a_total_the_power_settles() -> None:
    """A total that stops moving for hours: the periods are settled from the power."""
    capacity, closed = tracker()
    start = utc("2026-01-15 09:00:10")
    capacity.total(start, 100.0, new_level=True)
    for minute in range(0, 5 * 60, 5):
        capacity.power(start + timedelta(minutes=minute), 2.0)
    assert closed[utc("2026-01-15 10:00")].kwh == pytest.approx(2.0)
    assert utc("2026-01-15 12:00") not in closed
    assert capacity.stats["settled_without_total"] > 0
    # the total moves again: a new level, the power decides until it
    now = start + timedelta(hours=5)
    capacity.total(now, 100.0 + 50)
    assert closed[utc("2026-01-15 12:00")].kwh == pytest.approx(2.0, abs=1e-6)
    capacity.power(now, 2.0)
    capacity.total(now + timedelta(hours=1), 100.0 + 50 + 2.2)
    assert closed[utc("2026-01-15 14:00")].kwh == pytest.approx(2.2, abs=0.01)


def test_power_that_stops_is_held_for_a_while_only() -> None:
    capacity, _ = tracker()
    start = utc("2026-01-15 09:00")
    capacity.power(start, 4.0)
    snap = capacity.snapshot(start + HOLD - timedelta(seconds=1), DEFAULT_LIMITS)
    assert snap.estimate is not None
    snap = capacity.snapshot(start + HOLD + timedelta(minutes=1), DEFAULT_LIMITS)
    assert snap.estimate is None
    assert snap.energy_estimated
    capacity.power(start + timedelta(minutes=20), -1.5)  # export: no import
    snap = capacity.snapshot(start + timedelta(minutes=30), DEFAULT_LIMITS)
    assert snap.estimate == pytest.approx(snap.energy)
    capacity.power(start + timedelta(minutes=31), float("nan"))
    capacity.total(start + timedelta(minutes=31), float("inf"))


def test_the_power_shown_at_the_start_makes_the_estimate_only() -> None:
    """The node's power when the readings start: for the estimate, not energy."""
    capacity, _ = tracker()
    start = utc("2026-01-15 09:30")
    capacity.shown(start, 2.0)
    snap = capacity.snapshot(start + timedelta(minutes=10), DEFAULT_LIMITS)
    assert snap.energy == 0.0
    assert snap.estimate == pytest.approx(2.0 * 20 / 60)
    # as long as a reading would count, no longer
    snap = capacity.snapshot(start + HOLD + timedelta(seconds=1), DEFAULT_LIMITS)
    assert snap.estimate is None
    # a reading replaces it, and a shown power does not replace a reading
    capacity.power(start + timedelta(minutes=16), 1.0)
    capacity.shown(start + timedelta(minutes=17), 9.0)
    snap = capacity.snapshot(start + timedelta(minutes=18), DEFAULT_LIMITS)
    assert snap.estimate == pytest.approx(snap.energy + 1.0 * 12 / 60)
    # export shows as no import; a value that is no number is ignored
    capacity, _ = tracker()
    capacity.shown(start, -1.0)
    assert capacity.snapshot(start, DEFAULT_LIMITS).estimate == 0.0
    capacity.shown(start, float("nan"))
    assert capacity.snapshot(start, DEFAULT_LIMITS).estimate == 0.0


def test_a_clock_set_back_stands_still() -> None:
    capacity, _ = tracker()
    start = utc("2026-01-15 09:00")
    capacity.power(start, 2.0)
    capacity.power(start + timedelta(minutes=30), 2.0)
    capacity.power(start + timedelta(minutes=10), 2.0)
    assert capacity.until == start + timedelta(minutes=30)
    with pytest.raises(ValueError, match="time zone"):
        capacity.power(datetime(2026, 1, 1), 1.0)  # noqa: DTZ001


# -- restarts ------------------------------------------------------------------------


def test_a_restart_mid_hour_loses_and_doubles_nothing() -> None:
    capacity, closed = tracker()
    meter = Meter(capacity, utc("2026-01-15 08:30"))
    meter.run(utc("2026-01-15 09:31"), steady(3.0))
    stored = json.loads(json.dumps(capacity.as_dict()))
    # Home Assistant is off for two minutes
    meter.online = False
    meter.run(utc("2026-01-15 09:33"), steady(3.0))
    restored = CapacityTracker.from_dict(stored, OSLO, 60)
    restored.on_closed = capacity.on_closed
    meter.capacity, meter.online = restored, True
    meter.run(utc("2026-01-15 09:40"), steady(3.0))
    snap = restored.snapshot(meter.now, DEFAULT_LIMITS)
    assert snap.energy == pytest.approx(2.0, abs=0.01)
    assert snap.energy_estimated
    meter.run(utc("2026-01-15 10:30"), steady(3.0))
    assert closed[utc("2026-01-15 09:00")].kwh == pytest.approx(3.0, abs=1e-6)
    assert restored.snapshot(meter.now, DEFAULT_LIMITS).energy == pytest.approx(1.5)


def test_another_period_length_keeps_the_month() -> None:
    capacity, _ = tracker()
    meter = Meter(capacity, utc("2026-01-15 08:30"))
    meter.run(utc("2026-01-15 11:20"), steady(3.0))
    stored = json.loads(json.dumps(capacity.as_dict()))
    quarter = CapacityTracker.from_dict(stored, OSLO, 15)
    snap = quarter.snapshot(utc("2026-01-15 11:20"), DEFAULT_LIMITS)
    assert [p.kw for p in snap.peaks] == pytest.approx([3.0])
    assert snap.energy == 0.0
    assert snap.energy_estimated


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(format=99),
        lambda d: d.update(last_total="many"),
        lambda d: d.pop("days"),
        lambda d: d.update(until="yesterday"),
    ],
)
def test_stored_state_that_is_not_ours_is_refused(breakage: Callable[[dict], None]) -> None:
    capacity, _ = tracker()
    capacity.total(utc("2026-01-15 09:00"), 1.0, new_level=True)
    data = capacity.as_dict()
    breakage(data)
    with pytest.raises((ValueError, KeyError, TypeError)):
        CapacityTracker.from_dict(data, OSLO, 60)


def test_diagnostics_hide_the_meter_totals() -> None:
    capacity, _ = tracker()
    capacity.total(utc("2026-01-15 09:00"), 12345.678, new_level=True)
    data = capacity.diagnostics()
    assert "12345" not in json.dumps(data)
    assert data["anchor_kwh"] == data["last_total"] == "**REDACTED**"


# -- steps ------------------------------------------------------------------------


def test_limits_are_ascending_positive_numbers() -> None:
    assert check_limits([2, 5.5, 10]) == (2.0, 5.5, 10.0)
    for bad in ([], [0, 2], [-1], [2, 2], [5, 2], [float("nan")], [float("inf")]):
        with pytest.raises(ValueError):  # noqa: PT011
            check_limits(bad)
    with pytest.raises(ValueError, match="divide the hour"):
        CapacityTracker(OSLO, 7)


def test_steps_and_the_next_threshold() -> None:
    assert [step_of(DEFAULT_LIMITS, kw) for kw in (0, 1.99, 2, 4.9, 25, 99)] == [1, 1, 2, 2, 7, 7]
    # the month's first day: the running hour alone is the average
    assert threshold(5.0, []) == 5.0
    # one other day at 4 kW: (x + 4) / 2 = 5
    assert threshold(5.0, [4.0]) == 6.0
    # the two largest other days count: (x + 4.5 + 4) / 3 = 5
    assert threshold(5.0, [1.0, 4.0, 4.5]) == pytest.approx(6.5)


def test_the_snapshot_shows_step_limits_and_threshold() -> None:
    capacity, _ = tracker()
    evenings = {12: 4.0, 13: 4.5, 14: 1.0}

    def load(moment: datetime) -> float:
        local = moment.astimezone(OSLO)
        return evenings.get(local.day, 0.0) if local.hour == 18 else 0.0

    Meter(capacity, oslo("2026-01-12 00:00")).run(oslo("2026-01-15 10:30"), load)
    snap = capacity.snapshot(oslo("2026-01-15 10:30"), DEFAULT_LIMITS)
    assert snap.average == pytest.approx((4.0 + 4.5 + 1.0) / 3)
    assert snap.value(CapacityReading.STEP) == 2
    assert snap.attributes(CapacityReading.STEP) == {"lower_limit": 2.0, "upper_limit": 5.0}
    assert snap.value(CapacityReading.THRESHOLD) == pytest.approx(6.5)
    assert snap.attributes(CapacityReading.THRESHOLD) == {"step_limit": 5.0}
    peaks = snap.attributes(CapacityReading.PEAK_AVERAGE)["peaks"]
    assert [p["start"] for p in peaks] == [
        "2026-01-13T18:00:00+01:00",
        "2026-01-12T18:00:00+01:00",
        "2026-01-14T18:00:00+01:00",
    ]
    top = capacity.snapshot(oslo("2026-01-15 10:30"), (1.0, 2.0))
    assert (top.step, top.upper_limit, top.threshold) == (3, None, None)
    assert top.value(CapacityReading.THRESHOLD) is None


@given(
    limit=st.floats(0.5, 50),
    others=st.lists(st.floats(0, 40), max_size=10),
)
def test_the_threshold_takes_the_average_to_the_limit(limit: float, others: list[float]) -> None:
    top = sorted(others, reverse=True)[:3]
    if top and sum(top) / len(top) >= limit:
        return  # the month is past this limit already
    x = threshold(limit, others)
    assert x > 0
    days = sorted([*others, x], reverse=True)[:3]
    assert sum(days) / len(days) == pytest.approx(limit, rel=1e-9, abs=1e-9)


# -- properties -----------------------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, float, float]]:
    """Events: (kind, minutes since start, value), within SETTLE_AFTER."""
    events = []
    minute = 0.0
    for _ in range(draw(st.integers(1, 60))):
        minute += draw(st.floats(0, 30))
        if minute > 110:
            break
        kind = draw(st.sampled_from(["power", "power", "lost", "restart", "total"]))
        events.append((kind, minute, draw(st.floats(0, 20))))
    return events


@settings(max_examples=150, deadline=None)
@given(history=histories(), minutes=st.sampled_from([15, 60]))
def test_energy_is_conserved(history: list[tuple[str, float, float]], minutes: int) -> None:
    """Whatever happens between two totals, the periods get exactly their difference."""
    capacity, closed = tracker(minutes)
    start = oslo("2026-10-24 23:17")  # the night of the autumn DST change
    capacity.total(start, 100.0, new_level=True)
    energy = 0.0
    last, kw = start, 0.0
    for kind, minute, value in history:
        moment = start + timedelta(minutes=minute)
        energy += kw * (moment - last).total_seconds() / 3600
        last = moment
        if kind == "power":
            kw = value
            capacity.power(moment, kw)
        elif kind == "lost":
            capacity.lost(moment)
        elif kind == "total":
            capacity.total(moment, 100.0 + energy)
        else:
            data = json.loads(json.dumps(capacity.as_dict()))
            restored = CapacityTracker.from_dict(data, OSLO, minutes)
            restored.on_closed = capacity.on_closed
            capacity = restored
    # a last minute at 2 kW: the total moves
    capacity.power(last, 2.0)
    end = last + timedelta(minutes=1)
    energy += 2.0 / 60
    capacity.total(end, 100.0 + energy)
    snap = capacity.snapshot(end, DEFAULT_LIMITS)
    settled = sum(p.kwh for p in closed.values() if p.start >= capacity.period_start(start))
    assert settled + snap.energy == pytest.approx(energy, abs=1e-6)
    assert all(p.kwh >= -1e-12 for p in closed.values())
    # each day has its own largest period: at most one peak per day
    assert len({p.start.astimezone(OSLO).date() for p in snap.peaks}) == len(snap.peaks)


@settings(max_examples=100, deadline=None)
@given(totals=st.lists(st.tuples(st.floats(0, 300), st.floats(0, 1e6)), min_size=1, max_size=20))
def test_new_levels_bring_no_energy(totals: list[tuple[float, float]]) -> None:
    capacity, closed = tracker()
    start = utc("2026-01-15 09:00")
    capacity.power(start, 0.0)
    minute = 0.0
    for step, value in totals:
        minute += step
        capacity.power(start + timedelta(minutes=minute), 0.0)
        capacity.total(start + timedelta(minutes=minute), value, new_level=True)
    snap = capacity.snapshot(start + timedelta(minutes=minute), DEFAULT_LIMITS)
    assert snap.energy == 0.0
    assert all(p.kwh == 0.0 for p in closed.values())
