"""The tables' shared metadata (with the naming convention that migrations rely on) and the
column helpers every table module uses."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, MetaData, String

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(36)


def one_of(column: str, values: type[object]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)  # type: ignore[attr-defined]
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")
