"""Reading an account from its broker into the domain's ``Portfolio``: the one valuation.

The page (``services.portfolio``), the drift table and the planner all value the
account through ``read_account``: positions at the broker's ``market_value``, the
whole at its equity (docs/rebalancing.md, "Valuation").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Account, Books, Order, Position
from trimtab.domain.policy import DEFAULT_MAX_PRICE_AGE
from trimtab.domain.portfolio import (
    TRADED_CLASSES,
    Asset,
    Holding,
    OpenOrder,
    Portfolio,
    PricePoint,
)
from trimtab.domain.prices import is_stale
from trimtab.errors import NotFound
from trimtab.services.contract import AccountFlags
from trimtab.services.trading_day import last_session_start


@dataclass(frozen=True, slots=True)
class BrokerView:
    """An account at one moment, as the planner takes it."""

    account: Account
    portfolio: Portfolio
    #: ``None`` when not asked: a dry run places nothing, so the clock is not read.
    market_open: bool | None

    @property
    def open_order_symbols(self) -> frozenset[str]:
        """Symbols with an order still open at the broker: a run leaves them alone."""
        return self.portfolio.open_order_symbols


def asset_facts(broker: Broker, symbols: Iterable[str]) -> dict[str, Asset]:
    """Tradable/fractionable per symbol; a symbol the broker does not know is untradable."""
    facts = {}
    for symbol in symbols:
        try:
            facts[symbol] = broker.get_asset(symbol)
        except NotFound:
            facts[symbol] = Asset(symbol, tradable=False)
    return facts


def holding_of(position: Position) -> Holding:
    """A broker position as the domain holds it: signed qty, the broker's market value."""
    return Holding(
        symbol=position.symbol,
        qty=position.qty,
        market_value=position.market_value,
        price=PricePoint(position.current_price, None, "position"),
        asset_class=position.asset_class,
    )


def open_order_of(order: Order) -> OpenOrder:
    return OpenOrder(
        symbol=order.symbol,
        side=order.side,
        qty=order.qty - order.filled_qty if order.qty is not None else None,
        notional=order.notional,
    )


def read_account(broker: Broker) -> tuple[Account, Portfolio]:
    """The account and its valuation: cash, equity, buying power and every position."""
    return _valued(broker.get_books(open_orders=False))


def _valued(books: Books) -> tuple[Account, Portfolio]:
    account = books.account
    portfolio = Portfolio.of(
        account.cash,
        (holding_of(p) for p in books.positions if p.qty != 0),
        equity=account.equity,
        buying_power=account.buying_power,
    )
    return account, portfolio


def traded_symbols(portfolio: Portfolio, symbols: Iterable[str]) -> list[str]:
    """``symbols`` and every held symbol of a class the planner trades, sorted."""
    held = (h.symbol for h in portfolio.holdings.values() if h.asset_class in TRADED_CLASSES)
    return sorted({*symbols, *held})


def read_broker(
    broker: Broker,
    symbols: Iterable[str],
    *,
    now: datetime,
    with_clock: bool = True,
    max_price_age: timedelta = DEFAULT_MAX_PRICE_AGE,
) -> BrokerView:
    """Account, positions, open orders, the clock (``with_clock``), and latest prices and
    asset facts of ``symbols`` and of every tradable holding; ``now`` dates the reading.

    A symbol whose last trade is stale (or missing) by ``max_price_age`` and the last
    trading day is priced by its latest quote when that is fresher (one more request,
    only then).
    """
    books = broker.get_books()
    account, valued = _valued(books)
    wanted = traded_symbols(valued, symbols)
    portfolio = Portfolio(
        cash=valued.cash,
        holdings=valued.holdings,
        prices=broker.get_latest_prices(wanted) if wanted else {},
        assets=asset_facts(broker, wanted),
        equity=valued.equity,
        buying_power=valued.buying_power,
        open_orders=tuple(open_order_of(o) for o in books.open_orders or ()),
        as_of=now,
        session_start=last_session_start(now),
    )
    portfolio = _with_fresher_quotes(broker, portfolio, wanted, max_price_age)
    market_open = broker.get_clock().is_open if with_clock else None
    return BrokerView(account, portfolio, market_open)


def _with_fresher_quotes(
    broker: Broker, portfolio: Portfolio, symbols: Iterable[str], max_age: timedelta
) -> Portfolio:
    trades = portfolio.prices
    doubtful = [s for s in symbols if s not in trades or is_stale(portfolio, s, trades[s], max_age)]
    if not doubtful:
        return portfolio
    quotes = broker.get_latest_quotes(doubtful)
    fresher = {
        s: q
        for s, q in quotes.items()
        if s not in trades or (q.as_of is not None and not is_stale(portfolio, s, q, max_age))
    }
    return replace(portfolio, prices={**trades, **fresher}) if fresher else portfolio


def account_block_reason(account: Account) -> str | None:
    """Why the broker account itself may not trade now, with a fix to try; ``None`` if it may.

    Read before planning, so a run says so instead of sending orders Alpaca refuses
    (docs/brokers.md, "Refusals and their error codes").
    """
    if account.account_blocked:
        return "The Alpaca account is blocked (account_blocked); contact Alpaca support"
    if account.trading_blocked:
        return "Trading is blocked on the Alpaca account (trading_blocked); ask Alpaca support"
    if account.trade_suspended_by_user:
        return (
            "Trading is suspended on the Alpaca account by its owner "
            "(trade_suspended_by_user); lift it in Alpaca's dashboard"
        )
    if account.status != "ACTIVE":
        return f"The Alpaca account is {account.status}, not ACTIVE; it may not trade yet"
    return None


def account_flags(account: Account) -> AccountFlags:
    """The account's own flags, as a run shows them."""
    return AccountFlags(
        status=account.status,
        trading_blocked=account.trading_blocked,
        account_blocked=account.account_blocked,
        trade_suspended_by_user=account.trade_suspended_by_user,
        pattern_day_trader=account.pattern_day_trader,
        shorting_enabled=account.shorting_enabled,
    )


def _price_json(point: PricePoint | None) -> dict[str, Any] | None:
    if point is None:
        return None
    return {
        "price": str(point.price),
        "as_of": point.as_of.isoformat() if point.as_of else None,
        "source": point.source,
    }


def snapshot_json(view: BrokerView) -> dict[str, Any]:
    """The inputs of a run, exact (decimal strings), for its record."""
    portfolio = view.portfolio
    return {
        "account": {
            "cash": str(view.account.cash),
            "buying_power": str(view.account.buying_power),
            "equity": str(view.account.equity),
        },
        "positions": [
            {
                "symbol": h.symbol,
                "qty": str(h.qty),
                "market_value": str(h.market_value),
                "asset_class": str(h.asset_class),
                "price": _price_json(h.price),
            }
            for h in portfolio.holdings.values()
        ],
        "prices": {s: _price_json(p) for s, p in portfolio.prices.items()},
        "assets": {
            s: {"tradable": a.tradable, "fractionable": a.fractionable}
            for s, a in portfolio.assets.items()
        },
        "open_orders": [
            {
                "symbol": o.symbol,
                "side": str(o.side),
                "qty": str(o.qty) if o.qty is not None else None,
                "notional": str(o.notional) if o.notional is not None else None,
            }
            for o in portfolio.open_orders
        ],
        "open_order_symbols": sorted(view.open_order_symbols),
        "market_open": view.market_open,
        "as_of": portfolio.as_of.isoformat() if portfolio.as_of else None,
    }
