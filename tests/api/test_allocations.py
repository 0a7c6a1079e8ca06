"""Allocation routes: the design's bodies, atomic replace, and bad input named by field."""

from __future__ import annotations

import pytest

from .conftest import SEED_ALLOCATIONS, Client


def test_replace_then_list_gives_the_set_and_its_total(alice: Client) -> None:
    put = alice.http.put("/api/allocations", json={"allocations": SEED_ALLOCATIONS})
    assert put.status_code == 200, put.text
    body = alice.http.get("/api/allocations").json()
    assert body["total_percent"] == 100.0
    assert [(a["symbol"], a["target_percent"], a["enabled"]) for a in body["allocations"]] == [
        ("GLD", 10.0, True),
        ("QQQ", 30.0, True),
        ("SPY", 40.0, True),
        ("TLT", 20.0, True),
    ] or [a["symbol"] for a in body["allocations"]] == ["SPY", "QQQ", "TLT", "GLD"]
    assert set(body["allocations"][0]) == {
        "symbol",
        "target_percent",
        "enabled",
        "band_percent",
        "band_relative_percent",
        "created_at",
        "updated_at",
    }


def test_replace_removes_symbols_not_in_the_body(alice: Client) -> None:
    alice.http.put("/api/allocations", json={"allocations": SEED_ALLOCATIONS})
    alice.http.put(
        "/api/allocations", json={"allocations": [{"symbol": "VTI", "target_percent": 100}]}
    )
    body = alice.http.get("/api/allocations").json()
    assert [a["symbol"] for a in body["allocations"]] == ["VTI"]


def test_upsert_one_disable_it_and_delete_it(alice: Client) -> None:
    alice.http.put("/api/allocations", json={"allocations": SEED_ALLOCATIONS})
    updated = alice.http.put("/api/allocations/GLD", json={"target_percent": 10, "enabled": False})
    assert updated.status_code == 200
    assert updated.json()["enabled"] is False
    assert alice.http.get("/api/allocations").json()["total_percent"] == 90.0
    assert alice.http.delete("/api/allocations/GLD").status_code == 204
    assert alice.http.delete("/api/allocations/GLD").status_code == 404


def test_both_bands_of_a_symbol_are_saved_and_plan_with_the_narrower(alice: Client) -> None:
    alice.http.put("/api/allocations", json={"allocations": SEED_ALLOCATIONS})
    put = alice.http.put(
        "/api/allocations/GLD",
        json={"target_percent": 10, "band_percent": 3, "band_relative_percent": 25},
    )
    assert put.status_code == 200, put.text
    assert (put.json()["band_percent"], put.json()["band_relative_percent"]) == (3.0, 25.0)
    gld = next(
        a for a in alice.http.get("/api/allocations").json()["allocations"] if a["symbol"] == "GLD"
    )
    assert (gld["band_percent"], gld["band_relative_percent"]) == (3.0, 25.0)
    check = alice.http.post("/api/rebalance/check", json={"dry_run": True}).json()
    band = next(d for d in check["drift_details"] if d["symbol"] == "GLD")["band_percent"]
    assert band == 2.5  # 25 % of 10 is narrower than 3 pp
    bad = alice.http.put(
        "/api/allocations/GLD", json={"target_percent": 10, "band_relative_percent": 0}
    )
    assert bad.status_code == 422
    assert "band_relative_percent" in bad.json()["error"]["message"]


def test_a_set_not_summing_to_100_may_be_saved(alice: Client) -> None:
    response = alice.http.put("/api/allocations", json={"allocations": SEED_ALLOCATIONS[:3]})
    assert response.status_code == 200
    assert response.json()["total_percent"] == 90.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"allocations": [{"symbol": "spy", "target_percent": 40}]},
            "symbol 'spy' is not a valid ticker",
        ),
        (
            {"allocations": [{"symbol": "SPY", "target_percent": -1}]},
            "allocations.0.target_percent",
        ),
        (
            {"allocations": [{"symbol": "SPY", "target_percent": 140}]},
            "allocations.0.target_percent",
        ),
        (
            {"allocations": [{"symbol": "SPY", "target_percent": "x"}]},
            "allocations.0.target_percent",
        ),
        ({"allocations": [{"symbol": "SPY"}]}, "allocations.0.target_percent: Field required"),
        (
            {
                "allocations": [
                    {"symbol": "SPY", "target_percent": 50},
                    {"symbol": "SPY", "target_percent": 50},
                ]
            },
            "symbol SPY appears more than once",
        ),
        (
            {"allocations": [{"symbol": "SPY", "target_percent": 50, "weight": 1}]},
            "allocations.0.weight",
        ),
        ({}, "allocations: Field required"),
    ],
)
def test_bad_allocation_sets_are_422_naming_the_field(
    alice: Client, body: dict[str, object], message: str
) -> None:
    response = alice.http.put("/api/allocations", json=body)
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]
    assert alice.http.get("/api/allocations").json()["allocations"] == []


def test_bad_symbol_in_the_path_is_422(alice: Client) -> None:
    response = alice.http.put("/api/allocations/s p y", json={"target_percent": 10})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_targets"


def test_non_json_body_is_422_not_500(alice: Client) -> None:
    response = alice.http.put(
        "/api/allocations", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
