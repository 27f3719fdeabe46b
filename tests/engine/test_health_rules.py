"""The pure connection-health rules: when an observation opens, edits or resolves an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.health.rules import OK, OPEN, PENDING, Health, conditions_of, step
from sync.health.signals import HealthSignals, Observation, Signal

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=15)


def obs(signal: Signal, minutes: float, until: float | None = None) -> Observation:
    first = T0 + timedelta(minutes=minutes)
    last = T0 + timedelta(minutes=until if until is not None else minutes)
    return Observation("procore", signal, first, last, "why")


def test_refused_credentials_open_at_once_then_edit_at_most_once_a_minute() -> None:
    health, notice = step(Health(), "auth", obs("auth_failed", 0), rate_limit_after=LIMIT)
    assert (health.state, notice, health.count) == (OPEN, "open", 1)
    health, notice = step(health, "auth", obs("auth_failed", 0.5), rate_limit_after=LIMIT)
    assert notice is None and health.count == 2
    health, notice = step(health, "auth", obs("auth_failed", 2), rate_limit_after=LIMIT)
    assert notice == "update" and health.since == T0
    health, notice = step(health, "auth", obs("ok", 3), rate_limit_after=LIMIT)
    assert (health.state, notice, health.count) == (OK, "resolve", 0)


def test_rate_limiting_alerts_only_past_the_limit_and_short_bursts_pass_silently() -> None:
    health, notice = step(Health(), "rate_limit", obs("throttled", 0, 10), rate_limit_after=LIMIT)
    assert (health.state, notice) == (PENDING, None)
    health, notice = step(health, "rate_limit", obs("throttled", 15), rate_limit_after=LIMIT)
    assert (health.state, notice) == (PENDING, None)  # exactly the limit is not "longer"
    opened, notice = step(health, "rate_limit", obs("throttled", 16), rate_limit_after=LIMIT)
    assert (opened.state, notice) == (OPEN, "open")
    cleared, notice = step(health, "rate_limit", obs("ok", 16), rate_limit_after=LIMIT)
    assert (cleared.state, notice) == (OK, None)  # it never alerted: nothing to resolve


def test_throttling_that_stopped_long_ago_starts_a_new_streak() -> None:
    health, _ = step(Health(), "rate_limit", obs("throttled", 0), rate_limit_after=LIMIT)
    health, notice = step(health, "rate_limit", obs("throttled", 40), rate_limit_after=LIMIT)
    assert (health.state, notice, health.since) == (PENDING, None, T0 + timedelta(minutes=40))


def test_which_conditions_an_observation_touches() -> None:
    assert conditions_of(obs("ok", 0)) == ("auth", "rate_limit")
    assert conditions_of(obs("auth_failed", 0)) == ("auth",)
    assert conditions_of(obs("stale", 0)) == ("stale",)
    assert conditions_of(obs("polled", 0)) == ("stale",)


def test_the_buffer_collapses_repeats_and_keeps_order() -> None:
    signals = HealthSignals()
    for minute in range(3):
        signals.observe("qbo", "auth_failed", T0 + timedelta(minutes=minute), "refused")
    signals.observe("qbo", "ok", T0 + timedelta(minutes=5))
    first, second = signals.take()
    assert (first.signal, first.count, first.first_at, first.last_at) == (
        "auth_failed",
        3,
        T0,
        T0 + timedelta(minutes=2),
    )
    assert second.signal == "ok" and signals.take() == []
