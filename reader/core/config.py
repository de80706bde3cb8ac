"""The user's settings: a TOML file in the per-user config folder.

    reader config --path     # where it is ($READER_CONFIG, else the config folder)
    reader config --init     # write the commented default there

Read once when the app starts (``tomllib``: a few milliseconds). A file that
cannot be read or has a wrong value gives one line saying what and where, and
the defaults for what it got wrong; it is never rewritten then. The app writes
one setting back itself: the theme chosen in the command palette, in place of
the ``theme =`` line (the rest of the file, comments too, stays as it was).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.durable import atomic_write

CONFIG_ENV = "READER_CONFIG"
READING_WIDTHS = range(40, 201)
PANEL_WIDTHS = range(20, 101)

DEFAULT = """\
# reader's settings. Every line is optional: delete one to get the default back.

# The colour theme (the command palette, ctrl+p, lists them and saves your choice
# here): textual-dark, textual-light, nord, gruvbox, solarized-light, ...
# theme = "textual-dark"

# Where exports go when no --output is given in the app's export dialog, e.g.
# your Obsidian vault's folder for reading notes.
# export_folder = "~/Notes/Reading"

# The width of the article's text, in columns (40-200), and of its side panel
# (20-100; by default a quarter of a wide terminal).
# reading_width = 76
# panel_width = 38

# Keys, by binding id (the help screen, ?, shows each key's id):
# [keys]
# "article.relabel" = "R"
# "view.next_entity" = "right_square_bracket"
"""


@dataclass(frozen=True)
class Config:
    theme: str | None = None
    export_folder: Path | None = None
    reading_width: int = 76
    panel_width: int | None = None
    keys: dict[str, str] = field(default_factory=dict)


def config_path() -> Path:
    """$READER_CONFIG, else ``config.toml`` in the per-user config folder."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("reader", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """The settings, and what was wrong with them (one line each; the defaults
    stand in for those). No file: the defaults, and nothing to say."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(), []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Config(), [f"{path}: {_reason(error)}; the defaults are used"]
    problems: list[str] = []
    values: dict[str, object] = {}

    def wrong(key: str, what: str) -> None:
        problems.append(f"{path}: {key} {what}; its default is used")

    theme = data.get("theme")
    if theme is not None:
        if isinstance(theme, str) and theme.strip():
            values["theme"] = theme.strip()
        else:
            wrong("theme", "is not a theme's name")
    folder = data.get("export_folder")
    if folder is not None:
        if isinstance(folder, str) and folder.strip():
            values["export_folder"] = Path(folder).expanduser()
        else:
            wrong("export_folder", "is not a folder")
    for key, allowed in (("reading_width", READING_WIDTHS), ("panel_width", PANEL_WIDTHS)):
        number = data.get(key)
        if number is None:
            continue
        if isinstance(number, int) and not isinstance(number, bool) and number in allowed:
            values[key] = number
        else:
            wrong(key, f"is not a whole number from {allowed.start} to {allowed.stop - 1}")
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in keys.items()
    ):
        wrong("[keys]", 'is not a table of "binding.id" = "key"')
    else:
        values["keys"] = {k: v.strip() for k, v in keys.items()}
    known = {"theme", "export_folder", "reading_width", "panel_width", "keys"}
    problems += [f"{path}: {key} is no setting of reader's" for key in data if key not in known]
    return Config(**values), problems  # type: ignore[arg-type]


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return f"not TOML ({error})"


def init_config(path: Path | None = None) -> Path:
    """Write the commented default, unless a file is there already (FileExistsError)."""
    path = path or config_path()
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, DEFAULT.encode("utf-8"))
    return path


_THEME_LINE = re.compile(r"^\s*#?\s*theme\s*=.*$", re.M)


def save_theme(theme: str, path: Path | None = None) -> None:
    """Keep the theme chosen in the app: the file's (first) ``theme =`` line,
    commented out or not, becomes it; a file without one gets one at its top.
    A file that does not read as TOML is left alone (it is the user's to mend)."""
    path = path or config_path()
    line = f'theme = "{theme}"'
    try:
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
    except FileNotFoundError:
        text = DEFAULT
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    found = _first_top_level(text)
    if found is not None:
        text = text[: found.start()] + line + text[found.end() :]
    else:
        text = line + "\n" + text
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))


def _first_top_level(text: str) -> re.Match[str] | None:
    """The first ``theme =`` line before any ``[table]`` (where TOML reads it as the
    top-level key)."""
    table = re.search(r"^\s*\[", text, re.M)
    for match in _THEME_LINE.finditer(text):
        if table is None or match.start() < table.start():
            return match
    return None
