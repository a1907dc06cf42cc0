"""The shipped reference agreements, rule by rule.

One table row per rule: a support question (supplier, recipient, category, situation, date), the
expected answer, the first reason's code, what that reason cites (a clause or exclusion uid
`agreement/version/clause`, or an agreement or national-law id), and the public source that
establishes the rule. Rows cover every clause and exclusion the decisions can cite, both sides of
every date boundary and both directions of every pair; `test_every_citable_clause_has_a_row`
fails when a clause is added to the reference set without a row here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

from accord.agreements.compiled import CompiledAgreement, CompiledLaw
from accord.agreements.decisions import SupportIndex
from accord.agreements.files import REFERENCE_DIR, agreement_files
from accord.agreements.index import AgreementIndex, compile_set
from accord.agreements.loader import load, parse_file
from accord.vocabulary import CATEGORY_CODES, SITUATION_CODES

D = dt.date
DAY = dt.timedelta(days=1)

# Sources (from the project's reference notes, /work/shared/reference/acsa-domain.md).
MOFA_US_1996 = "https://www.mofa.go.jp/mofaj/press/release/22/5/0519_04.html"
DOD_1996 = "http://www.defense.gov/Releases/Release.aspx?ReleaseID=1657"
MOFA_US_1999 = "https://www.mofa.go.jp/mofaj/gaiko/treaty/htmls/A-H11-2147.html"
MOFA_US_2004 = "https://www.mofa.go.jp/mofaj/press/release/16/rls_0729b.html"
JT_2004 = "https://www.japantimes.co.jp/news/2004/02/28/national/ammo-provision-added-to-u-s-logistic-support-pact"
MOD_WP_2005 = "http://www.clearing.mod.go.jp/hakusho_data/2005/2005/html/17252500.html"
MOFA_US_2017 = "https://www.mofa.go.jp/mofaj/press/release/press4_004539.html"
MOFA_US_2016_SUMMARY = "https://expydoc.com/doc/11056051/"
MOD_WP_2021 = "https://www.mod.go.jp/j/publication/wp/wp2021/html/n320206000.html"
LAW_2015 = "https://vdocuments.us/section-2-outline-of-the-legislation-for-peace-and-security-section-2-outline-of.html"
IMPORTANT_INFLUENCE = (
    "https://kotobank.jp/word/%E9%87%8D%E8%A6%81%E5%BD%B1%E9%9F%BF%E4%BA%8B%E6%85%8B-1712514"
)
USC_2350 = "https://www.toddpennington.com/index.php/national-security-law-resources/acquisition-and-cross-servicing-agreements/"
MLSA_1988 = "https://leesiwoo.net/?p=3183"
MLSA_2004 = "https://m.imaeil.com/page/view/2004021015430622904"
SIA_2012 = "https://mbiz.heraldcorp.com/military/view.php?ud=20120130000442"
AUS_2013 = "https://www.mofa.go.jp/mofaj/press/release/25/1/0131_01.html"
AUS_2017 = "https://www.mofa.go.jp/mofaj/press/release/press4_004993.html"
GBR = "https://www.mofa.go.jp/mofaj/press/release/press3_000311.html"
CAN = "https://www.mofa.go.jp/mofaj/na/na1/ca/page1_000508.html"
FRA = "https://www.mofa.go.jp/mofaj/press/release/press4_007458.html"
IND = "https://note.com./wmilitary/n/ncad4cfa441b8"
DEU = "https://www.mofa.go.jp/mofaj/press/release/pressit_000001_00887.html"
ITA = "https://j-defense.ikaros.jp/docs/mod/003652.html"
NZL = "https://www.mofa.go.jp/mofaj/press/release/pressit_000001_03135.html"
PHL = "https://j-defense.ikaros.jp/docs/mod/004516.html"
ROK_WP_2018 = (
    "https://mnd.go.kr/mnd_book/DefenseWhitePaper/2018/final(eng)/files/basic-html/page157.html"
)
KOR_IDN = "https://m.koreaherald.com/view.php?mp=39&np=383&ud=20111207000764"
NO_JPN_KOR = "https://ajunews.com/view/20110110000465"
NO_JPN_KOR_2016 = "https://www.hankookilbo.com/News/Read/201611161186169350"
NO_JPN_KOR_2024 = "https://theqoo.net/square/3382032548"


class Row(NamedTuple):
    supplier: str
    recipient: str
    category: str
    situation: str
    on: dt.date
    allowed: bool
    code: str  # the first reason's code
    cites: str | None  # a clause uid (with "/"), an agreement or law id, or None
    source: str


def row(
    supplier: str,
    recipient: str,
    category: str,
    situation: str,
    on: dt.date,
    code: str,
    cites: str | None,
    source: str,
) -> Row:
    return Row(
        supplier, recipient, category, situation, on, code == "permitted", code, cites, source
    )


OK, NOT_COVERED, EXCLUDED = "permitted", "situation-not-covered", "category-excluded"
NO_AGREEMENT, NOT_IN_FORCE = "no-agreement", "not-in-force"

US96 = "jpn-usa-acsa-1996"
US16 = "jpn-usa-acsa-2016"
MLSA = "kor-usa-mlsa-1988"
SIA = "kor-usa-sia-2012"
AU10 = "aus-jpn-acsa-2010"
AU17 = "aus-jpn-acsa-2017"
JPN_WEAPONS = "jpn-law/no-weapons"
USA_WEAPONS = "usa-law/usc-2350-1"

# fmt: off
KEY_CASES = [
    # No Japan–Korea ACSA has ever been concluded.
    row("JPN", "KOR", "fuel", "exercise", D(2015, 4, 13), NO_AGREEMENT, None, NO_JPN_KOR),
    row("KOR", "JPN", "fuel", "exercise", D(2016, 11, 23), NO_AGREEMENT, None, NO_JPN_KOR_2016),
    row("KOR", "JPN", "food", "large-disaster", D(2026, 11, 1), NO_AGREEMENT, None, NO_JPN_KOR_2024),
    row("JPN", "KOR", "weapons", "exercise", D(2026, 11, 1), NO_AGREEMENT, None, NO_JPN_KOR_2024),
    row("JPN", "USA", "fuel", "exercise", D(2015, 4, 13), OK, f"{US96}/2004/art-1", MOFA_US_2004),
    row("JPN", "USA", "ammunition", "exercise", D(2015, 4, 13), EXCLUDED, f"{US96}/2004/art-2-3", MOD_WP_2005),
    row("JPN", "USA", "ammunition", "exercise", D(2017, 4, 25), OK, f"{US16}/2017/art-2", MOFA_US_2017),
    row("JPN", "USA", "ammunition", "armed-attack", D(2004, 7, 28), NOT_COVERED, US96, MOFA_US_2004),
    row("JPN", "USA", "ammunition", "armed-attack", D(2004, 7, 29), OK, f"{US96}/2004/art-1-ter", JT_2004),
    row("JPN", "USA", "fuel", "important-influence", D(2016, 3, 28), NOT_COVERED, "jpn-law", LAW_2015),
    row("JPN", "AUS", "fuel", "exercise", D(2013, 1, 30), NOT_IN_FORCE, AU10, AUS_2013),
    row("JPN", "AUS", "fuel", "exercise", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
]
# fmt: on

# fmt: off
JPN_USA_1996 = [
    row("JPN", "USA", "fuel", "exercise", D(1996, 4, 14), NO_AGREEMENT, None, DOD_1996),
    row("JPN", "USA", "fuel", "exercise", D(1996, 4, 15), NOT_IN_FORCE, US96, DOD_1996),
    row("USA", "JPN", "fuel", "exercise", D(1996, 10, 21), NOT_IN_FORCE, US96, MOFA_US_1996),
    row("JPN", "USA", "fuel", "exercise", D(1996, 10, 22), OK, f"{US96}/1996/art-1", MOFA_US_1996),
    row("USA", "JPN", "food", "pko", D(1996, 10, 22), OK, f"{US96}/1996/art-1", DOD_1996),
    row("JPN", "USA", "water", "international-relief", D(1999, 9, 24), OK, f"{US96}/1996/art-1", DOD_1996),
    # Communications came with the 1998 amendment (in force September 1999).
    row("JPN", "USA", "communications", "exercise", D(1999, 9, 24), EXCLUDED, f"{US96}/1996/art-1", DOD_1996),
    row("JPN", "USA", "communications", "exercise", D(1999, 9, 25), OK, f"{US96}/1999/art-1", MOFA_US_1999),
    row("USA", "JPN", "fuel", "pko", D(1999, 9, 25), OK, f"{US96}/1999/art-1", MOFA_US_1999),
    row("JPN", "USA", "ammunition", "exercise", D(1996, 10, 22), EXCLUDED, f"{US96}/1996/art-1", DOD_1996),
    row("USA", "JPN", "ammunition", "exercise", D(1999, 9, 25), EXCLUDED, f"{US96}/1999/art-2-3-usa", MOFA_US_1999),
    # Art. 2(3) of the 1998 amendment: the SDF provides no weapons or ammunition.
    row("JPN", "USA", "ammunition", "pko", D(1999, 9, 25), EXCLUDED, f"{US96}/1999/art-2-3-jpn", MOFA_US_1999),
    # Situations in areas surrounding Japan: from the 1998 amendment until the 2015 laws.
    row("JPN", "USA", "fuel", "areas-surrounding", D(1999, 9, 24), NOT_COVERED, US96, MOFA_US_1999),
    row("JPN", "USA", "fuel", "areas-surrounding", D(1999, 9, 25), OK, f"{US96}/1999/art-1-bis", MOFA_US_1999),
    row("USA", "JPN", "transportation", "areas-surrounding", D(2004, 7, 28), OK, f"{US96}/1999/art-1-bis", MOFA_US_1999),
    row("USA", "JPN", "ammunition", "areas-surrounding", D(2004, 7, 28), EXCLUDED, f"{US96}/1999/art-2-3-usa", MOFA_US_1999),
    row("JPN", "USA", "fuel", "areas-surrounding", D(2004, 7, 29), OK, f"{US96}/2004/art-1-bis", MOFA_US_1999),
    row("JPN", "USA", "fuel", "areas-surrounding", D(2016, 3, 28), OK, f"{US96}/2004/art-1-bis", MOFA_US_1999),
    row("JPN", "USA", "fuel", "areas-surrounding", D(2016, 3, 29), NOT_COVERED, "jpn-law", LAW_2015),
    row("USA", "JPN", "ammunition", "areas-surrounding", D(2010, 1, 1), EXCLUDED, f"{US96}/2004/art-2-3", MOD_WP_2005),
    # The 2004 amendment: armed-attack situations (ammunition) and large disasters.
    row("USA", "JPN", "ammunition", "armed-attack", D(2004, 7, 29), OK, f"{US96}/2004/art-1-ter", JT_2004),
    row("JPN", "USA", "fuel", "armed-attack", D(2004, 7, 28), NOT_COVERED, US96, MOFA_US_2004),
    row("JPN", "USA", "fuel", "large-disaster", D(2004, 7, 28), NOT_COVERED, US96, MOFA_US_2004),
    row("JPN", "USA", "fuel", "large-disaster", D(2004, 7, 29), OK, f"{US96}/2004/art-1-quater", JT_2004),
    row("USA", "JPN", "medical", "large-disaster", D(2011, 3, 11), OK, f"{US96}/2004/art-1-quater", JT_2004),
    row("JPN", "USA", "ammunition", "large-disaster", D(2011, 3, 11), EXCLUDED, f"{US96}/2004/art-2-3", MOD_WP_2005),
    row("JPN", "USA", "ammunition", "exercise", D(2004, 7, 29), EXCLUDED, f"{US96}/2004/art-2-3", JT_2004),
    row("USA", "JPN", "ammunition", "pko", D(2015, 4, 13), EXCLUDED, f"{US96}/2004/art-2-3", MOD_WP_2005),
    row("USA", "JPN", "communications", "international-relief", D(2015, 4, 13), OK, f"{US96}/2004/art-1", MOFA_US_2004),
    row("JPN", "USA", "calibration", "exercise", D(2015, 4, 13), EXCLUDED, f"{US96}/2004/art-1", MOFA_US_2004),
    # Not the situations of the 2015 laws; not routine activities before 2017.
    row("JPN", "USA", "fuel", "important-influence", D(2016, 3, 29), NOT_COVERED, US96, MOFA_US_2017),
    row("USA", "JPN", "fuel", "important-influence", D(2016, 3, 28), NOT_COVERED, "jpn-law", LAW_2015),
    row("JPN", "USA", "fuel", "routine", D(2017, 4, 24), NOT_COVERED, US96, MOFA_US_2017),
    row("JPN", "USA", "fuel", "exercise", D(2017, 4, 24), OK, f"{US96}/2004/art-1", MOFA_US_2004),
    row("JPN", "USA", "ammunition", "exercise", D(2017, 4, 24), EXCLUDED, f"{US96}/2004/art-2-3", MOD_WP_2005),
    # Weapons: never, by national law on either side.
    row("JPN", "USA", "weapons", "exercise", D(2015, 4, 13), EXCLUDED, JPN_WEAPONS, IMPORTANT_INFLUENCE),
    row("USA", "JPN", "weapons", "exercise", D(2015, 4, 13), EXCLUDED, USA_WEAPONS, USC_2350),
    row("JPN", "USA", "weapons", "armed-attack", D(2004, 7, 29), EXCLUDED, JPN_WEAPONS, MOD_WP_2021),
]
# fmt: on

# fmt: off
JPN_USA_2016 = [
    row("JPN", "USA", "fuel", "exercise", D(2017, 4, 25), OK, f"{US16}/2017/art-2", MOFA_US_2017),
    row("USA", "JPN", "ammunition", "exercise", D(2017, 4, 25), OK, f"{US16}/2017/art-2", MOFA_US_2017),
    row("USA", "JPN", "calibration", "exercise", D(2017, 4, 25), EXCLUDED, f"{US16}/2017/art-2", MOD_WP_2021),
    row("JPN", "USA", "fuel", "coordinated-peace-ops", D(2017, 4, 24), NOT_COVERED, US96, MOFA_US_2017),
    row("JPN", "USA", "fuel", "coordinated-peace-ops", D(2017, 4, 25), OK, f"{US16}/2017/art-3", MOFA_US_2016_SUMMARY),
    row("USA", "JPN", "ammunition", "large-disaster", D(2017, 4, 25), OK, f"{US16}/2017/art-3", MOFA_US_2016_SUMMARY),
    row("JPN", "USA", "fuel", "important-influence", D(2017, 4, 24), NOT_COVERED, US96, MOFA_US_2017),
    row("JPN", "USA", "fuel", "important-influence", D(2017, 4, 25), OK, f"{US16}/2017/art-4", MOFA_US_2016_SUMMARY),
    row("JPN", "USA", "ammunition", "important-influence", D(2020, 1, 1), OK, f"{US16}/2017/art-4", IMPORTANT_INFLUENCE),
    row("JPN", "USA", "ammunition", "survival-threatening", D(2017, 4, 25), OK, f"{US16}/2017/art-5", MOFA_US_2016_SUMMARY),
    row("USA", "JPN", "fuel", "armed-attack", D(2017, 4, 25), OK, f"{US16}/2017/art-5", MOFA_US_2016_SUMMARY),
    row("JPN", "USA", "fuel", "international-peace", D(2017, 4, 25), OK, f"{US16}/2017/art-6", MOFA_US_2016_SUMMARY),
    row("JPN", "USA", "food", "routine", D(2017, 4, 25), OK, f"{US16}/2017/art-6", MOD_WP_2021),
    row("USA", "JPN", "transportation", "evacuation", D(2017, 4, 25), OK, f"{US16}/2017/art-6", MOD_WP_2021),
    row("JPN", "USA", "fuel", "areas-surrounding", D(2017, 4, 25), NOT_COVERED, "jpn-law", LAW_2015),
    row("USA", "JPN", "fuel", "contingency", D(2017, 4, 25), NOT_COVERED, US16, MOFA_US_2016_SUMMARY),
    row("JPN", "USA", "weapons", "important-influence", D(2017, 4, 25), EXCLUDED, JPN_WEAPONS, IMPORTANT_INFLUENCE),
    row("USA", "JPN", "weapons", "armed-attack", D(2017, 4, 25), EXCLUDED, USA_WEAPONS, USC_2350),
]
# fmt: on

# fmt: off
KOR_USA = [
    row("KOR", "USA", "fuel", "exercise", D(1988, 6, 7), NO_AGREEMENT, None, MLSA_1988),
    row("KOR", "USA", "fuel", "exercise", D(1988, 6, 8), OK, f"{MLSA}/1988/art-3", MLSA_1988),
    row("USA", "KOR", "ammunition", "armed-attack", D(1988, 6, 8), OK, f"{MLSA}/1988/art-3", MLSA_1988),
    row("USA", "KOR", "fuel", "contingency", D(2004, 2, 9), OK, f"{MLSA}/1988/art-3", MLSA_1988),
    row("KOR", "USA", "weapons", "exercise", D(2004, 2, 9), EXCLUDED, f"{MLSA}/1988/art-3-weapons", USC_2350),
    row("KOR", "USA", "water", "exercise", D(2004, 2, 9), EXCLUDED, f"{MLSA}/1988/art-3", MLSA_2004),
    row("KOR", "USA", "water", "exercise", D(2004, 2, 10), OK, f"{MLSA}/2004/art-3", MLSA_2004),
    row("USA", "KOR", "equipment-use", "routine", D(2004, 2, 10), OK, f"{MLSA}/2004/art-3", MLSA_2004),
    row("KOR", "USA", "weapons", "exercise", D(2011, 12, 31), EXCLUDED, f"{MLSA}/2004/art-3-weapons", USC_2350),
    row("USA", "KOR", "weapons", "exercise", D(2011, 12, 31), EXCLUDED, USA_WEAPONS, USC_2350),
    row("KOR", "USA", "fuel", "pko", D(2012, 1, 29), NOT_COVERED, MLSA, MLSA_1988),
    row("KOR", "USA", "fuel", "pko", D(2012, 1, 30), OK, f"{SIA}/2012/para-pko-hadr", SIA_2012),
    row("USA", "KOR", "food", "large-disaster", D(2012, 1, 30), OK, f"{SIA}/2012/para-pko-hadr", SIA_2012),
    row("KOR", "USA", "medical", "international-relief", D(2020, 1, 1), OK, f"{SIA}/2012/para-pko-hadr", SIA_2012),
    row("KOR", "USA", "fuel", "exercise", D(2020, 1, 1), OK, f"{MLSA}/2004/art-3", MLSA_2004),
    row("USA", "KOR", "fuel", "important-influence", D(2020, 1, 1), NOT_COVERED, MLSA, MLSA_1988),
]
# fmt: on

# fmt: off
AUS_JPN = [
    row("JPN", "AUS", "fuel", "exercise", D(2010, 5, 18), NO_AGREEMENT, None, AUS_2013),
    row("JPN", "AUS", "fuel", "exercise", D(2010, 5, 19), NOT_IN_FORCE, AU10, AUS_2013),
    row("AUS", "JPN", "fuel", "exercise", D(2013, 1, 30), NOT_IN_FORCE, AU10, AUS_2013),
    row("AUS", "JPN", "fuel", "exercise", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "medical", "pko", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
    row("AUS", "JPN", "transportation", "international-relief", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "water", "large-disaster", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
    row("AUS", "JPN", "billeting", "evacuation", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "food", "routine", D(2013, 1, 31), OK, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "ammunition", "exercise", D(2013, 1, 31), EXCLUDED, f"{AU10}/2013/scope", AUS_2013),
    row("AUS", "JPN", "ammunition", "pko", D(2017, 9, 5), EXCLUDED, f"{AU10}/2013/scope", AUS_2013),
    row("AUS", "JPN", "weapons", "exercise", D(2013, 1, 31), EXCLUDED, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "weapons", "exercise", D(2013, 1, 31), EXCLUDED, JPN_WEAPONS, MOD_WP_2021),
    row("JPN", "AUS", "fuel", "armed-attack", D(2013, 1, 31), NOT_COVERED, AU10, AUS_2013),
    row("JPN", "AUS", "fuel", "areas-surrounding", D(2016, 3, 28), NOT_COVERED, AU10, AUS_2013),
    row("JPN", "AUS", "fuel", "areas-surrounding", D(2016, 3, 29), NOT_COVERED, "jpn-law", LAW_2015),
    row("AUS", "JPN", "fuel", "important-influence", D(2016, 3, 28), NOT_COVERED, "jpn-law", LAW_2015),
    row("AUS", "JPN", "fuel", "important-influence", D(2016, 3, 29), NOT_COVERED, AU10, AUS_2013),
    # Replaced on 6 September 2017 by the new ACSA, which covers ammunition.
    row("JPN", "AUS", "fuel", "important-influence", D(2017, 9, 5), NOT_COVERED, AU10, AUS_2017),
    row("JPN", "AUS", "fuel", "exercise", D(2017, 9, 5), OK, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "ammunition", "exercise", D(2017, 9, 5), EXCLUDED, f"{AU10}/2013/scope", AUS_2013),
    row("JPN", "AUS", "fuel", "exercise", D(2017, 9, 6), OK, f"{AU17}/2017/exercise", AUS_2017),
    row("JPN", "AUS", "ammunition", "exercise", D(2017, 9, 6), OK, f"{AU17}/2017/exercise", AUS_2017),
    row("AUS", "JPN", "ammunition", "exercise", D(2017, 9, 6), OK, f"{AU17}/2017/exercise", AUS_2017),
    row("AUS", "JPN", "weapons", "exercise", D(2017, 9, 6), EXCLUDED, f"{AU17}/2017/exercise", AUS_2017),
    row("AUS", "JPN", "calibration", "exercise", D(2017, 9, 6), EXCLUDED, f"{AU17}/2017/exercise", AUS_2017),
    row("JPN", "AUS", "fuel", "coordinated-peace-ops", D(2017, 9, 6), OK, f"{AU17}/2017/peace-relief", AUS_2017),
    row("AUS", "JPN", "ammunition", "pko", D(2017, 9, 6), OK, f"{AU17}/2017/peace-relief", AUS_2017),
    row("JPN", "AUS", "ammunition", "important-influence", D(2017, 9, 6), OK, f"{AU17}/2017/important-influence", IMPORTANT_INFLUENCE),
    row("AUS", "JPN", "fuel", "important-influence", D(2017, 9, 6), OK, f"{AU17}/2017/important-influence", AUS_2017),
    row("AUS", "JPN", "ammunition", "armed-attack", D(2017, 9, 6), OK, f"{AU17}/2017/armed-attack", AUS_2017),
    row("JPN", "AUS", "fuel", "survival-threatening", D(2017, 9, 6), OK, f"{AU17}/2017/armed-attack", AUS_2017),
    row("JPN", "AUS", "fuel", "international-peace", D(2017, 9, 6), OK, f"{AU17}/2017/other-activities", AUS_2017),
    row("AUS", "JPN", "food", "evacuation", D(2017, 9, 6), OK, f"{AU17}/2017/other-activities", AUS_2013),
    row("JPN", "AUS", "food", "routine", D(2017, 9, 6), OK, f"{AU17}/2017/other-activities", AUS_2013),
    row("JPN", "AUS", "fuel", "contingency", D(2017, 9, 6), NOT_COVERED, AU17, AUS_2017),
    row("JPN", "AUS", "fuel", "areas-surrounding", D(2017, 9, 6), NOT_COVERED, "jpn-law", LAW_2015),
    row("JPN", "AUS", "weapons", "important-influence", D(2017, 9, 6), EXCLUDED, JPN_WEAPONS, IMPORTANT_INFLUENCE),
]
# fmt: on


class JapanAcsa(NamedTuple):
    id: str
    partner: str
    signed: dt.date
    in_force: dt.date | None
    ammunition: bool
    peace: tuple[str, ...]  # the situations of the clause `other-activities`
    source: str


PEACETIME = ("pko", "coordinated-peace-ops", "international-relief", "large-disaster")
PEACETIME += ("evacuation", "routine")
JAPAN_ACSAS = [
    JapanAcsa("gbr-jpn-acsa-2017", "GBR", D(2017, 1, 26), D(2017, 8, 18), False, PEACETIME, GBR),
    JapanAcsa("can-jpn-acsa-2018", "CAN", D(2018, 4, 21), D(2019, 7, 1), False, PEACETIME, CAN),
    JapanAcsa("fra-jpn-acsa-2018", "FRA", D(2018, 7, 13), D(2019, 6, 26), True, PEACETIME, FRA),
    JapanAcsa(
        "ind-jpn-acsa-2020",
        "IND",
        D(2020, 9, 9),
        D(2021, 7, 11),
        False,
        ("pko", "international-relief", "large-disaster", "evacuation", "routine"),
        IND,
    ),
    JapanAcsa("deu-jpn-acsa-2024", "DEU", D(2024, 1, 29), D(2024, 7, 12), False, PEACETIME, DEU),
    JapanAcsa("ita-jpn-acsa-2024", "ITA", D(2024, 11, 25), D(2025, 9, 5), False, PEACETIME, ITA),
    JapanAcsa("jpn-nzl-acsa-2025", "NZL", D(2025, 12, 19), None, False, PEACETIME, NZL),
    JapanAcsa("jpn-phl-acsa-2026", "PHL", D(2026, 1, 15), None, True, PEACETIME, PHL),
]


def japan_rows(a: JapanAcsa) -> list[Row]:
    """The rules of one of Japan's ACSAs with a partner other than the US and Australia."""
    p, src = a.partner, a.source
    rows = [
        row("JPN", p, "fuel", "exercise", a.signed - DAY, NO_AGREEMENT, None, src),
        row(p, "JPN", "fuel", "exercise", a.signed, NOT_IN_FORCE, a.id, src),
    ]
    if a.in_force is None:  # signed only: never in force, whatever the date
        return [*rows, row("JPN", p, "fuel", "exercise", D(2030, 1, 1), NOT_IN_FORCE, a.id, src)]
    on = a.in_force
    exercise = f"{a.id}/{on.year}/exercise"
    other = f"{a.id}/{on.year}/other-activities"
    ammunition = OK if a.ammunition else EXCLUDED
    rows += [
        row("JPN", p, "fuel", "exercise", on - DAY, NOT_IN_FORCE, a.id, src),
        row("JPN", p, "fuel", "exercise", on, OK, exercise, src),
        row(p, "JPN", "fuel", "exercise", on, OK, exercise, src),
        row("JPN", p, "ammunition", "exercise", on, ammunition, exercise, src),
        row(p, "JPN", "ammunition", "pko", on, ammunition, other, src),
        row(p, "JPN", "weapons", "exercise", on, EXCLUDED, exercise, src),
        row("JPN", p, "weapons", "pko", on, EXCLUDED, JPN_WEAPONS, MOD_WP_2021),
        row(p, "JPN", "calibration", "exercise", on, EXCLUDED, exercise, src),
        row("JPN", p, "fuel", "important-influence", on, NOT_COVERED, a.id, src),
        row(p, "JPN", "fuel", "armed-attack", on, NOT_COVERED, a.id, src),
        row("JPN", p, "fuel", "areas-surrounding", on, NOT_COVERED, "jpn-law", LAW_2015),
    ]
    for i, situation in enumerate(a.peace):  # each situation of the clause, alternating sides
        supplier, recipient = ("JPN", p) if i % 2 == 0 else (p, "JPN")
        rows.append(row(supplier, recipient, "food", situation, on, OK, other, src))
    if "coordinated-peace-ops" not in a.peace:
        rows.append(row("JPN", p, "fuel", "coordinated-peace-ops", on, NOT_COVERED, a.id, src))
    return rows


