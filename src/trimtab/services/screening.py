"""The sweep's first pass: screen due accounts from what trimtab last saw of them.

Each account's last known positions are its latest run's recorded snapshot, moved
by the fills that run recorded; its targets and band are the current ones. One
``domain.screen.screen_drift`` pass over all of them, at current prices, keeps the
accounts that could be past a band; only those are checked at the broker. An
account never seen (no run yet) is always checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from trimtab.domain.policy import Policy
from trimtab.domain.screen import DEFAULT_MARGIN_PP, screen_drift
from trimtab.store.unit_of_work import UnitOfWork

#: Rows per ``IN (...)`` list: well under SQLite's limit on bound parameters.
CHUNK = 5000

PricesFor = Callable[[Sequence[str]], dict[str, Decimal]]


@dataclass
class KnownAccount:
    """An account as trimtab last saw it (cash in USD, holdings in shares) and its targets."""

    cash: Decimal = Decimal(0)
    holdings: dict[str, Decimal] = field(default_factory=dict)
    #: symbol -> (target_percent, band_percent)
    targets: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def known_accounts(uow: UnitOfWork, user_ids: Sequence[int]) -> dict[int, KnownAccount]:
    """The last known account of each user that has a run, with their current targets."""
    known: dict[int, KnownAccount] = {}
    rows = uow.screening
    for ids in _chunks(user_ids):
        user_of_run = {}
        for run_id, user_id, inputs in rows.latest_run_inputs(ids):
            account = KnownAccount(cash=Decimal(inputs.get("account", {}).get("cash", "0")))
            for position in inputs.get("positions", []):
                account.holdings[position["symbol"]] = Decimal(position["qty"])
            known[user_id] = account
            user_of_run[run_id] = user_id
        for run_id, symbol, side, filled_qty, avg_price in rows.fills_of_runs(list(user_of_run)):
            account = known[user_of_run[run_id]]
            signed = filled_qty if side == "buy" else -filled_qty
            account.holdings[symbol] = account.holdings.get(symbol, Decimal(0)) + signed
            account.cash -= signed * (avg_price or Decimal(0))
        thresholds = rows.thresholds(ids)
        for user_id, symbol, target_percent, band_percent in rows.enabled_targets(ids):
            if user_id in known:
                band = band_percent or thresholds.get(user_id, Policy().threshold_percent)
                known[user_id].targets[symbol] = (target_percent, band)
    return known


def accounts_to_check(
    known: dict[int, KnownAccount],
    user_ids: Sequence[int],
    prices_for: PricesFor,
    margin_pp: float = DEFAULT_MARGIN_PP,
) -> set[int]:
    """Of ``user_ids``, those that could be past a band now, or that trimtab never saw
    (``known`` is ``known_accounts`` of them; prices are read after, outside its session)."""
    unseen = {u for u in user_ids if u not in known or not known[u].targets}
    screened = [u for u in user_ids if u not in unseen]
    if not screened:
        return unseen
    symbols = sorted({s for u in screened for s in (*known[u].holdings, *known[u].targets)})
    column = {s: i for i, s in enumerate(symbols)}
    prices = prices_for(symbols)
    shape = (len(screened), len(symbols))
    qty = np.zeros(shape)
    target = np.zeros(shape)
    band = np.full(shape, np.inf)
    for row, user_id in enumerate(screened):
        account = known[user_id]
        for symbol, held in account.holdings.items():
            qty[row, column[symbol]] = float(held)
        for symbol, (target_percent, band_percent) in account.targets.items():
            target[row, column[symbol]] = float(target_percent)
            band[row, column[symbol]] = float(band_percent)
    cash = np.array([float(known[u].cash) for u in screened])
    price_row = np.array([float(prices[s]) if s in prices else np.nan for s in symbols])
    kept = screen_drift(qty, cash, price_row, target, band, margin_pp)
    return unseen | {u for u, keep in zip(screened, kept, strict=True) if keep}
