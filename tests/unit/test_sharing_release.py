"""Release decisions and classification equivalents over the shipped information agreements
(issue 3). Each row cites the article or source that makes the rule; dates are tested on both
sides of each boundary."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from accord.errors import BadInput
from accord.sharing.equivalence import translate
from accord.sharing.index import SharingIndex, build
from accord.sharing.release import ReleaseDecision, evaluate_release
from accord.sharing.schemes import LEVELS, level_for, marking

TISA = "jpn-kor-usa-tisa-2014"
JK = "jpn-kor-gsomia-2016"
UJ = "jpn-usa-gsomia-2007"
UK = "kor-usa-gsomia-1987"


@cache
def index() -> SharingIndex:
    return build()


def ask(
    holder: str,
    recipient: str,
    level: str,
    topic: str,
    on: str,
    originator: str | None = None,
    consent: bool = False,
) -> ReleaseDecision:
    origin = originator or holder
    return index().release.decide(
        holder,
        recipient,
        level_for(level, origin),
        topic,
        origin,
        consent,
        dt.date.fromisoformat(on),
    )


def codes(decision: ReleaseDecision) -> list[str]:
    return [r.code for r in decision.reasons]


# (holder, recipient, level, topic, date, originator, consent) -> (allowed, first reason code,
# agreement of the first reason, routes, recipient's marking); the last column cites the rule.
CASES = [
    # TISA took effect on 29 December 2014 (MND release; JoongAng: in effect when the signed
    # copies reached the US). Before: no agreement, no route.
    (
        ("KOR", "JPN", "KOR-II", "nk-missile", "2014-12-28"),
        (False, "no-agreement", None, [], None),
        "TISA not yet in effect: https://haebyeong.com/mnddata/497836",
    ),
    (
        ("KOR", "JPN", "KOR-II", "nk-missile", "2014-12-29"),
        (False, "route-required", TISA, [("KOR", "USA", "JPN")], None),
        "TISA para 4: Korea and Japan share through the US DoD",
    ),
    (
        ("KOR", "JPN", "KOR-II", "nk-missile", "2015-06-01"),
        (False, "route-required", TISA, [("KOR", "USA", "JPN")], None),
        "TISA para 4",
    ),
    (
        ("JPN", "KOR", "JPN-GOKUHI", "nk-nuclear", "2015-06-01"),
        (False, "route-required", TISA, [("JPN", "USA", "KOR")], None),
        "TISA para 4, Japan's information reaches Korea through the US",
    ),
    # TISA para 1: only North Korea's nuclear and missile threats.
    (
        ("KOR", "JPN", "KOR-II", "other", "2015-06-01"),
        (False, "no-agreement", None, [], None),
        "TISA para 1 scope; MND: limited to NK nuclear and missile threats",
    ),
    # Japan–Korea GSOMIA in force 23 November 2016 (Art. 21(1)); Art. 4(2) table.
    (
        ("KOR", "JPN", "KOR-II", "nk-missile", "2016-11-22"),
        (False, "route-required", TISA, [("KOR", "USA", "JPN")], None),
        "GSOMIA not yet signed",
    ),
    (
        ("KOR", "JPN", "KOR-II", "nk-missile", "2016-11-23"),
        (True, "permitted", JK, [], "JPN-GOKUHI"),
        "GSOMIA Art. 4(2): 군사Ⅱ급비밀 = SECRET = 極秘",
    ),
    (
        ("KOR", "JPN", "KOR-II", "nk-missile", "2017-01-01"),
        (True, "permitted", JK, [], "JPN-GOKUHI"),
        "GSOMIA Art. 4(2)",
    ),
    (
        ("KOR", "JPN", "KOR-III", "other", "2017-01-01"),
        (True, "permitted", JK, [], "JPN-HI"),
        "GSOMIA Art. 4(2): 군사Ⅲ급비밀 = CONFIDENTIAL = 秘; any topic",
    ),
    (
        ("JPN", "KOR", "JPN-TOKUTEI", "other", "2017-01-01"),
        (True, "permitted", JK, [], "KOR-II"),
        "GSOMIA Art. 4(2): 特定秘密 = SECRET = 군사Ⅱ급비밀",
    ),
    # Korea's 2019 notice would have ended it on 2019-11-23; suspended on 2019-11-22, both notes
    # withdrawn on 2023-03-21: in force throughout.
    (
        ("KOR", "JPN", "KOR-II", "other", "2019-11-22"),
        (True, "permitted", JK, [], "JPN-GOKUHI"),
        "suspension: https://m-en.yna.co.kr/view/AEN20191122008800315",
    ),
    (
        ("KOR", "JPN", "KOR-II", "other", "2019-11-23"),
        (True, "permitted", JK, [], "JPN-GOKUHI"),
        "the notice never took effect",
    ),
    (
        ("KOR", "JPN", "KOR-II", "other", "2023-03-20"),
        (True, "permitted", JK, [], "JPN-GOKUHI"),
        "before the withdrawal",
    ),
    (
        ("KOR", "JPN", "KOR-II", "other", "2023-03-21"),
        (True, "permitted", JK, [], "JPN-GOKUHI"),
        "withdrawal: https://www.koreaherald.com/view.php?ud=20230321000576",
    ),
    # Korea's Ⅰ급 is never shared with another country (JoongAng, 2016-11-23).
    (
        ("KOR", "USA", "KOR-I", "nk-missile", "2015-06-01"),
        (False, "level-not-covered", None, [], None),
        "https://japanese.joins.com/JArticle/222855",
    ),
    (
        ("KOR", "JPN", "KOR-I", "nk-missile", "2017-01-01"),
        (False, "level-not-covered", None, [], None),
        "GSOMIA Art. 4(2) has no row for Ⅰ급",
    ),
    (
        ("KOR", "JPN", "top-secret", "other", "2020-01-01"),
        (False, "level-not-covered", None, [], None),
        "top-secret from KOR is KOR-I",
    ),
    # US–Japan GSOMIA, signed and in force 10 August 2007.
    (
        ("USA", "JPN", "SECRET", "other", "2007-08-09"),
        (False, "no-agreement", None, [], None),
        "before the US–Japan GSOMIA",
    ),
    (
        ("USA", "JPN", "SECRET", "other", "2007-08-10"),
        (True, "permitted", UJ, [], "JPN-GOKUHI"),
        "US–Japan GSOMIA (2007), Japan Times 2007-08-11",
    ),
    # 特定秘密 exists from 2014-12-10 (Act No. 108 of 2013).
    (
        ("JPN", "USA", "JPN-TOKUTEI", "other", "2014-12-09"),
        (False, "level-not-covered", None, [], None),
        "https://www.japaneselawtranslation.go.jp/ja/laws/view/2543",
    ),
    (
        ("JPN", "USA", "JPN-TOKUTEI", "other", "2014-12-10"),
        (True, "permitted", UJ, [], "TOP-SECRET"),
        "US–Japan GSOMIA equivalents (uncertain, see the agreement file)",
    ),
    # US–ROK security agreement, signed 24 September 1987 (TISA para 3).
    (
        ("USA", "KOR", "SECRET", "other", "1987-09-23"),
        (False, "no-agreement", None, [], None),
        "before the 1987 agreement",
    ),
    (
        ("USA", "KOR", "SECRET", "other", "1987-09-24"),
        (True, "permitted", UK, [], "KOR-II"),
        "1987 agreement Art. 3",
    ),
    (
        ("KOR", "USA", "KOR-III", "nk-nuclear", "2000-01-01"),
        (True, "permitted", UK, [], "CONFIDENTIAL"),
        "1987 agreement Art. 3",
    ),
]


@pytest.mark.parametrize(("question", "expected", "source"), CASES)
def test_release_table(
    question: tuple[str, str, str, str, str],
    expected: tuple[bool, str, str | None, list[tuple[str, ...]], str | None],
    source: str,
) -> None:
    allowed, first, agreement, routes, received = expected
    decision = ask(*question)
    assert decision.allowed is allowed, (source, codes(decision))
    assert decision.reasons[0].code == first, (source, codes(decision))
    assert decision.reasons[0].agreement == agreement, source
    assert list(decision.routes) == routes, source
    assert decision.marking == received, source
    if allowed:
        assert decision.reasons[0].clause and decision.reasons[0].sources, source


def test_the_2015_route_carries_the_markings_of_each_hop() -> None:
    decision = ask("KOR", "JPN", "KOR-II", "nk-missile", "2015-06-01")
    assert decision.route_markings == (("KOR-II", "SECRET", "JPN-GOKUHI"),)
    assert codes(decision) == ["route-required", "no-agreement"]
    message = decision.reasons[0].message
    assert "approval" in message and "US–ROK Security Agreement (1987)" in message


def test_2014_12_28_names_tisa_as_not_yet_in_force() -> None:
    decision = ask("KOR", "JPN", "KOR-II", "nk-missile", "2014-12-28")
    assert codes(decision) == ["no-agreement", "not-in-force"]
    assert decision.reasons[1].agreement == TISA
    assert "2014-12-29" in decision.reasons[1].message


def test_outside_tisa_scope_says_so() -> None:
    decision = ask("KOR", "JPN", "KOR-II", "other", "2015-06-01")
    assert codes(decision) == ["no-agreement", "outside-scope"]
    assert decision.reasons[1].agreement == TISA


# Onward releases need the originator's prior written consent: TISA (Korea's approval before
# the US forwards, https://kukinews.com/article/view/kuk201412260072) and the Japan–Korea
# GSOMIA Art. 6 (http://www.mofa.go.kr/eng/brd/m_5676/view.do?seq=311283).
def test_the_us_forwards_korean_information_to_japan_only_with_korean_consent() -> None:
    without = ask("USA", "JPN", "KOR-II", "nk-missile", "2015-06-01", originator="KOR")
    assert not without.allowed
    assert codes(without) == ["originator-consent-required"]
    assert without.reasons[0].agreement == TISA
    with_consent = ask(
        "USA", "JPN", "KOR-II", "nk-missile", "2015-06-01", originator="KOR", consent=True
    )
    assert with_consent.allowed
    assert with_consent.reasons[0].code == "permitted"
    assert with_consent.reasons[0].agreement == TISA
    assert with_consent.marking == "JPN-GOKUHI"


def test_japan_passing_korean_information_to_the_us_needs_korean_consent() -> None:
    without = ask("JPN", "USA", "KOR-II", "other", "2018-06-01", originator="KOR")
    assert codes(without) == ["originator-consent-required"]
    assert without.reasons[0].agreement == JK and without.reasons[0].clause == "Art. 6"
    granted = ask("JPN", "USA", "KOR-II", "other", "2018-06-01", originator="KOR", consent=True)
    assert granted.allowed and granted.reasons[0].agreement == UJ
    assert granted.marking == "SECRET"


def test_returning_information_to_its_originator_needs_no_consent() -> None:
    decision = ask("USA", "KOR", "KOR-II", "other", "2015-06-01", originator="KOR")
    assert decision.allowed and decision.marking == "KOR-II"


def test_no_route_for_an_onward_release_without_consent() -> None:
    # Korea holds US information: even through the US itself, passing it on to Japan needs the
    # US's consent (the hub then decides to release it again).
    decision = ask("KOR", "JPN", "SECRET", "nk-missile", "2015-06-01", originator="USA")
    assert not decision.allowed and decision.routes == ()
    assert "originator-consent-required" in codes(decision)
    consented = ask(
        "KOR", "JPN", "SECRET", "nk-missile", "2015-06-01", originator="USA", consent=True
    )
    assert consented.routes == (("KOR", "USA", "JPN"),)
    assert consented.route_markings == (("SECRET", "SECRET", "JPN-GOKUHI"),)


def test_the_rule_and_the_index_agree_on_the_table() -> None:
    for question, _, _ in CASES:
        holder, recipient, level, topic, on = question
        direct = evaluate_release(
            index().agreements,
            holder,
            recipient,
            level_for(level, holder),
            topic,
            holder,
            False,
            dt.date.fromisoformat(on).toordinal(),
        )
        assert direct == ask(*question)


# Classification equivalents (`labels translate`).
TRANSLATIONS = [
    ("KOR-II", "JPN", "2017-01-01", "JPN-GOKUHI", JK, "GSOMIA Art. 4(2)"),
    ("KOR-III", "JPN", "2017-01-01", "JPN-HI", JK, "GSOMIA Art. 4(2)"),
    ("JPN-GOKUHI", "KOR", "2017-01-01", "KOR-II", JK, "GSOMIA Art. 4(2)"),
    ("JPN-TOKUTEI", "KOR", "2017-01-01", "KOR-II", JK, "GSOMIA Art. 4(2)"),
    ("JPN-HI", "KOR", "2017-01-01", "KOR-III", JK, "GSOMIA Art. 4(2)"),
    ("KOR-II", "JPN", "2015-06-01", "JPN-GOKUHI", TISA, "TISA: through the US equivalents"),
    ("KOR-II", "JPN", "2014-12-28", None, None, "no agreement yet"),
    ("KOR-I", "USA", "2017-01-01", None, None, "Ⅰ급 never shared"),
    ("KOR-I", "JPN", "2017-01-01", None, None, "Ⅰ급 never shared"),
    ("SECRET", "KOR", "2017-01-01", "KOR-II", UK, "1987 agreement Art. 3"),
    ("TOP-SECRET", "KOR", "2017-01-01", "KOR-I", UK, "1987 agreement, working equivalence"),
    ("SECRET", "JPN", "2010-01-01", "JPN-GOKUHI", UJ, "US–Japan GSOMIA"),
    ("TOP-SECRET", "JPN", "2010-01-01", None, UJ, "no 特定秘密 before 2014-12-10"),
    ("TOP-SECRET", "JPN", "2015-01-01", "JPN-TOKUTEI", UJ, "特定秘密 from 2014-12-10"),
]


@pytest.mark.parametrize(("level", "to", "on", "expected", "agreement", "source"), TRANSLATIONS)
def test_translate_table(
    level: str, to: str, on: str, expected: str | None, agreement: str | None, source: str
) -> None:
    result = translate(
        index().agreements, marking(level), to, dt.date.fromisoformat(on).toordinal()
    )
    assert result.marking == expected, source
    assert result.agreement == agreement, source
    assert result.reasons, source
    if expected is None:
        assert result.reasons[0].code != "permitted"


def test_translate_through_the_hub_names_the_route() -> None:
    result = translate(
        index().agreements, marking("KOR-II"), "JPN", dt.date(2015, 6, 1).toordinal()
    )
    assert result.route == ("KOR", "USA", "JPN")


def test_levels_are_read_in_the_originators_scheme() -> None:
    assert level_for("secret", "KOR").code == "KOR-II"
    assert level_for("SECRET", "USA").code == "SECRET"
    assert level_for("Confidential", "JPN").code == "JPN-HI"
    assert level_for("kor-ii", "KOR") is LEVELS["KOR-II"]
    with pytest.raises(BadInput, match="JPN-HI belongs to JPN's scheme"):
        level_for("JPN-HI", "KOR")
    with pytest.raises(BadInput, match="unknown marking 'KOR-IV'"):
        level_for("KOR-IV", "KOR")