class KoreaMlsa(NamedTuple):
    id: str
    partner: str
    on: dt.date  # signed and in force (the conservative reading of a year or a month)
    source: str


KOREA_MLSAS = [
    KoreaMlsa("kor-tha-mlsa-1991", "THA", D(1991, 12, 31), ROK_WP_2018),
    KoreaMlsa("kor-nzl-mlsa-2007", "NZL", D(2007, 12, 31), ROK_WP_2018),
    KoreaMlsa("kor-tur-mlsa-2008", "TUR", D(2008, 12, 31), ROK_WP_2018),
    KoreaMlsa("kor-phl-mlsa-2009", "PHL", D(2009, 12, 31), ROK_WP_2018),
    KoreaMlsa("isr-kor-mlsa-2010", "ISR", D(2010, 12, 31), ROK_WP_2018),
    KoreaMlsa("aus-kor-mlsa-2010", "AUS", D(2010, 12, 31), ROK_WP_2018),
    KoreaMlsa("can-kor-mlsa-2010", "CAN", D(2010, 12, 31), ROK_WP_2018),
    KoreaMlsa("idn-kor-mlsa-2011", "IDN", D(2011, 12, 31), KOR_IDN),
    KoreaMlsa("kor-sgp-mlsa-2011", "SGP", D(2011, 12, 31), ROK_WP_2018),
    KoreaMlsa("khm-kor-mlsa-2012", "KHM", D(2012, 12, 31), ROK_WP_2018),
    KoreaMlsa("esp-kor-mlsa-2012", "ESP", D(2012, 12, 31), ROK_WP_2018),
    KoreaMlsa("gbr-kor-mlsa-2012", "GBR", D(2012, 12, 31), ROK_WP_2018),
    KoreaMlsa("kor-mng-mlsa-2013", "MNG", D(2013, 12, 31), ROK_WP_2018),
    KoreaMlsa("deu-kor-mlsa-2016", "DEU", D(2016, 3, 7), ROK_WP_2018),
    KoreaMlsa("kor-vnm-mlsa-2018", "VNM", D(2018, 6, 30), ROK_WP_2018),
]


