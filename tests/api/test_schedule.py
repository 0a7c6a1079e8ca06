"""``GET|PUT /api/schedule``: the schedule, its next run, and clear errors naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trimtab.services.context import AppContext

from .conftest import Client


@pytest.fixture(autouse=True)
def _wednesday_before_thanksgiving(ctx: AppContext) -> None:
    ctx.clock = lambda: datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def test_a_new_user_has_no_schedule(alice: Client) -> None:
    assert alice.http.get("/api/schedule").json() == {
        "frequency": "off",
        "time_of_day": "10:00",
        "weekday": None,
        "day_of_month": None,
        "cron": None,
        "cooldown_minutes": 60,
        "mode": "dry_run",
        "timezone": "America/New_York",
        "next_run_at": None,
        "last_due_at": None,
        "last_run_id": None,
        "last_outcome": None,
    }


def test_a_daily_schedule_runs_next_on_the_half_day_after_thanksgiving(alice: Client) -> None:
    put = alice.http.put(
        "/api/schedule", json={"frequency": "daily", "time_of_day": "10:30", "mode": "rebalance"}
    )
    assert put.status_code == 200, put.text
    body = alice.http.get("/api/schedule").json()
    assert body["frequency"] == "daily"
    assert body["mode"] == "rebalance"
    assert body["next_run_at"] == "2026-11-27T15:30:00Z"
    # Fields left out keep their value.
    alice.http.put("/api/schedule", json={"cooldown_minutes": 120})
    assert alice.http.get("/api/schedule").json()["time_of_day"] == "10:30"


def test_each_user_sees_only_their_own_schedule(alice: Client, bob: Client) -> None:
    alice.http.put("/api/schedule", json={"frequency": "daily"})
    assert bob.http.get("/api/schedule").json()["frequency"] == "off"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "weekly"}, "weekday"),
        ({"frequency": "monthly"}, "day_of_month"),
        ({"frequency": "cron", "cron": "every day"}, "cron"),
        ({"time_of_day": "25:00"}, "time_of_day"),
        ({"time_of_day": "9am"}, "time_of_day"),
        ({"frequency": "weekly", "weekday": "tuesday", "time_of_day": "16:30"}, "time_of_day"),
        ({"frequency": "daily", "time_of_day": "16:00"}, "time_of_day"),
        ({"day_of_month": 32}, "day_of_month"),
        ({"cooldown_minutes": -1}, "cooldown_minutes"),
        ({"weekday": "saturday"}, "weekday"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    alice: Client, body: dict[str, object], field: str
) -> None:
    response = alice.http.put("/api/schedule", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]
