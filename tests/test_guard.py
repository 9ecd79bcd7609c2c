"""The total guard: a single drop is held back, a confirmed one accepted."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.zwave_quirks.guard import TotalGuard


def test_growing_totals_pass() -> None:
    guard = TotalGuard("t")
    assert [guard.accept(v) for v in (1.0, 1.5, 1.5, 2.0)] == [1.0, 1.5, 1.5, 2.0]


def test_single_drop_is_held_back_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    guard = TotalGuard("plug energy")
    guard.accept(10.0)
    with caplog.at_level(logging.WARNING):
        assert guard.accept(0.0) == 10.0
    assert caplog.text.count("held back") == 1
    # a glitch: the next reading is back on track
    assert guard.accept(10.2) == 10.2
    assert guard.pending is None


def test_confirmed_drop_is_a_device_reset() -> None:
    guard = TotalGuard("t")
    guard.accept(10.0)
    assert guard.accept(0.01) == 10.0
    assert guard.accept(0.02) == 0.02
    assert guard.accept(0.03) == 0.03


def test_reset_through_integration_is_accepted_at_once() -> None:
    guard = TotalGuard("t")
    guard.accept(10.0)
    guard.expect_reset()
    assert guard.accept(0.0) == 0.0
    # the expectation is used up: the next drop is held again
    guard.accept(1.0)
    assert guard.accept(0.5) == 1.0


def test_expected_reset_expires() -> None:
    guard = TotalGuard("t")
    guard.accept(10.0)
    guard.expect_reset()
    for value in (10.1, 10.2, 10.3):
        guard.accept(value)
    assert guard.accept(0.0) == 10.3


def test_seed_and_peek() -> None:
    guard = TotalGuard("t")
    guard.seed(5.0)
    assert guard.peek(4.0) == 5.0
    assert guard.pending is None
    assert guard.peek(6.0) == 6.0


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_no_single_reading_makes_the_shown_total_drop(readings: list[float]) -> None:
    """A shown value only drops after two readings in a row below the last one."""
    guard = TotalGuard("t")
    shown: list[float] = []
    for reading in readings:
        shown.append(guard.accept(reading))
    for i in range(1, len(shown)):
        if shown[i] < shown[i - 1]:
            # the reading before was held back (shown unchanged) and was also a drop
            assert i >= 2
            assert shown[i - 1] == shown[i - 2]
            assert readings[i - 1] < shown[i - 2]
