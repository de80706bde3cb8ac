"""spaCy's OntoNotes entity labels: each once, with what it names, and the
display groups the reader sees them in (the legend's colours, ``label:place``).

The entity dialog lists the labels in this order (the order people reach for
them); the library index keeps a bit per label in it (reader.core.query)."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place: country, city, state",
    "LOC": "place: region, mountain, water",
    "FAC": "place: building, airport, road",
    "NORP": "nationality, religious or political group",
    "DATE": "date",
    "TIME": "time",
    "CARDINAL": "number",
    "ORDINAL": "ordinal",
    "QUANTITY": "quantity",
    "PERCENT": "percent",
    "MONEY": "money",
    "EVENT": "event",
    "WORK_OF_ART": "work",
    "LAW": "law",
    "LANGUAGE": "language",
    "PRODUCT": "product",
}

# The display groups, in legend order; every label is in one.
LABEL_GROUPS: dict[str, tuple[str, ...]] = {
    "person": ("PERSON",),
    "organisation": ("ORG",),
    "place": ("GPE", "LOC", "FAC"),
    "nationality": ("NORP",),
    "date": ("DATE", "TIME"),
    "number": ("CARDINAL", "ORDINAL", "QUANTITY", "PERCENT"),
    "money": ("MONEY",),
    "other": ("EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"),
}
_GROUP_OF = {label: group for group, labels in LABEL_GROUPS.items() for label in labels}
assert _GROUP_OF.keys() == LABELS.keys(), "a label in no group, or a group's label unknown"


def label_group(label: str) -> str:
    """The display group of an OntoNotes label (``GPE`` -> ``place``); a label
    of the reader's own is "other"."""
    return _GROUP_OF.get(label, "other")
