"""Looking for strings in every column of every table (as text), and in the SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, inspect, text

import plugin.store.audit_tables  # noqa: F401  (every table in the metadata)
from plugin.store.metadata import metadata


def rows_holding(engine: Engine, needles: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for each value that holds a needle, case-insensitively; every
    table in the database, whether the app's metadata knows it or not."""
    wanted = [n.lower() for n in needles]
    found = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    shown = (
                        json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else str(value)
                    ).lower()
                    found += [(table, column, n) for n in wanted if n in shown]
    return found


def file_holds(path: Path, needles: Iterable[str]) -> list[str]:
    """Which needles are in the SQLite file or its write-ahead log, byte for byte."""
    blobs = [p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    return [n for n in needles if any(n.encode("utf-8").lower() in blob.lower() for blob in blobs)]


__all__ = ["file_holds", "metadata", "rows_holding"]