def korea_rows(a: KoreaMlsa) -> list[Row]:
    """The rules of one of Korea's MLSAs with a partner other than the US."""
    p, on, src = a.partner, a.on, a.source
    scope = f"{a.id}/{on.year}/scope"
    return [
        row("KOR", p, "fuel", "exercise", on - DAY, NO_AGREEMENT, None, src),
        row(p, "KOR", "fuel", "exercise", on - DAY, NO_AGREEMENT, None, src),
        row("KOR", p, "fuel", "exercise", on, OK, scope, src),
        row(p, "KOR", "fuel", "exercise", on, OK, scope, src),
        row("KOR", p, "food", "pko", on, OK, scope, KOR_IDN),
        row(p, "KOR", "medical", "international-relief", on, OK, scope, KOR_IDN),
        row("KOR", p, "water", "large-disaster", on, OK, scope, KOR_IDN),
        row(p, "KOR", "equipment-use", "exercise", D(2026, 11, 1), OK, scope, src),
        row("KOR", p, "ammunition", "exercise", on, EXCLUDED, scope, src),
        row(p, "KOR", "weapons", "pko", on, EXCLUDED, scope, src),
        row("KOR", p, "fuel", "armed-attack", on, NOT_COVERED, a.id, KOR_IDN),
        row(p, "KOR", "fuel", "evacuation", on, NOT_COVERED, a.id, KOR_IDN),
    ]


