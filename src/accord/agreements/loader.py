"""Reading agreement and national-law files, with errors that name FILE:LINE and the field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from accord.agreements.files import agreement_files, search_path
from accord.agreements.schema import Agreement, NationalLaw
from accord.errors import InvalidAgreementFile

try:  # libyaml is much faster where present; the pure-Python loader gives the same nodes
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Leaves dates as text, so that pydantic reports a bad one (2015-02-30) as a field error
    with its line instead of YAML raising while it reads the file."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class AgreementSet:
    agreements: tuple[Agreement, ...]
    laws: tuple[NationalLaw, ...]
    files: tuple[Path, ...]

    def by_id(self) -> dict[str, Agreement]:
        return {a.id: a for a in self.agreements}


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the deepest node that `loc` (a pydantic error path) reaches."""
    line = node.start_mark.line + 1
    for key in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    child = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(key, int)
            and 0 <= key < len(node.value)
        ):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _describe(error: Any) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    elif error["type"] == "missing":
        message = "missing required field"
    return f"{loc}: {message}" if loc else message


def parse_file(path: Path) -> Agreement | NationalLaw:
    """One file, validated; raises InvalidAgreementFile with every problem in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidAgreementFile([f"{path}:1: cannot read: {exc}"]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise InvalidAgreementFile([f"{path}:{line}: not valid YAML: {exc.problem}"]) from None
    if not isinstance(node, yaml.MappingNode):
        raise InvalidAgreementFile([f"{path}:1: expected a mapping of agreement fields"])
    data = yaml.load(text, Loader=_Loader)
    model: type[Agreement] | type[NationalLaw] = (
        NationalLaw if data.get("kind") == "national-law" else Agreement
    )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}:{_line_of(node, tuple(err['loc']))}: {_describe(err)}" for err in exc.errors()
        ]
        raise InvalidAgreementFile(problems) from None


def _check_references(agreements: dict[str, Agreement], origin: dict[str, Path]) -> Iterator[str]:
    for agreement in agreements.values():
        for field in ("implements", "replaces"):
            target = getattr(agreement, field)
            if target and target not in agreements:
                yield f"{origin[agreement.id]}:1: {field}: unknown agreement id {target!r}"


def load(folders: Iterable[Path] | None = None) -> AgreementSet:
    """Every agreement and law file in `folders` (default: the search path), validated as a set."""
    files = agreement_files(search_path() if folders is None else folders)
    problems: list[str] = []
    agreements: dict[str, Agreement] = {}
    laws: dict[str, NationalLaw] = {}
    origin: dict[str, Path] = {}
    for path in files:
        try:
            item = parse_file(path)
        except InvalidAgreementFile as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(item, NationalLaw):
            laws[item.nation] = item
        else:
            agreements[item.id] = item
            origin[item.id] = path
    problems.extend(_check_references(agreements, origin))
    if problems:
        raise InvalidAgreementFile(problems)
    return AgreementSet(tuple(agreements.values()), tuple(laws.values()), tuple(files))
