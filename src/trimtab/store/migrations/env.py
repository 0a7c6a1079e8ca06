"""Alembic environment: runs trimtab's migrations on the URL ``store.db.upgrade`` passes."""

from __future__ import annotations

from alembic import context

from trimtab.store.db import make_engine
from trimtab.store.models import Base
from trimtab.store.queue_schema import include_in_comparison

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_in_comparison,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