ROWS = [
    *KEY_CASES,
    *JPN_USA_1996,
    *JPN_USA_2016,
    *KOR_USA,
    *AUS_JPN,
    *(r for a in JAPAN_ACSAS for r in japan_rows(a)),
    *(r for a in KOREA_MLSAS for r in korea_rows(a)),
]

# Exclusions no decision can cite first: every category they withhold is also withheld by the
# supplier's national law, which is cited before any agreement. They document the article but
# never decide; `test_shadowed_exclusions_are_shadowed` keeps this list honest.
SHADOWED = {
    f"{US96}/2004/art-2-3-weapons",
    f"{US16}/2017/art-1-weapons",
}


@pytest.fixture(scope="module")
def index() -> AgreementIndex:
    return reference_index()


@cache
def reference_index() -> AgreementIndex:
    return compile_set(load([REFERENCE_DIR]))


@pytest.fixture(scope="module")
def support(index: AgreementIndex) -> SupportIndex:
    return index.support()


@cache
def _reference_urls() -> frozenset[str]:
    """Every source URL the reference files cite, and the three that document the absence of a
    Japan–Korea ACSA (in docs/agreements.md, since there is no file to cite them)."""
    urls = {NO_JPN_KOR, NO_JPN_KOR_2016, NO_JPN_KOR_2024}
    agreement_set = load([REFERENCE_DIR])
    for agreement in agreement_set.agreements:
        urls |= {s.url for s in agreement.sources}
        urls |= {s.url for e in agreement.events for s in e.sources}
        for version in agreement.versions:
            urls |= {s.url for s in version.sources}
            urls |= {s.url for c in (*version.clauses, *version.exclusions) for s in c.sources}
    for law in agreement_set.laws:
        urls |= {s.url for item in (*law.situations, *law.category_limits) for s in item.sources}
    return frozenset(urls)


