"""Tax lots for tax-aware selling, from what trimtab already stores (docs/policies.md).

No table of its own: trimtab's order records already hold each fill (symbol, side,
filled quantity and average price, when it was sent). Shares with no such record are
one lot at the broker's average entry price.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from trimtab.brokers.base import Broker
from trimtab.domain.money import ZERO
from trimtab.domain.planner import TaxContext
from trimtab.domain.portfolio import Side
from trimtab.domain.tax_lots import Fill, lots_from_fills
from trimtab.services.context import AppContext
from trimtab.store.unit_of_work import UnitOfWork


def recorded_fills(uow: UnitOfWork, user_id: int) -> list[Fill]:
    """The user's filled (or partly filled) orders as fills, dated when trimtab recorded them
    (by its own clock; a market order fills within its day)."""
    return [
        Fill(
            row.symbol,
            Side(row.side),
            row.filled_qty,
            row.filled_avg_price,
            row.created_at.date(),
        )
        for row in uow.orders.filled_for_user(user_id)
        if row.filled_avg_price is not None
    ]


def broker_cost_basis(broker: Broker) -> Mapping[str, Decimal]:
    """The broker's average entry price (USD per share) of each long position."""
    return {p.symbol: p.avg_entry_price for p in broker.get_positions() if p.qty > ZERO}


def tax_context(ctx: AppContext, user_id: int, broker: Broker, today: date) -> TaxContext:
    """Everything tax-aware selling needs for one plan.

    The fills are read in a unit closed before the broker is asked: the paper broker
    writes to the same SQLite database.
    """
    with ctx.store.read() as uow:
        fills = recorded_fills(uow, user_id)
    return TaxContext(today, lots_from_fills(fills), broker_cost_basis(broker))
