"""Accord's shared vocabulary: nations, support categories, situations, levels and topics.

Codes are the ones in the command-line contract; they are accepted case-insensitively and
printed as written here. Labels come in English, Korean and Japanese for the pages and reports.
This module stays import-light (no pydantic, no pycountry at import time) because every
command-line call goes through it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from accord.errors import BadInput


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    en: str
    ko: str
    ja: str


# 10 U.S.C. 2350(1) and the annexes of Japan's ACSAs.
CATEGORIES: tuple[Term, ...] = (
    Term("food", "food, meals, cooking equipment", "식량", "食料"),
    Term("water", "water", "물", "水"),
    Term("billeting", "lodging", "숙영", "宿泊"),
    Term("transportation", "transportation, including airlift", "수송", "輸送（空輸を含む）"),
    Term("fuel", "petroleum, oils and lubricants (POL)", "유류", "燃料・油脂・潤滑油"),
    Term("clothing", "clothing", "피복", "被服"),
    Term("communications", "communications services", "통신", "通信業務"),
    Term("medical", "medical services", "의료", "衛生業務"),
    Term("ammunition", "ammunition", "탄약", "弾薬"),
    Term("base-support", "base operations support", "기지 지원", "基地支援"),
    Term("storage", "storage services", "저장", "保管"),
    Term("facilities", "use of facilities", "시설 사용", "施設の利用"),
    Term("training", "training services", "훈련 지원", "訓練業務"),
    Term("spare-parts", "spare parts and components", "부품", "部品・構成品"),
    Term("repair-maintenance", "repair and maintenance services", "수리·정비", "修理・整備"),
    Term("calibration", "calibration services", "교정", "較正"),
    Term("port-services", "airport and seaport services", "공항·항만 지원", "空港・港湾業務"),
    Term(
        "equipment-use",
        "temporary use of non-lethal equipment",
        "비살상 장비 임시 사용",
        "非致死性装備品の一時的使用",
    ),
    Term("weapons", "weapons and weapon systems", "무기", "武器"),
)

SITUATIONS: tuple[Term, ...] = (
    Term("exercise", "training and exercises", "연합 훈련", "共同訓練"),
    Term("pko", "UN peacekeeping operations", "유엔 평화유지활동", "国連平和維持活動"),
    Term(
        "international-relief",
        "humanitarian international relief",
        "국제 인도 지원",
        "人道的な国際救援活動",
    ),
    Term(
        "large-disaster", "large-scale disaster response", "대규모 재해 대응", "大規模災害への対処"
    ),
    Term(
        "evacuation",
        "protection and transport of nationals abroad",
        "재외국민 보호·수송",
        "在外邦人等の保護措置・輸送",
    ),
    Term("routine", "other peacetime activities", "기타 평시 활동", "その他の平時の活動"),
    Term("areas-surrounding", "situations in areas surrounding Japan", "주변사태", "周辺事態"),
    Term("important-influence", "important-influence situations", "중요영향사태", "重要影響事態"),
    Term("survival-threatening", "survival-threatening situations", "존립위기사태", "存立危機事態"),
    Term("armed-attack", "armed-attack situations", "무력공격사태", "武力攻撃事態等"),
    Term(
        "international-peace",
        "international peace joint response",
        "국제평화공동대처사태",
        "国際平和共同対処事態",
    ),
    Term(
        "coordinated-peace-ops",
        "internationally coordinated peace operations",
        "국제연계평화안전활동",
        "国際連携平和安全活動",
    ),
    Term("contingency", "contingency operations", "우발 작전", "緊急事態作戦"),
)

CATEGORY_CODES: tuple[str, ...] = tuple(t.code for t in CATEGORIES)
SITUATION_CODES: tuple[str, ...] = tuple(t.code for t in SITUATIONS)

TOPICS: tuple[str, ...] = ("nk-nuclear", "nk-missile", "other")

AGREEMENT_KINDS: tuple[str, ...] = (
    "acsa",
    "gsomia",
    "information-sharing-arrangement",
    "implementing-arrangement",
)
LOGISTICS_KINDS = frozenset({"acsa", "implementing-arrangement"})
INFORMATION_KINDS = frozenset({"gsomia", "information-sharing-arrangement"})


def _choose(kind: str, value: str, accepted: tuple[str, ...]) -> str:
    code = value.strip().lower()
    if code not in accepted:
        raise BadInput(f"unknown {kind} {value!r}; accepted: {', '.join(accepted)}")
    return code


def category(value: str) -> str:
    return _choose("category", value, CATEGORY_CODES)


def situation(value: str) -> str:
    return _choose("situation", value, SITUATION_CODES)


def topic(value: str) -> str:
    return _choose("topic", value, TOPICS)


def agreement_kind(value: str) -> str:
    return _choose("agreement kind", value, AGREEMENT_KINDS)


@cache
def _iso_alpha3() -> frozenset[str]:
    import pycountry  # loaded only when a nation code has to be checked against ISO 3166

    return frozenset(c.alpha_3 for c in pycountry.countries)


def nation(value: str, known: frozenset[str] | None = None) -> str:
    """An ISO 3166-1 alpha-3 code, upper-cased; `known` may pass a precomputed code set."""
    code = value.strip().upper()
    codes = known if known is not None else _iso_alpha3()
    if code not in codes:
        raise BadInput(
            f"unknown nation {value!r}; accepted: ISO 3166-1 alpha-3 codes such as "
            "USA, JPN, KOR, AUS, GBR, CAN, FRA, IND, DEU, ITA, NZL, PHL"
        )
    return code


def all_nation_codes() -> frozenset[str]:
    return _iso_alpha3()


def nation_name(code: str, lang: str = "en") -> str:
    """The nation's name in English, Korean or Japanese (pycountry's ISO 3166 translations)."""
    import gettext

    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    name = str(getattr(country, "common_name", None) or country.name)
    if lang == "en":
        return name
    translation = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
    )
    return translation.gettext(name)


# The days a date given to Accord may name. The agreements, clocks and reports count years
# and months back and forth from a date (a fiscal year before it, an ageing bucket a year
# back, a settlement due 18 months on), which Python's calendar cannot do near its ends
# (years 1 and 9999); no support under these agreements is dated outside this span.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def parse_date(value: str, option: str = "--on") -> dt.date:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"malformed date {value!r} for {option}; accepted: an ISO 8601 date YYYY-MM-DD"
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput(
            f"date {day} for {option} is out of range; accepted: {FIRST_DAY} to {LAST_DAY}"
        )
    return day
