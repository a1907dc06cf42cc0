"""The compiled agreement index (see `compiled.py`), cached on disk by `cache.py`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from accord.agreements.cache import cached
from accord.agreements.compiled import CompiledAgreement, CompiledLaw
from accord.agreements.decisions import SupportIndex

if TYPE_CHECKING:
    from accord.agreements.loader import AgreementSet

_FORMAT = 2  # bump when the compiled dataclasses change shape


@dataclass(frozen=True)
class AgreementIndex:
    agreements: tuple[CompiledAgreement, ...]
    laws: dict[str, CompiledLaw]
    nations: frozenset[str]  # every ISO 3166-1 alpha-3 code, so a cold start needs no pycountry

    def support(self) -> SupportIndex:
        return SupportIndex(self.agreements, self.laws)


def compile_set(agreement_set: AgreementSet) -> AgreementIndex:
    from accord.agreements.compiled import compile_agreement, compile_law
    from accord.vocabulary import all_nation_codes

    return AgreementIndex(
        agreements=tuple(compile_agreement(a) for a in agreement_set.agreements),
        laws={law.nation: compile_law(law) for law in agreement_set.laws},
        nations=all_nation_codes(),
    )


def load_index(folders: list[Path] | None = None) -> AgreementIndex:
    """The compiled index of the agreement files in `folders` (default: the search path)."""

    def build(files: list[Path]) -> AgreementIndex:
        from accord.agreements.loader import load

        return compile_set(load(files))

    return cached("index", _FORMAT, AgreementIndex, build, folders)