def _label(r: Row) -> str:
    return f"{r.supplier}>{r.recipient}-{r.category}-{r.situation}-{r.on.isoformat()}"


def test_the_table_has_no_duplicate_questions() -> None:
    questions = [r[:5] for r in ROWS]
    assert len(questions) == len(set(questions))


@pytest.mark.parametrize("r", ROWS, ids=[_label(r) for r in ROWS])
def test_reference_rule(r: Row, support: SupportIndex) -> None:
    decision = support.decide(r.supplier, r.recipient, r.category, r.situation, r.on)
    first = decision.reasons[0]
    assert (decision.allowed, first.code) == (r.allowed, r.code), first.message
    if r.cites is None:
        assert (first.agreement, first.clause_id) == (None, None)
    elif "/" in r.cites:
        assert first.clause_id == r.cites
        assert first.agreement == r.cites.split("/")[0]
    else:
        assert (first.agreement, first.clause_id) == (r.cites, None)
    assert r.source in _reference_urls(), "the source must be one the reference set cites"


@pytest.mark.parametrize("path", agreement_files([REFERENCE_DIR]), ids=lambda p: p.name)
def test_every_shipped_file_validates(path: Path) -> None:
    parse_file(path)


def test_the_shipped_set_loads_as_a_whole() -> None:
    agreements = load([REFERENCE_DIR]).by_id()
    assert agreements[AU17].replaces == AU10
    assert agreements[AU10].ended == agreements[AU17].in_force


