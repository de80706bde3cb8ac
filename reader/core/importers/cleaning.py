"""Cleaning drafts: their metadata is untrusted text, made single lines here,
and a URL keeps no credentials."""

from __future__ import annotations

import re
from dataclasses import replace

from reader.core.models import ArticleDraft
from reader.core.text import normalise


def clean_line(value: str) -> str:
    """One line of metadata: no controls, NFC, single spaces."""
    return " ".join(normalise(value).split())


# A URL's user:password@ (RFC 3986: the authority runs to the first / ? or #,
# its user information to the last @ in it, as urllib reads it too).
_USERINFO = re.compile(r"\A(\s*[A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def without_credentials(value: str) -> str:
    """``value`` without the ``user:password@`` of a URL (anything else as it is):
    credentials are for fetching, never kept in a source or shown in a message."""
    return _USERINFO.sub(r"\1", value, count=1)


def clean_draft(draft: ArticleDraft) -> ArticleDraft:
    """Metadata is untrusted text too: every field of every draft is cleaned here,
    whichever importer made it (the text is normalised by the importers). A
    source keeps no credentials (a feed's <link>, a Markdown url:)."""
    return replace(
        draft,
        title=clean_line(draft.title),
        author=clean_line(draft.author),
        date=clean_line(draft.date),
        source=without_credentials(clean_line(draft.source)),
        tags=tuple(dict.fromkeys(t for t in map(clean_line, draft.tags) if t)),
    )
