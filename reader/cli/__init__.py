"""The ``reader`` command: the app, and commands for scripts, one module each.

stdout is for data, stderr for diagnostics; bad input gives one line on
stderr and a non-zero exit code (see reader.cli.base).
"""

from reader.cli import (  # noqa: F401 (each registers its commands on main)
    add,
    annotate,
    config,
    doctor,
    entities,
    export,
    import_notes,
    listing,
    trash,
)
from reader.cli.base import main

__all__ = ["main"]
