"""The simulator's state: an ``Exchange``, the API keys that reach its accounts, the faults
still to inject and a count of the requests each route served."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trimtab.brokers.demo import DEMO_ACCOUNT_ID, NEW_ACCOUNT_CASH, demo_exchange
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset, AssetClass, Order, OrderStatus
from trimtab.brokers.sim.faults import Fault, FaultPlan
from trimtab.errors import NotFound

#: The key pair ``trimtab sim`` prints for its demo account. Not a secret: a local toy.
DEMO_KEY_ID = "PKTRIMTABDEMO0000000"
DEMO_SECRET_KEY = "trimtab-sim-demo-secret-not-a-real-key"


def coin(symbol: str, step: str) -> Asset:
    """A crypto pair traded in whole multiples of ``step`` coins, at least one of them."""
    size = Decimal(step)
    return Asset(
        symbol, asset_class=AssetClass.CRYPTO, min_order_size=size, min_trade_increment=size
    )


#: Two coins, with the sizes the simulator enforces (Alpaca's own differ per coin and
#: change; read them from ``GET /v2/assets?asset_class=crypto``).
CRYPTO_ASSETS = {
    "BTC/USD": (Decimal("60000.00"), coin("BTC/USD", "0.0001")),
    "ETH/USD": (Decimal("3000.00"), coin("ETH/USD", "0.001")),
}
#: Besides the demo symbols: an asset sold only in whole shares, one that cannot trade,
#: and the coins.
EXTRA_ASSETS = {
    "BRK.A": (Decimal("720000.00"), Asset("BRK.A", fractionable=False)),
    "LEHMQ": (Decimal("0.01"), Asset("LEHMQ", tradable=False, fractionable=False)),
    **CRYPTO_ASSETS,
}


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    secret_key: str
    account_id: str


class Simulator:
    """Everything the HTTP routes act on; tests script it directly or through ``/_sim``."""

    def __init__(self, exchange: Exchange | None = None) -> None:
        self.exchange = exchange or Exchange()
        self.faults = FaultPlan()
        self.started_at = datetime.now(UTC)
        self._keys: dict[str, ApiKey] = {}
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def open_account(
        self,
        key_id: str,
        secret_key: str,
        *,
        cash: Decimal = NEW_ACCOUNT_CASH,
        holdings: dict[str, Decimal] | None = None,
    ) -> ApiKey:
        """A fresh account reached with this key pair (the key id names the account)."""
        self.exchange.open_account(key_id, cash, holdings)
        return self.add_key(key_id, secret_key, key_id)

    def add_key(self, key_id: str, secret_key: str, account_id: str) -> ApiKey:
        """Give an existing account a key pair."""
        key = ApiKey(key_id, secret_key, account_id)
        with self._lock:
            self._keys[key_id] = key
        return key

    def account_for(self, key_id: str | None, secret_key: str | None) -> str | None:
        """The account this key pair reaches, or ``None`` (Alpaca answers 401)."""
        key = self._keys.get(key_id or "")
        if key is None or key.secret_key != secret_key:
            return None
        if key.account_id not in self.exchange.accounts:
            return None
        return key.account_id

    def account_of_key(self, key_id: str) -> str:
        """The account a key id reaches; ``NotFound`` for an unknown key."""
        key = self._keys.get(key_id)
        if key is None:
            raise NotFound(f"no key {key_id}")
        return key.account_id

    def set_order_status(self, order_id: str, status: OrderStatus) -> Order:
        """Move an order of any account (a broker rejecting or expiring it after accepting)."""
        for account_id, state in list(self.exchange.accounts.items()):
            if order_id in state.orders:
                return self.exchange.set_order_status(account_id, order_id, status)
        raise NotFound(f"order not found: {order_id}")

    def inject(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    def count(self, route: str) -> None:
        with self._lock:
            self._counts[route] += 1

    def request_counts(self) -> dict[str, int]:
        """Requests served per route ("GET /v2/account": 3, ...) since the last reset."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()


def demo_simulator(
    *, fill_delay: timedelta = timedelta(0), with_demo_account: bool = True
) -> Simulator:
    """Demo prices plus the extra assets; the demo account answers to ``DEMO_KEY_ID``."""
    exchange = demo_exchange()
    exchange.fill_delay = fill_delay
    for symbol, (price, asset) in EXTRA_ASSETS.items():
        exchange.set_prices({symbol: price})
        exchange.set_asset(asset)
    simulator = Simulator(exchange)
    if with_demo_account:
        simulator.add_key(DEMO_KEY_ID, DEMO_SECRET_KEY, DEMO_ACCOUNT_ID)
    else:
        exchange.accounts.clear()
    return simulator
