"""README's table of every key is the app's binding table (issue 12): a key
added, moved or described anew in reader/tui/bindings.py changes README too."""

from __future__ import annotations

from pathlib import Path

from reader.tui.bindings import README_END, README_START, keys_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_every_key_as_the_binding_table_has_it() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    shown = text[start + len(README_START) : end].strip("\n") + "\n"
    assert shown == keys_markdown(), "run: uv run python -m reader.tui.bindings"


def test_every_binding_id_is_in_the_table_once() -> None:
    from reader.tui.bindings import ALL_KEYS

    table = keys_markdown()
    for key in ALL_KEYS:
        assert table.count(f"| `{key.id}` |") == 1, key.id
