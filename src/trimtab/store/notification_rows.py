"""The notification tables' queries: each user's settings and the deliveries to send
(``services.notifications``, ``services.notify_delivery``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update

from trimtab.store.models import (
    NotificationDeliveryRow,
    NotificationSettingsRow,
    OrderRow,
    RebalanceRunRow,
)
from trimtab.store.repositories import Repository

_DELIVERY = NotificationDeliveryRow


class NotificationSettings(Repository):
    def get(self, user_id: int) -> NotificationSettingsRow | None:
        return self.session.get(NotificationSettingsRow, user_id)

    def add(self, row: NotificationSettingsRow) -> None:
        self.session.add(row)


class Deliveries(Repository):
    def add_all(self, rows: Sequence[NotificationDeliveryRow]) -> None:
        """Insert the rows now (their ids assigned)."""
        self.session.add_all(rows)
        self.session.flush()

    def get(self, delivery_id: int) -> NotificationDeliveryRow | None:
        return self.session.get(_DELIVERY, delivery_id)

    def by_ids(self, ids: Sequence[int]) -> Sequence[NotificationDeliveryRow]:
        return self.session.scalars(select(_DELIVERY).where(_DELIVERY.id.in_(list(ids)))).all()

    def page_for_user(
        self, user_id: int, limit: int, offset: int
    ) -> Sequence[NotificationDeliveryRow]:
        """A page of the user's deliveries, newest first."""
        return self.session.scalars(
            select(_DELIVERY)
            .where(_DELIVERY.user_id == user_id)
            .order_by(_DELIVERY.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()

    def count_for_user(self, user_id: int) -> int:
        return self.session.scalar(select(func.count()).where(_DELIVERY.user_id == user_id)) or 0

    def last_of_event(self, user_id: int, event: str) -> datetime | None:
        """When the user was last sent (or queued) a delivery of ``event``."""
        return self.session.scalar(
            select(func.max(_DELIVERY.created_at)).where(
                _DELIVERY.user_id == user_id, _DELIVERY.event == event
            )
        )

    def broker_heard_since(self, user_id: int, since: datetime) -> bool:
        """Whether the user started a run, or the broker answered one of their orders
        without an error, after ``since``."""
        run_since = self.session.scalar(
            select(RebalanceRunRow.id)
            .where(RebalanceRunRow.user_id == user_id, RebalanceRunRow.created_at > since)
            .limit(1)
        )
        if run_since is not None:
            return True
        answer_since = self.session.scalar(
            select(OrderRow.id)
            .where(
                OrderRow.user_id == user_id,
                OrderRow.updated_at > since,
                OrderRow.broker_order_id.is_not(None),
                OrderRow.error.is_(None),
            )
            .limit(1)
        )
        return answer_since is not None

    def claim(
        self,
        delivery_id: int,
        *,
        claimable: Sequence[str],
        sending: str,
        now: datetime,
        until: datetime,
    ) -> NotificationDeliveryRow | None:
        """Set the delivery ``sending`` until ``until`` if it is in one of ``claimable``,
        or ``sending`` with a lease that ran out by ``now`` (compare-and-set); the row
        claimed, detached, or ``None`` when another process has it or it is done."""
        claimed = self.session.execute(
            update(_DELIVERY)
            .where(
                _DELIVERY.id == delivery_id,
                or_(
                    _DELIVERY.status.in_(list(claimable)),
                    (_DELIVERY.status == sending) & (_DELIVERY.next_retry_at <= now),
                ),
            )
            .values(status=sending, next_retry_at=until, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if int(getattr(claimed, "rowcount", 0) or 0) != 1:
            return None
        row = self.session.get(_DELIVERY, delivery_id)
        assert row is not None
        self.session.expunge(row)
        return row

    def due_ids(
        self, now: datetime, *, pending: str, waiting: Sequence[str], limit: int
    ) -> list[int]:
        """Ids of the deliveries ``pending``, or in one of ``waiting`` whose
        ``next_retry_at`` has come, oldest first."""
        return list(
            self.session.scalars(
                select(_DELIVERY.id)
                .where(
                    or_(
                        _DELIVERY.status == pending,
                        _DELIVERY.status.in_(list(waiting)) & (_DELIVERY.next_retry_at <= now),
                    )
                )
                .order_by(_DELIVERY.id)
                .limit(limit)
            )
        )
