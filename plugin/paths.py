"""Where the non-code parts live, both in a checkout and in an installed wheel."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def templates_dir() -> Path:
    # A wheel carries them inside the package; a checkout keeps them at the top level.
    packaged = Path(str(files("plugin"))) / "templates"
    return packaged if packaged.is_dir() else Path(str(files("plugin"))).parent / "templates"
