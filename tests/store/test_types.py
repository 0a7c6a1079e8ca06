"""Money and quantities come back exactly; timestamps come back aware and in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Engine

from trimtab.store.db import make_session_factory
from trimtab.store.models import PaperAccountRow, PaperHoldingRow, UserRow


def test_decimals_and_timestamps_round_trip(engine: Engine) -> None:
    factory = make_session_factory(engine)
    eastern = timezone(timedelta(hours=-5))
    stamp = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=eastern)
    with factory.begin() as session:
        user = UserRow(email="a@b.c", password_hash="x", is_admin=False, created_at=stamp)
        session.add(user)
        session.flush()
        session.add(
            PaperAccountRow(
                user_id=user.id, cash=Decimal("123456789012345.123456789"), updated_at=stamp
            )
        )
        session.add(
            PaperHoldingRow(
                user_id=user.id,
                symbol="SPY",
                qty=Decimal("0.000000001"),
                avg_entry_price=Decimal("313.880005"),
            )
        )
        user_id = user.id
    with factory() as session:
        account = session.get(PaperAccountRow, user_id)
        holding = session.get(PaperHoldingRow, (user_id, "SPY"))
        stored_user = session.get(UserRow, user_id)
        assert account is not None and holding is not None and stored_user is not None
        assert account.cash == Decimal("123456789012345.123456789")
        assert holding.qty == Decimal("0.000000001")
        assert holding.avg_entry_price == Decimal("313.880005")
        assert stored_user.created_at == stamp
        assert stored_user.created_at.tzinfo is UTC
