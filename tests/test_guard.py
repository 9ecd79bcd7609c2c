"""The total guard: drops, spikes and negative totals never reach the statistics."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.zwave_quirks.guard import TotalGuard

HOUR = 3600.0
KW = 5.0  # the plug's limit


def feed(guard: TotalGuard, readings: list[tuple[float, float]]) -> list[float | None]:
    """Readings as (hours since start, kWh); the values shown."""
    return [guard.reading(value, at * HOUR, KW) for at, value in readings]


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_growing_totals_pass() -> None:
    guard = TotalGuard("t")
    assert feed(guard, [(0, 1.0), (1, 1.5), (2, 1.5), (3, 2.0)]) == [1.0, 1.5, 1.5, 2.0]
    assert guard.counts == {"drop": 0, "spike": 0, "negative": 0}


def test_single_drop_is_held_back_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    guard = TotalGuard("plug energy")
    feed(guard, [(0, 10.0)])
    with caplog.at_level(logging.WARNING):
        assert feed(guard, [(1, 0.0)]) == [10.0]
    assert sum("held back" in m for m in messages(caplog)) == 1
    # a glitch: the next reading is back on track
    assert feed(guard, [(2, 10.2)]) == [10.2]
    assert guard.pending is None
    assert guard.as_dict()["held"] == {"value": 0.0, "reason": "drop"}
    assert guard.counts["drop"] == 1


def test_confirmed_drop_is_a_device_reset(caplog: pytest.LogCaptureFixture) -> None:
    """home-assistant/core #77252: a counter back to 0 after re-inclusion."""
    guard = TotalGuard("t")
    caplog.set_level(logging.WARNING)
    assert feed(guard, [(0, 10.0), (1, 0.01), (2, 0.02), (3, 0.03)]) == [10.0, 10.0, 0.02, 0.03]
    assert any("accepted as a meter reset" in m for m in messages(caplog))


def test_reset_through_integration_is_accepted_at_once() -> None:
    guard = TotalGuard("t")
    feed(guard, [(0, 10.0)])
    guard.expect_reset(1 * HOUR)
    assert feed(guard, [(1, 0.0)]) == [0.0]
    # the expectation is used up: the next drop is held again
    assert feed(guard, [(1.01, 0.01), (1.02, 0.005)]) == [0.01, 0.01]


def test_expected_reset_expires() -> None:
    """Two minutes after the press; negative garbage does not use the window up."""
    guard = TotalGuard("t")
    feed(guard, [(0, 10.0)])
    guard.expect_reset(HOUR)
    assert feed(guard, [(1 + 30 / HOUR, -5.0), (1 + 60 / HOUR, 0.0)]) == [10.0, 0.0]
    guard = TotalGuard("t")
    feed(guard, [(0, 10.0)])
    guard.expect_reset(HOUR)
    assert feed(guard, [(1 + 121 / HOUR, 0.0)]) == [10.0]


def test_failed_reset_disarms() -> None:
    guard = TotalGuard("t")
    feed(guard, [(0, 10.0)])
    guard.expect_reset(HOUR)
    guard.expect_reset(HOUR, expected=False)
    assert feed(guard, [(1, 0.0)]) == [10.0]


def test_a_repeated_frame_confirms_nothing() -> None:
    """The same bad report twice (a repeated frame) is still held."""
    guard = TotalGuard("t")
    assert feed(guard, [(0, 100.0), (0.1, 3.5e9), (0.1 + 0.2 / HOUR, 3.5e9)]) == [100.0] * 3
    assert guard.pending is not None
    guard = TotalGuard("t")
    assert feed(guard, [(0, 100.0), (0.1, 0.0), (0.1 + 0.2 / HOUR, 0.0)]) == [100.0] * 3
    # the same value a while later is a confirmation (a meter that stays at 0)
    assert feed(guard, [(0.2, 0.0)]) == [0.0]


def test_negative_totals_are_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    """core #159919 and #57230: about -21,474,836 kWh from a signed overflow."""
    guard = TotalGuard("t")
    caplog.set_level(logging.WARNING)
    assert feed(guard, [(0, -21474836.48)]) == [None]
    assert feed(guard, [(1, 5.0)] + [(1 + i, -21474836.48) for i in range(5)]) == [5.0] * 6
    assert sum("negative" in m for m in messages(caplog)) == 2  # two episodes
    assert guard.counts["negative"] == 6
    # a negative reading confirms no drop
    assert feed(guard, [(7, 1.0), (8, -1.0)]) == [5.0, 5.0]
    assert guard.pending is not None
    assert guard.pending.reason == "drop"


def test_misplaced_decimal_is_discarded(caplog: pytest.LogCaptureFixture) -> None:
    """zwave-js-ui #2367: 12.75 -> 125.271 kWh, then back on track."""
    guard = TotalGuard("t")
    caplog.set_level(logging.WARNING)
    assert feed(guard, [(0, 12.75), (0.5, 125.271), (1, 12.9)]) == [12.75, 12.75, 12.9]
    logged = messages(caplog)
    assert any("spike discarded" in m for m in logged)
    assert not any("reset" in m for m in logged)
    assert guard.counts["spike"] == 1
    assert guard.as_dict()["held"] == {"value": 125.271, "reason": "spike"}


def test_absurd_spike_then_back(caplog: pytest.LogCaptureFixture) -> None:
    """core #56493 and #81179: a single absurd kWh value."""
    guard = TotalGuard("t")
    assert feed(guard, [(0, 1000.0), (0.1, 3.5e9), (0.2, 1000.3)]) == [1000.0, 1000.0, 1000.3]


