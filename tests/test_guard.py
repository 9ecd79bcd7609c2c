"""The total guard: the total it books grows only by accepted consumption."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.zwave_quirks.guard import (
    DECIDE_SECONDS,
    Outcome,
    TotalGuard,
)

HOUR = 3600.0
MIN = 60.0
KW = 5.0  # the plug's limit


def feed(guard: TotalGuard, readings: list[tuple[float, float]]) -> list[float | None]:
    """Readings as (hours since start, kWh); the totals booked after each."""
    shown = []
    for at, value in readings:
        guard.reading(value, at * HOUR, KW)
        shown.append(None if guard.total is None else round(guard.total, 9))
    return shown


def outcomes(guard: TotalGuard, readings: list[tuple[float, float]]) -> list[Outcome]:
    return [guard.reading(value, at * HOUR, KW).outcome for at, value in readings]


def test_growing_totals_pass() -> None:
    guard = TotalGuard()
    assert feed(guard, [(0, 1.0), (1, 1.5), (2, 1.5), (3, 2.0)]) == [1.0, 1.5, 1.5, 2.0]
    assert guard.counts == {"drop": 0, "spike": 0, "negative": 0}
    assert guard.register == 2.0


def test_a_single_drop_is_held_then_discarded() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 10.0)])
    assert outcomes(guard, [(0.1, 0.0)]) == [Outcome.HELD]
    assert guard.total == 10.0
    # a glitch: the next reading is back on track, and what it added counts
    assert outcomes(guard, [(0.2, 10.2)]) == [Outcome.DISCARDED]
    assert guard.total == pytest.approx(10.2)
    assert guard.level is None
    assert guard.counts["drop"] == 1


def test_a_bad_level_that_repeats_is_discarded_however_long() -> None:
    """A misplaced decimal for three readings, then the track again: nothing booked."""
    guard = TotalGuard()
    feed(guard, [(0, 12.75)])
    readings = [(5 / 60, 127.6), (10 / 60, 127.7), (15 / 60, 127.8), (20 / 60, 12.80)]
    assert outcomes(guard, readings) == [
        Outcome.HELD,
        Outcome.STILL_HELD,
        Outcome.STILL_HELD,
        Outcome.DISCARDED,
    ]
    assert guard.total == pytest.approx(12.80)
    # a glitch to 0 that repeats, then back
    guard = TotalGuard()
    feed(guard, [(0, 50.0), (0.1, 0.0), (0.2, 0.0), (0.3, 0.0), (0.4, 50.2)])
    assert guard.total == pytest.approx(50.2)


def test_a_level_that_lasts_is_a_new_level_and_the_jump_is_not_booked() -> None:
    """A replaced meter: the total goes on from the old one, the time between estimated."""
    guard = TotalGuard()
    feed(guard, [(0, 100.0)])
    # 1 kW throughout: the new meter starts at 5000 and grows 1 kWh an hour
    guard.power(1.0, 0)
    t = 0.25
    result = guard.reading(5000.0, t * HOUR, KW)
    assert result.outcome is Outcome.HELD
    results = []
    for step in range(1, 13):
        at = t + step * 5 / 60
        guard.power(1.0, at * HOUR)
        results.append(guard.reading(5000.0 + step * 5 / 60, at * HOUR, KW))
    assert results[-1].outcome is Outcome.NEW_LEVEL
    assert [r.outcome for r in results[:-1]] == [Outcome.STILL_HELD] * 11
    # 100 + 0.25 h (power) + 12 x 5 min on the new meter = the 1 kW truth
    assert guard.total == pytest.approx(100 + t + 12 * 5 / 60)
    guard.power(1.0, (t + 65 / 60) * HOUR)
    assert guard.reading(5001.1, (t + 66 / 60) * HOUR, KW).outcome is Outcome.COUNTED
    assert guard.jump is not None
    assert guard.jump.uncounted == pytest.approx(5000 - 100 - t)


def test_the_user_counts_a_jump_exactly() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 100.0), (0.5, 200.0), (0.6, 200.1), (1.6, 200.2)])
    assert guard.jump is not None
    before = guard.total
    assert before is not None
    added = guard.count_jump()
    assert guard.total == pytest.approx(before + added)
    # the register's every rise is in the total now
    assert guard.total == pytest.approx(200.2)
    assert guard.corrections == pytest.approx(added)
    assert guard.jump is None
    assert guard.count_jump() == 0.0


def test_a_drop_that_lasts_is_a_reset_counted_from_0() -> None:
    """core #77252: a counter back to 0 that goes on from there; no power readings."""
    guard = TotalGuard()
    feed(guard, [(0, 10.0)])
    steps = [(0.5 + i / 12, 0.1 * (i + 1)) for i in range(14)]
    feed(guard, steps)
    assert guard.level is None
    # 1.2 kWh an hour on the new level: the half hour before it gets 0.6 kWh
    assert guard.total == pytest.approx(10.0 + 0.6 + 1.3)
    assert guard.jump is None  # a drop is never consumption


