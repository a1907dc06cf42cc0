"""The compiled agreement index, cached on disk between command-line calls.

Loading and validating the YAML files costs far more than a decision, so the compiled form
(plain dataclasses, see `compiled.py`) is pickled under the user's cache folder. The cache key
covers Accord's version and every agreement file's path, size and modification time: editing,
adding or removing a file gives a new key, and the stale entry is simply never read again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from accord import __version__
from accord.agreements.compiled import CompiledAgreement, CompiledLaw
from accord.agreements.decisions import SupportIndex
from accord.agreements.files import agreement_files, search_path

if TYPE_CHECKING:
    from accord.agreements.loader import AgreementSet

_FORMAT = 1  # bump when the compiled dataclasses change shape


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


def cache_dir() -> Path:
    base = os.environ.get("ACCORD_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "accord" if base else Path.home() / ".cache" / "accord"


def _cache_key(files: list[Path]) -> str:
    digest = hashlib.sha256(f"{__version__}:{_FORMAT}".encode())
    for path in files:
        stat = path.stat()
        digest.update(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def load_index(folders: list[Path] | None = None) -> AgreementIndex:
    """The compiled index of the agreement files in `folders` (default: the search path)."""
    files = agreement_files(search_path() if folders is None else folders)
    path = cache_dir() / f"index-{_cache_key(files)}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, AgreementIndex):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # no cache yet, or an unreadable one: compile afresh
    from accord.agreements.loader import load

    index = compile_set(load(files))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass  # a read-only home still answers, only without the cache
    return index
