"""``/api/notifications``: preferences, the secret shown once, the delivery log, a test send."""

from __future__ import annotations

import pytest

from trimtab.services.context import AppContext
from trimtab.services.notify_webhook import verify_signature

from ..services.notify_receivers import webhook_receiver
from .conftest import Client

ALL_EVENTS = ["run_executed", "risk_blocked", "order_rejected", "drift_past_band", "broker_failing"]


def test_preferences_start_empty_with_every_event(alice: Client) -> None:
    response = alice.http.get("/api/notifications")
    assert response.status_code == 200
    assert response.json() == {
        "events": ALL_EVENTS,
        "email": None,
        "webhook_url": None,
        "webhook_secret_set": False,
        "email_available": False,
        "webhook_secret": None,
        "available_events": ALL_EVENTS,
    }


def test_webhook_secret_is_answered_once(alice: Client, bob: Client) -> None:
    put = alice.http.put(
        "/api/notifications",
        json={"webhook_url": "https://hooks.example/t", "events": ["order_rejected"]},
    )
    assert put.status_code == 200, put.text
    secret = put.json()["webhook_secret"]
    assert secret.startswith("whsec_")
    again = alice.http.get("/api/notifications").json()
    assert again["webhook_secret"] is None
    assert (again["webhook_secret_set"], again["events"]) == (True, ["order_rejected"])
    assert bob.http.get("/api/notifications").json()["webhook_url"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "nobody"}, "email"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"rotate_secret": True}, "rotate_secret"),
    ],
)
def test_bad_preferences_are_a_4xx_naming_the_field(
    alice: Client, body: dict[str, object], field: str
) -> None:
    response = alice.http.put("/api/notifications", json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]["message"]


def test_unknown_event_is_refused(alice: Client) -> None:
    response = alice.http.put("/api/notifications", json={"events": ["lunch"]})
    assert response.status_code == 422
    assert "events" in response.json()["error"]["message"]


def test_test_send_needs_a_channel(alice: Client) -> None:
    response = alice.http.post("/api/notifications/test")
    assert response.status_code == 422
    assert "webhook_url" in response.json()["error"]["message"]


def test_test_send_reaches_the_webhook_and_is_logged_for_its_user_only(
    alice: Client, bob: Client, ctx: AppContext
) -> None:
    with webhook_receiver([200]) as (url, hook):
        secret = alice.http.put("/api/notifications", json={"webhook_url": url}).json()[
            "webhook_secret"
        ]
        response = alice.http.post("/api/notifications/test")
    assert response.status_code == 200, response.text
    (delivery,) = response.json()["deliveries"]
    assert (delivery["event"], delivery["channel"], delivery["target"]) == ("test", "webhook", url)
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == (
        "delivered",
        1,
        200,
    )
    ((headers, body),) = hook.received
    assert verify_signature(
        secret, headers["Trimtab-Signature"], body, now=int(ctx.clock().timestamp())
    )
    listed = alice.http.get("/api/notifications/deliveries").json()
    assert listed["total"] == 1
    assert listed["deliveries"][0]["id"] == delivery["id"]
    assert bob.http.get("/api/notifications/deliveries").json() == {"deliveries": [], "total": 0}
