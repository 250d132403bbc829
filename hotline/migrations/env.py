"""Alembic environment: runs on the connection handed over by hotline.db.Database.upgrade."""

from alembic import context
from sqlalchemy import create_engine

from hotline.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line: use DATABASE_URL via settings
        from hotline.config import load_settings

        engine = create_engine(load_settings().database_url, future=True)
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
