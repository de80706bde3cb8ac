"""Bytes to text: the byte order mark's encoding, else the declared charset,
else UTF-8, else a Western code page or the encoding charset-normalizer detects."""

from __future__ import annotations

import re

from reader.core.importers import ImportFailed

PREFERRED_ENCODINGS = ("cp1252", "latin_1")


# Byte order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf_32_be"),
    (b"\xff\xfe\x00\x00", "utf_32_le"),
    (b"\xfe\xff", "utf_16_be"),
    (b"\xff\xfe", "utf_16_le"),
    (b"\xef\xbb\xbf", "utf_8"),
)


def from_bom(data: bytes, name: str) -> tuple[bytes, str]:
    """The bytes as UTF-8 without a byte order mark, and the encoding the mark
    named ("" when there is none). UTF-16 and UTF-32 are told by their mark only."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise ImportFailed(
                    f"{name}: not valid {encoding} (byte {error.start + len(bom)})"
                ) from None
            return text.encode("utf-8"), encoding
    return data, ""


# Letters a Western (cp1252) decoding shows when the bytes are really another
# code page: Turkish ş ğ ı, Baltic š ž and Czech ě come out as þ ð ý and ì.
_FOREIGN_LETTERS = re.compile(r"[ðþÐÞýÝ]|ì(?=[^\W\d_])")
# Latin-1 symbols (¿ ³ ¹ ± ...) between two letters: Polish ż ł ą, or Western
# é ü decoded in a DOS or Baltic code page.
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_])[\xa1-\xaa\xac\xae-\xb6\xb8-\xba\xbc-\xbf](?=[^\W\d_])")
_HIGH_LETTER_RUN = re.compile(r"[^\W\d_\x00-\x7f]{3,}")
_HIGH_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")


def looks_western(text: str) -> bool:
    """Whether text decoded as cp1252 reads as a Western European language: its
    accented letters stand alone or in pairs inside ASCII words (café, Zürich,
    negociações), with no stray symbols inside words; Cyrillic or Greek decoded
    as cp1252 gives long runs of accented letters instead (Æèòåëè)."""
    letters = len(_HIGH_LETTER.findall(text))
    in_runs = sum(len(run) for run in _HIGH_LETTER_RUN.findall(text))
    return (
        in_runs <= letters * 0.1
        and not _SYMBOL_IN_WORD.search(text)
        and not _FOREIGN_LETTERS.search(text)
    )


def decode(data: bytes, name: str, declared: str | None = None) -> tuple[str, str]:
    """Text and a note ("" when UTF-8): the byte order mark's encoding, else the
    declared charset, else UTF-8, else cp1252 when it reads as Western text, else
    the encoding charset-normalizer detects."""
    data, bom = from_bom(data, name)
    if bom:
        return data.decode("utf-8"), ""
    if declared:
        try:
            return data.decode(declared), ""
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as error:
        first_bad = error.start
    # charset-normalizer often takes short Western text for a DOS or Baltic code
    # page (Café as Cafķ): cp1252 first, when it reads as Western text.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if western and looks_western(western):
        return western, f"{name}: not UTF-8; decoded as cp1252"
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    best = results[0] if results else None
    if best is not None:
        # Candidates that fit equally well: prefer the commonest Western code page,
        # unless cp1252 was found not to read as Western text.
        ties = [r for r in results if (r.chaos, r.coherence) == (best.chaos, best.coherence)]
        if western:
            best = next((r for r in ties if r.encoding not in PREFERRED_ENCODINGS), best)
        else:
            best = next((r for r in ties if r.encoding in PREFERRED_ENCODINGS), best)
    if best is None or best.encoding in {"utf_8", "utf-8"}:
        raise ImportFailed(f"{name}: not valid UTF-8 (byte {first_bad}) and no other encoding fits")
    return str(best), f"{name}: not UTF-8; decoded as {best.encoding}"
