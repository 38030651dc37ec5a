"""Alembic environment: the engine comes from the caller (`plugin.store.migrate`)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator

import plugin.store.schema  # noqa: F401 (its import defines every table)
from plugin.store.metadata import metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations spell out plain column types, so they never import application code.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        autogen_context.imports.add("import sqlalchemy as sa")
        return f"sa.{impl!r}"
    return False


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