def test_reset_through_integration_is_accepted_at_once() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 10.0)])
    guard.expect_reset(1 * HOUR)
    assert outcomes(guard, [(1, 0.0)]) == [Outcome.RESET]
    assert guard.total == 10.0
    # the expectation is used up: the next drop is held again
    assert outcomes(guard, [(1.01, 0.01), (1.02, 0.005)]) == [Outcome.COUNTED, Outcome.HELD]
    assert guard.total == pytest.approx(10.01)


def test_reset_through_integration_gets_the_power_in_between() -> None:
    guard = TotalGuard()
    guard.power(2.0, 0)
    feed(guard, [(0, 10.0)])
    for minutes in (10, 20):
        guard.power(2.0, minutes * MIN)
    guard.expect_reset(0.5 * HOUR)
    guard.reading(0.0, 0.5 * HOUR, KW)
    # half an hour at 2 kW since the last reading
    assert guard.total == pytest.approx(11.0)


def test_expected_reset_expires() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 10.0)])
    guard.expect_reset(HOUR)
    assert outcomes(guard, [(1 + 30 / HOUR, -5.0), (1 + 60 / HOUR, 0.0)]) == [
        Outcome.NEGATIVE,
        Outcome.RESET,
    ]
    guard = TotalGuard()
    feed(guard, [(0, 10.0)])
    guard.expect_reset(HOUR)
    assert outcomes(guard, [(1 + 121 / HOUR, 0.0)]) == [Outcome.HELD]


def test_failed_reset_disarms() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 10.0)])
    guard.expect_reset(HOUR)
    guard.expect_reset(HOUR, expected=False)
    assert outcomes(guard, [(1, 0.0)]) == [Outcome.HELD]


def test_a_repeated_frame_does_not_make_a_level_last() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 100.0), (0.1, 3.5e9)])
    level = guard.level
    assert level is not None
    assert outcomes(guard, [(0.1 + 2 / HOUR, 3.5e9)]) == [Outcome.STILL_HELD]
    assert level.readings == 1
    assert guard.total == 100.0


def test_negative_totals_are_never_counted() -> None:
    """core #159919 and #57230: about -21,474,836 kWh from a signed overflow."""
    guard = TotalGuard()
    assert feed(guard, [(0, -21474836.48)]) == [None]
    got = outcomes(guard, [(1, 5.0)] + [(1 + i, -21474836.48) for i in range(5)])
    assert got == [Outcome.FIRST, Outcome.NEGATIVE] + [Outcome.NEGATIVE_AGAIN] * 4
    assert guard.total == 5.0
    assert guard.counts["negative"] == 6
    assert outcomes(guard, [(7, 5.5)]) == [Outcome.COUNTED]


def test_absurd_spike_then_back() -> None:
    """core #56493 and #81179: a single absurd kWh value."""
    guard = TotalGuard()
    assert feed(guard, [(0, 1000.0), (0.1, 3.5e9), (0.2, 1000.3)]) == [1000.0, 1000.0, 1000.3]


def test_a_rise_within_the_meter_power_passes() -> None:
    guard = TotalGuard()
    # 5 kW for an hour, and one quantum of rounding a second later
    assert feed(guard, [(0, 0.0), (1, 5.0), (1 + 1 / HOUR, 5.01)]) == [0.0, 5.0, 5.01]
    # twice the meter's power is not
    assert outcomes(guard, [(2, 15.1)]) == [Outcome.HELD]


