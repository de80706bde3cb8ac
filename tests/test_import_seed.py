"""Importing plain text: the seed's header, the derived title, and bad input."""

from __future__ import annotations

import pytest

from reader.core.importers import ImportFailed
from reader.core.importers.inputs import import_path
from reader.core.importers.plaintext import TITLE_LIMIT, parse_plaintext

LEAD_START = "Turkish drone strikes"
CAPTION_START = "A picture taken during a guided tour"


@pytest.fixture
def seed_draft(seed_path):
    drafts = import_path(seed_path)
    assert len(drafts) == 1
    return drafts[0]


# --- the seed -------------------------------------------------------------------


def test_seed_header_gives_date_and_author(seed_draft, seed_path):
    assert seed_draft.date == "2020-03-01"
    assert seed_draft.author == "uprootedpalestinians"
    assert seed_draft.source == str(seed_path.resolve())
    assert seed_draft.format == "text"


def test_seed_text_has_no_header_line(seed_draft):
    first_line = seed_draft.text.split("\n", 1)[0]
    assert not first_line.lstrip().lower().startswith("date")
    assert "Posted on by" not in seed_draft.text
    assert "uprootedpalestinians" not in seed_draft.text


def test_seed_caption_paragraph_is_kept_in_the_body(seed_draft):
    assert seed_draft.text.startswith(CAPTION_START)
    assert "(Photo by AFP)\n\n" + LEAD_START in seed_draft.text


def test_seed_title_comes_from_the_lead_not_the_caption(seed_draft):
    title = seed_draft.title
    assert title.startswith(LEAD_START)
    assert len(title) <= 91
    assert "picture" not in title.lower()


def test_seed_title_is_cut_at_a_word_boundary(seed_draft):
    title = seed_draft.title
    lead = next(p for p in seed_draft.text.split("\n\n") if p.startswith(LEAD_START))
    assert title.endswith("…")
    stem = title.removesuffix("…")
    assert lead.startswith(stem)
    assert len(stem) < len(lead)
    next_char = lead[len(stem)]
    assert not next_char.isalnum(), f"cut inside a word: {stem[-10:]!r}|{lead[len(stem) :][:10]!r}"
    assert stem[-1].isalnum()


# --- header variants -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "date", "author"),
    [
        ("date 2020-03 Posted on by someone\n\nBody text.", "2020-03", "someone"),
        ("date 2020-03-01 Posted on by\n\nBody text.", "2020-03-01", ""),
        ("date 2020-03-01\n\nBody text.", "2020-03-01", ""),
        ("   date 2020-03-01 Posted on by  Jane Doe  \n\nBody text.", "2020-03-01", "Jane Doe"),
        ("\ufeffdate 2020-03-01 Posted on by x\r\n\r\nBody text.", "2020-03-01", "x"),
    ],
    ids=["year-month", "no-author", "date-only", "leading-spaces", "bom-crlf"],
)
def test_header_variants(raw, date, author):
    draft = parse_plaintext(raw)
    assert (draft.date, draft.author) == (date, author)
    assert draft.text == "Body text."
    assert draft.title == "Body text"


def test_text_without_header_has_no_metadata_and_keeps_first_line():
    draft = parse_plaintext("Posted yesterday: a dated 2020-03-01 story.\n\nMore.")
    assert (draft.date, draft.author) == ("", "")
    assert draft.text.startswith("Posted yesterday")


def test_title_skips_caption_and_cuts_long_lead_at_a_word():
    lead = " ".join(["word"] * 40) + "."
    draft = parse_plaintext(f"File photo: a caption of a photo.\n\n{lead}")
    assert draft.title.startswith("word word")
    assert draft.title.endswith("word…")
    assert len(draft.title) <= TITLE_LIMIT + 1


# --- errors --------------------------------------------------------------------


def _one_line_naming(error: ImportFailed, name: str) -> None:
    message = str(error)
    assert "\n" not in message
    assert name in message


def test_empty_file_fails(tmp_path):
    path = tmp_path / "empty-article.txt"
    path.write_bytes(b"")
    with pytest.raises(ImportFailed) as caught:
        import_path(path)
    _one_line_naming(caught.value, path.name)


def test_header_only_file_fails(tmp_path):
    path = tmp_path / "header-only.txt"
    path.write_text("date 2020-03-01 Posted on by someone\n\n  \n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_path(path)
    _one_line_naming(caught.value, path.name)


def test_binary_file_fails(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ImportFailed) as caught:
        import_path(path)
    _one_line_naming(caught.value, path.name)
    assert "binary" in str(caught.value)


def test_non_utf8_text_is_decoded_with_the_detected_encoding_and_says_so(tmp_path):
    from reader.core.importers.parsing import parse_bytes

    path = tmp_path / "latin1.txt"
    data = "Le café de la gare a fermé après l'été, à la déception générale.\n".encode("cp1252")
    path.write_bytes(data)
    (draft,), notes = parse_bytes(data, path.name, str(path))
    assert draft.text.startswith("Le café de la gare a fermé après l'été")
    (note,) = notes
    assert path.name in note and "decoded as" in note and "\n" not in note


def test_missing_file_fails(tmp_path):
    path = tmp_path / "no-such-article.txt"
    with pytest.raises(ImportFailed) as caught:
        import_path(path)
    _one_line_naming(caught.value, path.name)


def test_folder_fails(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(ImportFailed) as caught:
        import_path(folder)
    _one_line_naming(caught.value, folder.name)
