"""Deleting an article from the library, and bringing it back.

A deleted article is moved, never erased: its text, its store (its notes and
tags) and its earlier texts go to ``.trash/<id>/`` in the library's folder,
as they were, where ``reader restore`` (or a move by hand) brings them back.
Each move is a rename under the article's lock, made durable with a sync of
the folders, so a crash midway leaves each file in one place or the other,
never lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.durable import fsync_dir
from reader.core.locks import flocked
from reader.core.store import AtomicJSONStorage, StoreError

if TYPE_CHECKING:
    from reader.core.library import Library

TRASH_DIR = ".trash"


@dataclass(frozen=True)
class Trashed:
    """An article in the trash: its folder's name (its id, or the id and a
    number when it was deleted more than once), its id and its title."""

    name: str
    article_id: str
    title: str


def trash_dir(library: Library) -> Path:
    return library.root / TRASH_DIR


def _moves(library: Library, article_id: str, folder: Path) -> list[tuple[Path, Path]]:
    """An article's files and where each goes (the text first: the article is
    gone from the list as soon as its text is)."""
    return [
        (library.articles_dir / f"{article_id}.txt", folder / f"{article_id}.txt"),
        (library.annotations_dir / f"{article_id}.json", folder / f"{article_id}.json"),
        (library.versions_dir(article_id), folder / "versions"),
    ]


def _sync(folders: set[Path]) -> None:
    for folder in folders:
        if folder.is_dir():
            fsync_dir(folder)


def move_to_trash(library: Library, article_id: str) -> Path:
    """Move an article's files to the trash; the folder they are in. KeyError
    when there is no such article."""
    if not library.has_article(article_id):
        raise KeyError(f"no article {article_id}")
    trash = trash_dir(library)
    trash.mkdir(exist_ok=True)
    folder = trash / article_id
    number = 1
    while True:
        try:
            folder.mkdir()
            break
        except FileExistsError:
            number += 1
            folder = trash / f"{article_id}~{number}"
    with library.writing(article_id), flocked(library.store(article_id).lock_path):
        moved = [(a, b) for a, b in _moves(library, article_id, folder) if a.exists()]
        for source, target in moved:
            os.rename(source, target)
        _sync({folder, trash, *(source.parent for source, _ in moved)})
    return folder


def trashed(library: Library) -> list[Trashed]:
    """What is in the trash, the last deleted first."""
    found: list[tuple[int, Trashed]] = []
    try:
        entries = list(os.scandir(trash_dir(library)))
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        article_id = entry.name.split("~")[0]
        text = Path(entry.path) / f"{article_id}.txt"
        if not entry.is_dir() or not text.is_file():
            continue
        title = ""
        try:
            data = AtomicJSONStorage(Path(entry.path) / f"{article_id}.json").read() or {}
            title = str(data.get("meta", {}).get("1", {}).get("article", {}).get("title", ""))
        except (StoreError, OSError, AttributeError):
            pass
        found.append((entry.stat().st_mtime_ns, Trashed(entry.name, article_id, title)))
    return [t for _, t in sorted(found, key=lambda f: f[0], reverse=True)]


def restore(library: Library, name: str) -> str:
    """Bring an article back from the trash (``name``: its folder there); its id.
    FileNotFoundError when it is not there, FileExistsError when the library
    has an article of that id again (nothing is overwritten)."""
    folder = trash_dir(library) / name
    article_id = name.split("~")[0]
    if not library.is_article_id(article_id) or not (folder / f"{article_id}.txt").is_file():
        raise FileNotFoundError(f"{name} is not in the trash")
    moves = [(b, a) for a, b in _moves(library, article_id, folder)]
    with library.writing(article_id), flocked(library.store(article_id).lock_path):
        taken = [target for source, target in moves if source.exists() and target.exists()]
        if taken:
            raise FileExistsError(f"{taken[0]} exists: {article_id} is in the library again")
        moved = [(source, target) for source, target in moves if source.exists()]
        for source, target in reversed(moved):  # the text last: listed once all is back
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(source, target)
        _sync({target.parent for _, target in moved})
    folder.rmdir()
    return article_id