def test_the_limit_follows_the_caller() -> None:
    guard = TotalGuard()
    guard.reading(0.0, 0, 100.0)
    assert guard.reading(1000.0, HOUR, 100.0).outcome is Outcome.HELD
    assert guard.reading(1000.0, HOUR, 100_000.0).outcome is Outcome.DISCARDED
    assert guard.total == 1000.0


def test_refresh_never_decides() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 10.0), (1, 0.5)])
    # the server still has the dropped value after a reconnect
    assert guard.refresh(0.5, 1.1 * HOUR, KW).outcome is Outcome.IGNORED
    assert guard.level is not None
    assert guard.refresh(10.1, 1.2 * HOUR, KW).outcome is Outcome.IGNORED
    assert guard.total == 10.0
    assert guard.refresh(-5.0, 1.2 * HOUR, KW).outcome is Outcome.IGNORED


def test_refresh_keeps_the_time_of_the_last_reading() -> None:
    """A restart reads the same total again: its time must not move to now."""
    guard = TotalGuard()
    guard.seed(100.0, 0)
    assert guard.refresh(100.0, 3 * HOUR, KW).outcome is Outcome.COUNTED
    assert guard.register_at == 0
    # 9 kWh in 3 hours is within 5 kW: counted at once
    assert guard.reading(109.0, 3 * HOUR + 10, KW).outcome is Outcome.COUNTED
    assert guard.total == 109.0


def test_refresh_counts_what_fits_and_a_stale_total_never_moves_it() -> None:
    guard = TotalGuard()
    guard.seed(4.0, 0)
    assert guard.refresh(4.5, HOUR, KW).outcome is Outcome.COUNTED
    assert guard.refresh(400.0, HOUR, KW).outcome is Outcome.IGNORED
    assert guard.refresh(4.0, HOUR, KW).outcome is Outcome.IGNORED
    assert guard.total == 4.5


def test_a_first_value_of_unknown_age_is_based_on_by_the_first_reading() -> None:
    """A new meter: the server's cached value may be hours old; nothing before counts."""
    guard = TotalGuard()
    assert guard.refresh(1000.0, 0, KW).outcome is Outcome.FIRST
    assert guard.refresh(1003.0, 60, KW).outcome is Outcome.IGNORED
    assert guard.reading(1004.05, 300, KW).outcome is Outcome.FIRST
    assert (guard.total, guard.register) == (1000.0, 1004.05)
    assert guard.reading(1004.15, 600, KW).outcome is Outcome.COUNTED
    assert guard.total == pytest.approx(1000.1)
    assert guard.jump is None
    # a stored total without its time (or seeded without one): the same
    guard = TotalGuard.from_dict({"total": 100.0})
    assert guard.reading(90.0, 0, KW).outcome is Outcome.FIRST
    assert guard.reading(90.2, 300, KW).outcome is Outcome.COUNTED
    assert guard.total == pytest.approx(100.2)


def test_a_reset_of_a_small_register_is_not_mistaken_for_the_old_track() -> None:
    """2 kWh, reset on the device, 3 kW: the new count passes 2 kWh within the hour."""
    guard = TotalGuard()
    guard.power(3.0, 0)
    guard.reading(2.0, 0, KW)
    for step in range(1, 20):
        guard.power(3.0, step * 5 * MIN)
        guard.reading(round(0.25 * step, 2), step * 5 * MIN, KW)
    assert guard.level is None
    assert guard.total == pytest.approx(2.0 + 0.25 * 19)


def test_a_stray_reading_does_not_restart_a_held_level() -> None:
    guard = TotalGuard()
    guard.reading(10.0, 0, KW)
    results = []
    for step in range(1, 16):
        value = 5000.0 if step % 4 == 0 else round(0.1 * step, 2)
        results.append(guard.reading(value, step * 5 * MIN, KW).outcome)
    assert Outcome.NEW_LEVEL in results
    assert guard.counts["drop"] == 1
    # the stray 5000s are no level: the drop to 0 was decided after an hour
    assert guard.register == pytest.approx(1.5)


