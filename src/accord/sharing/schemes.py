"""National classification schemes, as data, in the spirit of the Open XML SPIF.

Each scheme is one nation's security policy: its levels with a hierarchy (rank, higher is more
sensitive), the marking code Accord uses (CONTRACT.md), the marking in the nation's own script,
and the English equivalent national practice gives it. The equivalents that decide a release
are not these nominal ones but the tables of the agreements (see `compiled.py`): the
Japan–Korea GSOMIA, for one, puts both 極秘 and 特定秘密 at SECRET.

Pure data and a parser; import-light, because every `accord check release` reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accord.errors import BadInput

# English equivalents, highest first (CONTRACT.md: `top-secret`, `secret`, `confidential`).
ENGLISH: tuple[str, ...] = ("top-secret", "secret", "confidential")
ENGLISH_RANK = {"top-secret": 3, "secret": 2, "confidential": 1}


@dataclass(frozen=True, slots=True)
class Level:
    code: str  # the marking as Accord prints it: KOR-II, JPN-GOKUHI, SECRET
    nation: str
    rank: int  # SPIF `hierarchy` within the nation's scheme: higher is more sensitive
    native: str  # the marking in the nation's own script
    english: str  # the nominal English equivalent in national practice
    known_from: int = 0  # ordinal of the first day the marking existed (0: always, for Accord)
    never_released: bool = False  # national policy: never given to another country
    note: str = ""


@dataclass(frozen=True, slots=True)
class Scheme:
    nation: str
    policy: str  # the STANAG 4774 PolicyIdentifier Accord writes in labels

    @property
    def policy_uri(self) -> str:
        return f"urn:accord:policy:{self.nation.lower()}"

    title: str
    levels: tuple[Level, ...]  # highest first
    sources: tuple[str, ...]
    never_released_sources: tuple[str, ...] = ()

    def by_english(self, english: str) -> Level:
        """The nation's level that national practice gives this English equivalent: the
        highest such (JPN has one per English level, so this is unambiguous for the shipped
        schemes)."""
        return next(level for level in self.levels if level.english == english)


_TOKUTEI_FROM = dt.date(2014, 12, 10).toordinal()

SCHEMES: dict[str, Scheme] = {
    "USA": Scheme(
        nation="USA",
        policy="US EO 13526",
        title="Executive Order 13526, Classified National Security Information",
        levels=(
            Level("TOP-SECRET", "USA", 3, "TOP SECRET", "top-secret"),
            Level("SECRET", "USA", 2, "SECRET", "secret"),
            Level("CONFIDENTIAL", "USA", 1, "CONFIDENTIAL", "confidential"),
        ),
        sources=(
            "https://sgp.fas.org/library/quist2/chap_7.html",
            "https://www.rcfp.org/journals/the-news-media-and-the-law-winter-2007/how-secret-top-secret/",
        ),
    ),
    "KOR": Scheme(
        nation="KOR",
        policy="ROK Military Secret Protection Act",
        title="군사기밀보호법 시행령 제3조 (Enforcement Decree of the Military Secret Protection Act, Art. 3)",
        levels=(
            Level(
                "KOR-I",
                "KOR",
                3,
                "군사Ⅰ급비밀",
                "top-secret",
                never_released=True,
                note="Korea's Ⅰ급 secrets are never shared with another country in any case.",
            ),
            Level("KOR-II", "KOR", 2, "군사Ⅱ급비밀", "secret"),
            Level("KOR-III", "KOR", 1, "군사Ⅲ급비밀", "confidential"),
        ),
        sources=("https://ko.wikisource.org/wiki/대한민국_군사기밀_보호법_시행령",),
        never_released_sources=(
            "https://japanese.joins.com/JArticle/222855?servcode=A00&sectcode=A10",
        ),
    ),
    "JPN": Scheme(
        nation="JPN",
        policy="Japan MOD",
        title="特定秘密の保護に関する法律 (Act No. 108 of 2013) and the Ministry of Defense's 秘密",
        levels=(
            Level(
                "JPN-TOKUTEI",
                "JPN",
                3,
                "特定秘密",
                "top-secret",
                known_from=_TOKUTEI_FROM,
                note="Specially Designated Secrets exist from 2014-12-10 (Act No. 108 of 2013).",
            ),
            Level("JPN-GOKUHI", "JPN", 2, "極秘", "secret"),
            Level("JPN-HI", "JPN", 1, "秘", "confidential"),
        ),
        sources=(
            "https://www.japaneselawtranslation.go.jp/ja/laws/view/2543",
            "https://ja.wikisource.org/wiki/Page:Japan-Korea_GSOMIA_(Japanese_Text).pdf/3",
        ),
    ),
}


def scheme_by_policy(text: str) -> Scheme | None:
    """The scheme a label's PolicyIdentifier (its name or its URI) names."""
    wanted = text.strip()
    for scheme in SCHEMES.values():
        if wanted in (scheme.policy, scheme.policy_uri):
            return scheme
    return None


LEVELS: dict[str, Level] = {
    level.code: level for scheme in SCHEMES.values() for level in scheme.levels
}
MARKING_CODES: tuple[str, ...] = tuple(LEVELS)


def scheme_of(nation: str) -> Scheme | None:
    return SCHEMES.get(nation)


def marking(value: str) -> Level:
    """A national marking by its code (case-insensitive); BadInput for anything else."""
    code = value.strip().upper()
    level = LEVELS.get(code)
    if level is None:
        raise BadInput(
            f"unknown marking {value!r}; accepted: {', '.join(MARKING_CODES)} "
            f"or {', '.join(ENGLISH)}"
        )
    return level


def level_for(value: str, originator: str) -> Level:
    """`--level` as the contract reads it: an English equivalent (the originator's level at
    that equivalent) or a national marking, which must belong to the originator's scheme."""
    text = value.strip()
    scheme = SCHEMES.get(originator)
    english = text.lower()
    if english in ENGLISH_RANK:
        if scheme is None:
            raise BadInput(
                f"no classification scheme for {originator} in Accord; "
                f"accepted originators: {', '.join(SCHEMES)}"
            )
        return scheme.by_english(english)
    level = marking(text)
    if level.nation != originator:
        own = ", ".join(lv.code for lv in scheme.levels) if scheme else "none"
        raise BadInput(
            f"marking {level.code} belongs to {level.nation}'s scheme, not the originator "
            f"{originator}'s; accepted: {own} or {', '.join(ENGLISH)} "
            f"(or --originator {level.nation})"
        )
    return level


def english(value: str) -> str:
    code = value.strip().lower()
    if code not in ENGLISH_RANK:
        raise BadInput(f"unknown English equivalent {value!r}; accepted: {', '.join(ENGLISH)}")
    return code