def test_a_jump_that_continues_is_a_new_level(caplog: pytest.LogCaptureFixture) -> None:
    """A replaced meter: the new level goes on growing from where it jumped."""
    guard = TotalGuard("t")
    caplog.set_level(logging.WARNING)
    assert feed(guard, [(0, 100.0), (1, 5000.0), (2, 5001.0)]) == [100.0, 100.0, 5001.0]
    assert any("new level" in m for m in messages(caplog))


def test_a_rise_within_the_meter_power_passes() -> None:
    guard = TotalGuard("t")
    # 5 kW for an hour, and one quantum of rounding a second later
    assert feed(guard, [(0, 0.0), (1, 5.0), (1 + 1 / HOUR, 5.01)]) == [0.0, 5.0, 5.01]
    # twice the meter's power is not
    assert feed(guard, [(2, 15.1)]) == [5.01]


def test_the_limit_follows_the_caller() -> None:
    guard = TotalGuard("t")
    guard.reading(0.0, 0, 100.0)
    assert guard.reading(1000.0, HOUR, 100.0) == 0.0
    assert guard.reading(1000.0, HOUR, 100_000.0) == 1000.0
    guard = TotalGuard("no limit")
    guard.reading(0.0, 0, None)
    assert guard.reading(1e9, 1, None) == 1e9


def test_refresh_never_confirms() -> None:
    guard = TotalGuard("t")
    feed(guard, [(0, 10.0), (1, 0.5)])
    # the server still has the dropped value after a reconnect
    assert guard.refresh(0.5, 1.1 * HOUR, KW) == 10.0
    assert guard.refresh(0.5, 1.2 * HOUR, KW) == 10.0
    assert guard.pending is not None
    # the next reading from the node confirms the drop
    assert feed(guard, [(2, 0.6)]) == [0.6]

    feed(guard, [(3, 1.0), (3.1, 900.0)])
    assert guard.refresh(900.0, 3.2 * HOUR, KW) == 1.0
    assert guard.refresh(1.1, 3.2 * HOUR, KW) == 1.0  # a held spike is decided by a reading
    assert guard.refresh(-5.0, 3.2 * HOUR, KW) == 1.0


def test_refresh_keeps_the_time_of_the_last_reading() -> None:
    """A restart reads the same total again: its time must not move to now."""
    guard = TotalGuard("t")
    guard.seed(100.0, 0)
    assert guard.refresh(100.0, 3 * HOUR, KW) == 100.0
    assert guard.last_at == 0
    # 9 kWh in 3 hours is within 5 kW: accepted at once
    assert guard.reading(109.0, 3 * HOUR + 10, KW) == 109.0
    assert guard.counts["spike"] == 0


def test_refresh_accepts_what_fits() -> None:
    guard = TotalGuard("t")
    assert guard.refresh(4.0, 0, KW) == 4.0
    assert guard.refresh(4.5, HOUR, KW) == 4.5
    assert guard.refresh(400.0, HOUR, KW) == 4.5
    assert guard.refresh(4.0, HOUR, KW) == 4.5


def test_seed() -> None:
    guard = TotalGuard("t")
    guard.seed(5.0, 0)
    assert guard.refresh(4.0, 1, KW) == 5.0
    assert guard.pending is None
    assert guard.refresh(6.0, HOUR, KW) == 6.0
    guard = TotalGuard("unknown time")
    guard.seed(5.0, None)
    assert guard.reading(50.0, 0, KW) == 5.0  # only the slack without a time
    assert guard.reading(5.05, 1, KW) == 5.05
    guard = TotalGuard("negative seed")
    guard.seed(-1.0, 0)
    assert guard.last is None


readings = st.lists(
    st.tuples(
        st.sampled_from(["reading", "reading", "reading", "refresh", "reset"]),
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
def test_the_shown_total_only_drops_through_a_reset(steps: list) -> None:
    """Never negative; it drops only through the button or a confirmed drop."""
    guard = TotalGuard("t")
    now = 0.0
    shown: float | None = None
    armed_until = -1.0
    last_reading_below = False  # the last non-negative reading was below the total
    for kind, delta, value in steps:
        now += delta
        if kind == "reset":
            guard.expect_reset(now)
            armed_until = now + 120
            continue
        before = shown
        if kind == "refresh":
            shown = guard.refresh(value, now, KW)
        else:
            shown = guard.reading(value, now, KW)
        assert shown is None or shown >= 0
        if before is not None:
            assert shown is not None
            if shown < before:
                assert kind == "reading"
                assert now <= armed_until or last_reading_below, (before, shown)
        if kind == "reading":
            if shown is not None and before is not None and shown < before:
                armed_until = -1.0
            if value >= 0:
                last_reading_below = before is not None and value < before


def test_accepted_readings_are_told_with_their_kind() -> None:
    """What the capacity tracker hears: accepted readings only, new levels marked."""
    guard = TotalGuard("t")
    heard: list[tuple[float, bool]] = []
    guard.on_accepted = lambda value, _at, new_level: heard.append((value, new_level))
    feed(guard, [(0, 10.0), (1, 11.0)])
    assert heard == [(10.0, True), (11.0, False)]
    feed(guard, [(1.01, 500.0), (1.1, 11.2)])  # a spike, discarded
    feed(guard, [(2, 900.0), (2.1, 900.3)])  # a jump, confirmed
    feed(guard, [(3, 0.0), (3.1, 0.1)])  # a drop, confirmed as a reset
    guard.expect_reset(4 * HOUR)
    feed(guard, [(4, 0.0)])  # a reset through the integration
    guard.refresh(0.5, 4.1 * HOUR, KW)  # read again: no reading
    assert heard[2:] == [(11.2, False), (900.3, True), (0.1, True), (0.0, True)]
