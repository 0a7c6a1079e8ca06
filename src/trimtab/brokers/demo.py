"""The demo account: a drifted SPY/QQQ/TLT/GLD portfolio for first runs and ``make run``."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset
from trimtab.domain.targets import Target

DEMO_ACCOUNT_ID = "demo"
DEMO_CASH = Decimal("2500.00")
#: SPY well over its 40 % target, TLT well under its 20 %: a first check has work to do.
DEMO_HOLDINGS = {
    "SPY": Decimal(150),
    "QQQ": Decimal(120),
    "TLT": Decimal(100),
    "GLD": Decimal(50),
}
DEMO_TARGETS = (
    Target("SPY", Decimal(40)),
    Target("QQQ", Decimal(30)),
    Target("TLT", Decimal(20)),
    Target("GLD", Decimal(10)),
)
#: A new paper account starts with what Alpaca gives its paper accounts.
NEW_ACCOUNT_CASH = Decimal("100000.00")


def demo_prices() -> tuple[dict[str, Decimal], dict[str, Asset]]:
    """Prices and asset facts of the demo symbols, read from the packaged CSV."""
    prices: dict[str, Decimal] = {}
    assets: dict[str, Asset] = {}
    text = resources.files("trimtab.brokers").joinpath("demo_prices.csv").read_text()
    for row in csv.DictReader(text.splitlines()):
        prices[row["symbol"]] = Decimal(row["price"])
        assets[row["symbol"]] = Asset(row["symbol"], fractionable=row["fractionable"] == "true")
    return prices, assets


def demo_exchange() -> Exchange:
    """An exchange with demo prices and the demo account opened on it."""
    prices, assets = demo_prices()
    exchange = Exchange(prices=prices, assets=assets)
    exchange.open_account(DEMO_ACCOUNT_ID, DEMO_CASH, DEMO_HOLDINGS)
    return exchange