def test_a_refresh_is_not_counted_twice_by_a_new_level() -> None:
    """Without power readings, a new level's estimate leaves out what a read counted."""
    guard = TotalGuard()
    guard.reading(10.0, 0, KW)
    guard.refresh(10.5, 0.5 * HOUR, KW)  # read again after a reconnect: 1 kW
    for step in range(14):
        guard.reading(round(0.1 * step / 1.2 + 0.0, 4), HOUR + step * 5 * MIN, KW)
    assert guard.level is None
    # 1 kW: an hour to the reset, 13 x 5 minutes after it
    assert guard.total == pytest.approx(10.0 + 1.0 + 13 * 5 / 60 * 1.0, abs=0.01)


def test_a_second_jump_replaces_the_question_and_from_dict_checks_types() -> None:
    guard = TotalGuard()
    feed(guard, [(0, 100.0), (0.5, 200.0), (0.6, 200.1), (1.6, 200.2)])
    first = guard.jump
    feed(guard, [(2.0, 900.0), (2.1, 900.1), (3.1, 900.2)])
    assert guard.jump is not None
    assert guard.jump != first
    assert guard.jump.before == pytest.approx(200.2)
    data = guard.as_dict()
    broken = TotalGuard.from_dict(
        data | {"level": {**(data["jump"] or {}), "reason": "spike"}, "jump": {"before": "1"}}
    )
    assert (broken.level, broken.jump) == (None, None)


def test_seed_and_storage() -> None:
    guard = TotalGuard()
    guard.seed(5.0, 0)
    assert (guard.total, guard.register) == (5.0, 5.0)
    guard = TotalGuard()
    guard.seed(-1.0, 0)
    assert guard.total is None
    guard = TotalGuard()
    feed(guard, [(0, 100.0), (0.5, 200.0), (0.6, 200.1), (1.6, 200.2), (1.7, 3.0)])
    copy = TotalGuard.from_dict(guard.as_dict())
    assert copy.as_dict() == guard.as_dict()
    assert copy.diagnostics() == {**guard.diagnostics(), "last_held": None}
    with pytest.raises(ValueError, match="no total"):
        TotalGuard.from_dict({"total": "x"})
    # a stored level or jump that cannot be read is left out
    broken = TotalGuard.from_dict(guard.as_dict() | {"level": {"reason": "?"}, "jump": [1]})
    assert TotalGuard.from_dict(guard.as_dict() | {"level": None}).level is None
    assert (broken.level, broken.jump, broken.total) == (None, None, guard.total)


readings = st.lists(
    st.tuples(
        st.sampled_from(["reading", "reading", "reading", "refresh", "reset", "power"]),
        st.floats(min_value=0, max_value=2 * HOUR),
        st.one_of(
            st.floats(min_value=0, max_value=1e4),
            st.floats(min_value=-3e7, max_value=-1e-3),
            st.sampled_from([0.0, -21474836.48, 125.271, 12.75]),
        ),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=500)
@given(readings)
def test_the_total_never_drops_and_never_jumps(steps: list) -> None:
    """Never negative, never lower; a rise is at most what the meter can carry.

    A new level adds the power readings' energy or its own rate over the
    time before it: also within what the meter can carry.
    """
    guard = TotalGuard()
    now = 0.0
    shown: float | None = None
    start = None
    for kind, delta, value in steps:
        now += delta
        if kind == "reset":
            guard.expect_reset(now)
            continue
        if kind == "power":
            guard.power(min(abs(value), KW), now)
            continue
        before = shown
        if kind == "refresh":
            guard.refresh(value, now, KW)
        else:
            guard.reading(value, now, KW)
        shown = guard.total
        if shown is None:
            continue
        if start is None:
            start = (shown, now)
        assert shown >= 0
        if before is not None:
            assert shown >= before - 1e-9
        # a reset adds its new reading, from 0, at most once per press
        assert shown - start[0] <= KW * (now - start[1]) / HOUR + 0.1 * len(steps) + 1e4 * sum(
            1 for k, _, _ in steps if k == "reset"
        )


def test_power_readings_with_a_gap_give_no_estimate() -> None:
    guard = TotalGuard()
    guard.power(2.0, 0)
    feed(guard, [(0, 10.0)])
    guard.power(2.0, 20 * MIN)  # 20 minutes without a power reading: a gap
    guard.expect_reset(0.5 * HOUR)
    guard.reading(0.2, 0.5 * HOUR, KW)
    # only what the meter says since the reset
    assert guard.total == pytest.approx(10.2)
    assert DECIDE_SECONDS == HOUR
