"""The compiled information agreements, cached on disk beside the support index.

Cached by `accord.agreements.cache`, like the support index: a warm `accord check release
--json` reads one pickle and imports neither pydantic nor YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from accord.agreements.cache import cached
from accord.sharing.compiled import InfoAgreement
from accord.sharing.release import ReleaseIndex

_FORMAT = 2  # bump when the compiled dataclasses of sharing/compiled.py change shape


@dataclass(frozen=True)
class SharingIndex:
    agreements: tuple[InfoAgreement, ...]
    nations: frozenset[str]  # every ISO 3166-1 alpha-3 code, so a cold start needs no pycountry
    release: ReleaseIndex


def build(folders: list[Path] | None = None) -> SharingIndex:
    from accord.agreements.loader import load
    from accord.sharing.compiled import compile_all
    from accord.vocabulary import all_nation_codes

    agreements = compile_all(load(folders).agreements)
    return SharingIndex(agreements, all_nation_codes(), ReleaseIndex(agreements))


def load_sharing_index(folders: list[Path] | None = None) -> SharingIndex:
    """The compiled information agreements in `folders` (default: the search path)."""
    return cached("sharing", _FORMAT, SharingIndex, build, folders)
