"""Compiled forms of the agreement files, pickled between command-line calls.

Loading and validating the YAML files costs far more than a decision, so each compiled form
(plain dataclasses) is pickled under the user's cache folder. The cache key covers Accord's
version, the compiled form's name and format, and every agreement file's path, size and
modification time: editing, adding or removing a file gives a new key, and the stale entry is
simply never read again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from accord import __version__
from accord.agreements.files import agreement_files, search_path

T = TypeVar("T")


def cache_dir() -> Path:
    base = os.environ.get("ACCORD_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "accord" if base else Path.home() / ".cache" / "accord"


def _cache_key(name: str, form: int, files: list[Path]) -> str:
    digest = hashlib.sha256(f"{name}:{__version__}:{form}".encode())
    for path in files:
        stat = path.stat()
        digest.update(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def cached(
    name: str,
    form: int,
    kind: type[T],
    build: Callable[[list[Path]], T],
    folders: list[Path] | None = None,
) -> T:
    """The compiled form `name` (of shape version `form`) of the agreement files in `folders`
    (default: the search path): read from the cache, or built by `build(files)` and cached."""
    files = agreement_files(search_path() if folders is None else folders)
    path = cache_dir() / f"{name}-{_cache_key(name, form, files)}.pickle"
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
        if isinstance(stored, kind):
            return stored
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # no cache yet, or an unreadable one: compile afresh
    built = build(files)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass  # a read-only home still answers, only without the cache
    return built
