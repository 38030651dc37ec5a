"""What the `ontwikkelgesprek` commands share: the settings, the data folder option, the
default address (in a module of its own, so that the commands' modules can share it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from plugin.settings import Settings, describe

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


def load_settings(data_dir: Path | None) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise click.ClickException(f"configuration:\n{describe(error)}") from None


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the database and keys "
    "(default: ONTWIKKELGESPREK_DATA_DIR, else a per-user folder).",
)
