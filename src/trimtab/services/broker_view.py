"""Reading an account from its broker into the domain's ``Portfolio`` for a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Account
from trimtab.domain.portfolio import Asset, Holding, Portfolio
from trimtab.errors import NotFound


@dataclass(frozen=True, slots=True)
class BrokerView:
    """An account at one moment, as the planner takes it."""

    account: Account
    portfolio: Portfolio
    #: Symbols with an order still open at the broker: a run leaves them alone.
    open_order_symbols: frozenset[str]
    #: ``None`` when not asked: a dry run places nothing, so the clock is not read.
    market_open: bool | None


def asset_facts(broker: Broker, symbols: Iterable[str]) -> dict[str, Asset]:
    """Tradable/fractionable per symbol; a symbol the broker does not know is untradable."""
    facts = {}
    for symbol in symbols:
        try:
            facts[symbol] = broker.get_asset(symbol)
        except NotFound:
            facts[symbol] = Asset(symbol, tradable=False)
    return facts


def read_broker(broker: Broker, symbols: Iterable[str], *, with_clock: bool = True) -> BrokerView:
    """Account, positions, open orders, the clock (``with_clock``), and prices and assets of
    ``symbols``. Prices are read only for symbols not held; asset facts are cached daily."""
    wanted = sorted(set(symbols))
    account = broker.get_account()
    positions = broker.get_positions()
    holdings = tuple(Holding(p.symbol, p.qty, p.current_price) for p in positions if p.qty > 0)
    held = {h.symbol for h in holdings}
    missing = [s for s in wanted if s not in held]
    prices = {s: p.price for s, p in broker.get_latest_prices(missing).items()} if missing else {}
    portfolio = Portfolio(
        cash=account.cash, holdings=holdings, prices=prices, assets=asset_facts(broker, wanted)
    )
    open_symbols = frozenset(o.symbol for o in broker.list_orders(open_only=True))
    market_open = broker.get_clock().is_open if with_clock else None
    return BrokerView(account, portfolio, open_symbols, market_open)


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
            {"symbol": h.symbol, "qty": str(h.qty), "price": str(h.price)}
            for h in portfolio.holdings
        ],
        "prices": {s: str(p) for s, p in portfolio.prices.items()},
        "assets": {
            s: {"tradable": a.tradable, "fractionable": a.fractionable}
            for s, a in portfolio.assets.items()
        },
        "open_order_symbols": sorted(view.open_order_symbols),
        "market_open": view.market_open,
    }
