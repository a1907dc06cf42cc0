"""The font that sets Latin, Korean and Japanese text in PDFs and charts: Noto Sans CJK JP
(whose glyphs cover Hangul as well as kana and kanji), shipped on PyPI by the package
`noto-cjk-sans-jp-regular` (SIL Open Font License 1.1). Debian's `fonts-noto-cjk` is used
when that package is missing."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from accord.errors import AccordError

FAMILY = "Noto Sans CJK JP"
SYSTEM = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
)


class FontMissing(AccordError):
    code = "font-missing"
    exit_status = 1


@cache
def cjk_font() -> Path:
    try:
        path = Path(str(resources.files("noto_cjk_sans_jp_regular") / "NotoSansCJKjp-Regular.otf"))
        if path.is_file():
            return path
    except ModuleNotFoundError:
        pass
    for candidate in SYSTEM:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "no font for Korean and Japanese text; install the PyPI package "
        "noto-cjk-sans-jp-regular (or Debian's fonts-noto-cjk)"
    )
