"""Politeness: the starts of any two requests at least `delay_seconds` apart."""

from __future__ import annotations

import pytest

from harvester.net.pacer import DEFAULT_DELAY_SECONDS, Pacer
from tests.conftest import FakeTime


def test_first_request_never_waits_and_the_next_waits_the_rest():
    """The first request starts at once; the next waits only what is left of the delay."""
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    assert DEFAULT_DELAY_SECONDS == 3  # arXiv's terms of use
    pacer.wait()
    assert time.sleeps == []
    time.now += 1
    pacer.wait()
    assert time.sleeps == [2]


def test_pacer_does_not_sleep_when_enough_time_passed():
    """A request that starts long after the previous one does not wait at all."""
    time = FakeTime()
    pacer = Pacer(delay_seconds=3, clock=time.clock, sleep=time.sleep)
    pacer.wait()
    time.now += 10
    pacer.wait()
    time.now += 1
    pacer.wait()
    assert time.sleeps == [2]


@pytest.mark.parametrize(
    ("elapsed", "slept"),
    [
        pytest.param(0.0, 3.0, id="at-once"),
        pytest.param(2.5, 0.5, id="half-a-second-left"),
        pytest.param(2.99, 0.01, id="a-hundredth-left"),
        pytest.param(3.0, None, id="exactly-the-delay"),
    ],
)
def test_pacer_waits_whatever_is_left_even_under_a_second(elapsed: float, slept: float | None):
    """Less than a second left of the delay is still waited, to the hundredth."""
    time = FakeTime()
    pacer = Pacer(delay_seconds=3, clock=time.clock, sleep=time.sleep)
    pacer.wait()
    time.now += elapsed
    pacer.wait()
    assert time.sleeps == ([] if slept is None else [pytest.approx(slept)])