def test_every_agreement_has_rows_in_both_directions(index: AgreementIndex) -> None:
    asked = {(r.supplier, r.recipient) for r in ROWS}
    for agreement in index.agreements:
        directions = {(s, t) for s in agreement.parties for t in agreement.parties if s != t}
        assert directions <= asked, agreement.id


def test_there_is_no_japan_korea_logistics_agreement(index: AgreementIndex) -> None:
    # ajunews 2011, hankookilbo 2016 and theqoo 2024: an ACSA was discussed, never concluded.
    assert not [
        a.id
        for a in index.agreements
        if {"JPN", "KOR"} <= a.parties and a.kind in ("acsa", "implementing-arrangement")
    ]


def _days(support: SupportIndex, supplier: str, recipient: str) -> list[dt.date]:
    changes = [dt.date.fromordinal(d) for d in support.change_days(supplier, recipient)]
    return [D(1950, 1, 1), *changes]


@cache
def _citable() -> frozenset[str]:
    """Every uid that some question cites first: each pair, on each day an answer may change,
    for every category and situation (answers are constant between those days)."""
    index = reference_index()
    support = index.support()
    pairs = {(s, r) for a in index.agreements for s in a.parties for r in a.parties if s != r}
    cited: set[str] = set()
    for supplier, recipient in sorted(pairs):
        for day in _days(support, supplier, recipient):
            for category in CATEGORY_CODES:
                for situation in SITUATION_CODES:
                    decision = support.decide(supplier, recipient, category, situation, day)
                    if decision.reasons[0].clause_id:
                        cited.add(decision.reasons[0].clause_id)
    return frozenset(cited)


