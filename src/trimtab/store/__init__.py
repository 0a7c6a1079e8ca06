"""Persistence: SQLAlchemy models, repositories, Alembic migrations and the run lock."""
