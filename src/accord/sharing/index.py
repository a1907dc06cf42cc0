"""The compiled information agreements, cached on disk beside the support index.

Same approach as `accord.agreements.index`: the compiled form (plain dataclasses) is pickled in
the user's cache folder under a key that covers Accord's version, this module's format and every
agreement file's path, size and modification time. A warm `accord check release --json` reads
one pickle and imports neither pydantic nor YAML.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from accord import __version__
from accord.agreements.files import agreement_files, search_path
from accord.agreements.index import cache_dir
from accord.sharing.compiled import InfoAgreement
from accord.sharing.release import ReleaseIndex

_FORMAT = 1  # bump when the compiled dataclasses of sharing/compiled.py change shape


@dataclass(frozen=True)
class SharingIndex:
    agreements: tuple[InfoAgreement, ...]
    nations: frozenset[str]  # every ISO 3166-1 alpha-3 code, so a cold start needs no pycountry
    release: ReleaseIndex


def _cache_key(files: list[Path]) -> str:
    digest = hashlib.sha256(f"sharing:{__version__}:{_FORMAT}".encode())
    for path in files:
        stat = path.stat()
        digest.update(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def build(folders: list[Path] | None = None) -> SharingIndex:
    from accord.agreements.loader import load
    from accord.sharing.compiled import compile_all
    from accord.vocabulary import all_nation_codes

    agreements = compile_all(load(folders).agreements)
    return SharingIndex(agreements, all_nation_codes(), ReleaseIndex(agreements))


def load_sharing_index(folders: list[Path] | None = None) -> SharingIndex:
    """The compiled information agreements in `folders` (default: the search path)."""
    files = agreement_files(search_path() if folders is None else folders)
    path = cache_dir() / f"sharing-{_cache_key(files)}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, SharingIndex):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # no cache yet, or an unreadable one: compile afresh
    index = build(files)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass  # a read-only home still answers, only without the cache
    return index
