"""Shared fixtures for the domain tests: the seed article and libraries on tmp_path.

``shared/`` sits beside the repository (CI clones the repository next to it),
so the seed is found relative to this file, never to the working directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from reader.core.importers.inputs import import_path
from reader.core.library import Library

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# reader add and the app start a background process finding entities for what
# was imported (reader.core.entity_queue): not in the tests, which run reader
# on many small libraries at once, unless a test asks for it.
os.environ["READER_NO_BACKGROUND"] = "1"
# pytest-xdist's workers (README: the tests run in parallel) have COLUMNS=80 and
# LINES=24 in their environment, which Textual takes as the terminal's size: the
# app driven in tmux would be drawn 80 by 24 in a larger window.
for size in ("COLUMNS", "LINES"):
    os.environ.pop(size, None)
# reader's own failures (reader.core.errorlog) are logged in the run's temporary
# folder, never in the user's state folder.
os.environ["READER_LOG"] = os.path.join(tempfile.mkdtemp(prefix="reader-log-"), "reader.log")

# In CI the property tests draw the same examples every run, so a green run
# stays green; on a developer's machine they explore (and keep failures in
# .hypothesis/ to replay).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SHARED / "articles" / "000_7151e915db61d1a9.txt"


@pytest.fixture(scope="session")
def fixture_entities_path() -> Path:
    return SHARED / "fixtures" / "seed-entities.json"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "library").ensure()


@pytest.fixture
def seed_library(library: Library, seed_path: Path) -> Library:
    (draft,) = import_path(seed_path)
    library.add(draft)
    return library


@pytest.fixture
def seed_id(seed_library: Library) -> str:
    (article_id,) = seed_library.article_ids()
    return article_id