def _all_uids(index: AgreementIndex) -> set[str]:
    uids = {lim.uid for law in index.laws.values() for lim in law.limits}
    for agreement in index.agreements:
        for version in agreement.versions:
            uids |= {c.uid for c in version.clauses} | {e.uid for e in version.exclusions}
    return uids


def _never_in_force(index: AgreementIndex) -> dict[str, set[str]]:
    return {
        a.id: {
            u
            for v in a.versions
            for u in (*(c.uid for c in v.clauses), *(e.uid for e in v.exclusions))
        }
        for a in index.agreements
        if a.in_force is None
    }


def test_every_citable_clause_has_a_row(index: AgreementIndex, support: SupportIndex) -> None:
    seen = {support.decide(*r[:5]).reasons[0].clause_id for r in ROWS} - {None}
    missing = _citable() - seen
    assert not missing, f"clauses and exclusions without a row in the table: {sorted(missing)}"
    unexplained = _all_uids(index) - _citable() - SHADOWED
    unexplained -= {u for uids in _never_in_force(index).values() for u in uids}
    assert not unexplained, f"clauses no question can cite: {sorted(unexplained)}"


def test_agreements_never_in_force_have_not_in_force_rows(index: AgreementIndex) -> None:
    rows = {r.cites for r in ROWS if r.code == NOT_IN_FORCE}
    assert set(_never_in_force(index)) == {"jpn-nzl-acsa-2025", "jpn-phl-acsa-2026"}
    assert set(_never_in_force(index)) <= rows


