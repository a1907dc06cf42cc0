"""Where agreement files are found.

The shipped reference set lives in `accord/agreements/reference/`; users add folders of their
own with `ACCORD_AGREEMENTS_PATH` (folders separated by `:`), read after the reference set. An
agreement in a user folder with the id of a shipped one replaces it; so does a national-law file
for the same nation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from accord.errors import InvalidAgreementFile

REFERENCE_DIR = Path(__file__).parent / "reference"
PATH_VARIABLE = "ACCORD_AGREEMENTS_PATH"


def search_path() -> list[Path]:
    extra = os.environ.get(PATH_VARIABLE, "")
    return [REFERENCE_DIR, *(Path(p) for p in extra.split(os.pathsep) if p)]


def agreement_files(folders: Iterable[Path]) -> list[Path]:
    """The .yaml files in `folders` (a file stands for itself), in a stable order."""
    files: list[Path] = []
    for folder in folders:
        if folder.is_file():
            files.append(folder)
        elif folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*.yaml") if p.is_file()))
        else:
            raise InvalidAgreementFile([f"{folder}: no such file or folder"])
    return files