def _law_limited(laws: dict[str, CompiledLaw], nation: str) -> frozenset[str]:
    law = laws.get(nation)
    return frozenset(c for lim in law.limits for c in lim.categories) if law else frozenset()


def _shadowed(agreement: CompiledAgreement, laws: dict[str, CompiledLaw]) -> set[str]:
    shadowed = set()
    for version in agreement.versions:
        for exclusion in version.exclusions:
            suppliers = [exclusion.supplier] if exclusion.supplier else sorted(agreement.parties)
            reachable = any(
                exclusion.categories - _law_limited(laws, supplier)
                for supplier in suppliers
                for clause in version.clauses
                if exclusion.situations is None or exclusion.situations & clause.situations
            )
            if not reachable:
                shadowed.add(exclusion.uid)
    return shadowed


def test_shadowed_exclusions_are_shadowed(index: AgreementIndex) -> None:
    structural = set().union(*(_shadowed(a, index.laws) for a in index.agreements))
    assert structural == SHADOWED
    assert not SHADOWED & _citable()


def test_weapons_are_never_permitted_from_japan(
    index: AgreementIndex, support: SupportIndex
) -> None:
    partners = {n for a in index.agreements if "JPN" in a.parties for n in a.parties} - {"JPN"}
    for partner in sorted(partners):
        for day in _days(support, "JPN", partner):
            for situation in SITUATION_CODES:
                decision = support.decide("JPN", partner, "weapons", situation, day)
                assert not decision.allowed, (partner, situation, day)


def test_an_agreement_silent_on_a_situation_is_no_reason_when_another_covers_it(
    support: SupportIndex,
) -> None:
    # Since 2012 the US–ROK standard implementing arrangement (PKO and HA/DR only) is in force
    # beside the MLSA, which covers exercises; a denial of weapons in an exercise is the MLSA's.
    decision = support.decide("KOR", "USA", "weapons", "exercise", D(2013, 1, 1))
    assert [r.code for r in decision.reasons] == ["category-excluded"]
    assert decision.reasons[0].clause_id == f"{MLSA}/2004/art-3-weapons"
