"""The support rule exported as Cedar policies that give the same allow/deny as Accord.

Request shape
-------------
* principal: the supplier, `Accord::Nation::"JPN"`
* action: `Accord::Action::"provide"`
* resource: the recipient, `Accord::Nation::"KOR"`
* context: `{category: String, situation: String, day: Long}`, where `day` is the date as its
  proleptic Gregorian ordinal (Python's `date.toordinal()`: 0001-01-01 is day 1, 2015-04-13
  is day 735701). Every day number in the policies carries the ISO date in a comment.

How the policies reproduce `evaluate_support`
---------------------------------------------
`evaluate_support` allows exactly when (a) some logistics agreement (`acsa` or
`implementing-arrangement`) between the two nations is in force on the day (an implementing
arrangement only while the agreement it implements is in force too), (b) a clause of that
agreement's effective version covers the situation and lists the category, (c) no exclusion of
*that same version* withholds the category from this supplier in this situation, and (d)
national law denies nothing: neither nation's law has the situation outside the period in
which it knows it, and the supplier's law has no limit on the category.

Cedar allows when some `permit` holds and no `forbid` holds. So:

* One `permit` per clause, `@id` = the clause uid, holding for every ordered pair of distinct
  parties of its agreement, on the days on which its agreement is in force and its version is
  the effective one, when the situation and the category are the clause's. The exclusions of
  the clause's version are folded into that permit as `unless` conditions (one per exclusion,
  with the exclusion's uid in a comment above it), so (b) and (c) become "this permit holds".
* National law, and only national law, becomes `forbid` policies: one per category limit
  (`@id` = the limit uid) and one per situation a law knows for a period
  (`@id` = "<law id>/situation/<code>").

Exclusions are deliberately *not* global `forbid`s. In `evaluate_support` an exclusion only
stops the clauses of its own version, and any permitting clause of any other agreement in force
for the pair on that day still allows (the US–ROK MLSA and its implementing arrangement are in
force together, for example); a global `forbid` would override that other agreement's `permit`
and deny where Accord allows. Folding each exclusion into the permits of its own version makes
the two rules the same: "∃ agreement in force ∃ clause permitting ∧ ¬∃ exclusion of that
version applying ∧ ¬ law denial" is exactly "∃ permit holds ∧ ¬∃ forbid holds". An `unless`
condition whose exclusion cannot apply to the clause (no category or situation in common, or
a supplier that is not a party) is left out; the version's full list of exclusions is in the
comment header of each of its permits.

Windows follow `CompiledAgreement.applies` and `version_on` exactly: the agreement applies on
`applied_from <= day < end` (from `provisionally_applied` if given, else from `in_force`);
version i is the effective one from its `effective` day until the earliest `effective` day of a
later version in the list; an implementing arrangement's window is further cut to the window in
which its parent applies (an arrangement whose parent is not in
the set counts alone, as in `evaluate_support`). All three are intervals, so each permit holds on
a single interval of days. A clause whose interval is empty (its agreement not yet in force, say)
still gets its permit, with `when { false }` and a comment saying why, so that every clause of
every logistics agreement has exactly one policy.

Same-nation questions (`--from JPN --to JPN`) are denied by the policies (`principal !=
resource`); the command line rejects them before deciding.

With `on`, only the policies that can hold on that day are written: the permits whose window
contains it, the law situation forbids whose days-outside-the-known-period contain it, and every
category limit. Their day conditions stay, so the export still answers only for that day.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable

from accord.agreements.compiled import (
    NEVER,
    Clause,
    CompiledAgreement,
    CompiledLaw,
    CompiledVersion,
    Exclusion,
    LawLimit,
    LawSituation,
)
from accord.vocabulary import LOGISTICS_KINDS

NATION = "Accord::Nation"
ACTION = 'Accord::Action::"provide"'
_WIDTH = 100
_INDENT = "  "


def _string(value: str) -> str:
    """A Cedar string literal."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _nation(code: str) -> str:
    return f"{NATION}::{_string(code)}"


def _iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _comment(text: str, indent: str = "") -> list[str]:
    """`text` as `//` comment lines, wrapped at the line width (URLs are never broken)."""
    lines = textwrap.wrap(
        _one_line(text),
        width=_WIDTH - len(indent) - 3,
        break_long_words=False,
        break_on_hyphens=False,
        subsequent_indent="  ",
    )
    return [f"{indent}// {line}" for line in lines or [""]]


def _set(items: Iterable[str], indent: str) -> str:
    """A Cedar set literal of string-or-entity literals, wrapped when long."""
    values = list(items)
    flat = "[" + ", ".join(values) + "]"
    if len(indent) + len(flat) + 30 <= _WIDTH:
        return flat
    lines, current = [], ""
    for value in values:
        candidate = f"{current}, {value}" if current else value
        if current and len(indent) + len(_INDENT) + len(candidate) + 1 > _WIDTH:
            lines.append(current + ",")
            current = value
        else:
            current = candidate
    lines.append(current)
    inner = "\n".join(f"{indent}{_INDENT}{line}" for line in lines)
    return f"[\n{inner}\n{indent}]"


def _strings(codes: Iterable[str], indent: str = _INDENT) -> str:
    return _set((_string(c) for c in sorted(codes)), indent)


def _nations(codes: Iterable[str], indent: str = _INDENT) -> str:
    return _set((_nation(c) for c in sorted(codes)), indent)


def _days(terms: list[tuple[str, int]], joiner: str) -> list[str]:
    """Day comparisons joined by `joiner`, one a line, each with its ISO date in a comment."""
    width = max(len(term) for term, _ in terms) + len(joiner) + 2
    return [
        f"{_INDENT}{(term + (f' {joiner}' if i < len(terms) - 1 else '')).ljust(width)}"
        f"// {_iso(day)}"
        for i, (term, day) in enumerate(terms)
    ]


def _window(start: int, end: int) -> list[str]:
    """Conditions for `start <= context.day < end` (no upper bound when `end` is NEVER)."""
    terms = [(f"context.day >= {start}", start)]
    if end != NEVER:
        terms.append((f"context.day < {end}", end))
    return ["when {", *_days(terms, "&&"), "}"]


def _scope(effect: str, principal: str = f"principal is {NATION}") -> list[str]:
    return [
        f"{effect} (",
        f"{_INDENT}{principal},",
        f"{_INDENT}action == {ACTION},",
        f"{_INDENT}resource is {NATION}",
        ")",
    ]


def _member(codes: Iterable[str], attribute: str) -> list[str]:
    """`when { [codes].contains(context.<attribute>) }`, on one line if it fits."""
    test = f"{_strings(codes)}.contains(context.{attribute})"
    if "\n" not in test and len(test) + 9 <= _WIDTH:
        return [f"when {{ {test} }}"]
    return ["when {", f"{_INDENT}{test}", "}"]


def _agreement_window(
    agreement: CompiledAgreement, by_id: dict[str, CompiledAgreement]
) -> tuple[int, int] | None:
    """The days on which `evaluate_support` counts the agreement as in force (or provisionally
    applied): [start, end)."""
    if agreement.applied_from is None:
        return None
    start, end = agreement.applied_from, agreement.end
    parent = by_id.get(agreement.implements) if agreement.implements else None
    if parent is not None:
        if parent.applied_from is None:
            return None
        start, end = max(start, parent.applied_from), min(end, parent.end)
    return (start, end) if start < end else None


def _version_windows(
    agreement: CompiledAgreement, window: tuple[int, int] | None
) -> list[tuple[CompiledVersion, tuple[int, int] | None]]:
    """Each version with the days on which it is `version_on` the day, within `window`."""
    result: list[tuple[CompiledVersion, tuple[int, int] | None]] = []
    versions = agreement.versions
    for i, version in enumerate(versions):
        if window is None:
            result.append((version, None))
            continue
        superseded = min((v.effective for v in versions[i + 1 :]), default=NEVER)
        start, end = max(version.effective, window[0]), min(superseded, window[1])
        result.append((version, (start, end) if start < end else None))
    return result


def _never(agreement: CompiledAgreement, by_id: dict[str, CompiledAgreement]) -> str:
    """Why a clause's permit holds on no day."""
    if agreement.applied_from is None:
        signed = f"signed {_iso(agreement.signed)}, " if agreement.signed else ""
        return (
            f"the agreement has not entered into force ({signed}no entry-into-force or "
            "provisional application date)"
        )
    if _agreement_window(agreement, by_id) is None:
        return f"the agreement it implements, {agreement.implements}, is never in force with it"
    return "this version was superseded before the agreement entered into force"


def _can_apply(exclusion: Exclusion, clause: Clause, parties: frozenset[str]) -> bool:
    return (
        bool(exclusion.categories & clause.categories)
        and (exclusion.situations is None or bool(exclusion.situations & clause.situations))
        and (exclusion.supplier is None or exclusion.supplier in parties)
    )


def _unless(exclusion: Exclusion) -> list[str]:
    terms = []
    if exclusion.supplier is not None:
        terms.append(f"principal == {_nation(exclusion.supplier)}")
    terms.append(f"{_strings(exclusion.categories)}.contains(context.category)")
    if exclusion.situations is not None:
        terms.append(f"{_strings(exclusion.situations)}.contains(context.situation)")
    lines = _comment(f"{exclusion.article}: {exclusion.summary} ({exclusion.uid})")
    lines.append("unless {")
    lines.extend(
        f"{_INDENT}{term}{' &&' if i < len(terms) - 1 else ''}" for i, term in enumerate(terms)
    )
    lines.append("}")
    return lines


def _permit(
    agreement: CompiledAgreement,
    version: CompiledVersion,
    clause: Clause,
    window: tuple[int, int] | None,
    never: str,
) -> list[str]:
    if window is None:
        holds = f"// Holds on no day: {never}."
        days = ["when { false }"]
    else:
        start, end = window
        ending = f"before {_iso(end)}" if end != NEVER else "with no end"
        applied = agreement.provisionally_applied
        basis = "in force" if applied is None else "provisionally applied or in force"
        holds = f"// Holds from {_iso(start)}, {ending} ({basis}, and this version effective)."
        days = _window(start, end)
    lines = [
        *_comment(
            f"{agreement.short_title} ({agreement.id}), version {version.id}: {version.title}"
        ),
        *_comment(f"{clause.article}: {clause.summary}"),
        *_comment(holds.removeprefix("// ")),
    ]
    lines.extend(f"// source: {url}" for url in clause.sources or version.sources)
    for exclusion in version.exclusions:
        lines.extend(
            _comment(f"version exclusion {exclusion.uid}: {exclusion.article}: {exclusion.summary}")
        )
    lines += [
        f"@id({_string(clause.uid)})",
        *_scope("permit"),
        "when {",
        f"{_INDENT}{_nations(agreement.parties)}.contains(principal) &&",
        f"{_INDENT}{_nations(agreement.parties)}.contains(resource) &&",
        f"{_INDENT}principal != resource",
        "}",
        *days,
        *_member(clause.situations, "situation"),
        *_member(clause.categories, "category"),
    ]
    for exclusion in version.exclusions:
        if _can_apply(exclusion, clause, agreement.parties):
            lines.extend(_unless(exclusion))
    lines[-1] += ";"
    return lines


def _law_limit(law: CompiledLaw, nation: str, limit: LawLimit) -> list[str]:
    lines = [
        *_comment(f"{law.title} ({law.id}): {limit.law}"),
        *_comment(f"{limit.summary} Denies whatever an agreement permits."),
    ]
    lines.extend(f"// source: {url}" for url in limit.sources)
    lines += [
        f"@id({_string(limit.uid)})",
        *_scope("forbid", f"principal == {_nation(nation)}"),
        *_member(limit.categories, "category"),
    ]
    lines[-1] += ";"
    return lines


def _law_situation(law: CompiledLaw, nation: str, known: LawSituation) -> list[str]:
    span = f"from {_iso(known.known_from)}"
    if known.known_until != NEVER:
        span += f" until {_iso(known.known_until)}"
    lines = [
        *_comment(f"{law.title} ({law.id}): {known.law}"),
        *_comment(
            f"{nation} law provides for '{known.code}' only {span}; outside that period no "
            f"support to or from {nation} in that situation."
        ),
    ]
    lines.extend(f"// source: {url}" for url in known.sources)
    outside = [(f"context.day < {known.known_from}", known.known_from)]
    if known.known_until != NEVER:
        outside.append((f"context.day >= {known.known_until}", known.known_until))
    lines += [
        f"@id({_string(f'{law.id}/situation/{known.code}')})",
        *_scope("forbid"),
        f"when {{ principal == {_nation(nation)} || resource == {_nation(nation)} }}",
        f"when {{ context.situation == {_string(known.code)} }}",
        "when {",
        *_days(outside, "||"),
        "};",
    ]
    return lines


def _header(on: int | None) -> list[str]:
    scope = (
        f"only those that can hold on {_iso(on)} (day {on}); ask them about that day only"
        if on
        else "all, for every day"
    )
    return [
        "// Accord support decisions as Cedar policies (`accord agreements export --format cedar`).",
        '// Request: principal = supplier Accord::Nation::"<ISO alpha-3>",',
        '//   action = Accord::Action::"provide", resource = recipient Accord::Nation::"<code>",',
        "//   context = {category: String, situation: String, day: Long}.",
        "// context.day is the proleptic Gregorian ordinal of the date (Python date.toordinal():",
        "//   0001-01-01 is 1, 2015-04-13 is 735701); each day number has its ISO date beside it.",
        "// One permit per agreement clause (@id = agreement/version/clause), with that version's",
        "//   exclusions as `unless` conditions; forbids only for national law.",
        f"// Policies written: {scope}.",
    ]


def export_cedar(
    agreements: tuple[CompiledAgreement, ...],
    laws: dict[str, CompiledLaw],
    on: dt.date | None = None,
) -> str:
    """The agreement set as Cedar policies with the same allow/deny as `evaluate_support`."""
    day = on.toordinal() if on is not None else None
    by_id = {a.id: a for a in agreements}
    blocks: list[list[str]] = [_header(day)]
    for agreement in agreements:
        if agreement.kind not in LOGISTICS_KINDS:
            continue
        never = _never(agreement, by_id)
        for version, window in _version_windows(agreement, _agreement_window(agreement, by_id)):
            if day is not None and (window is None or not window[0] <= day < window[1]):
                continue
            blocks.extend(
                _permit(agreement, version, clause, window, never) for clause in version.clauses
            )
    for nation, law in sorted(laws.items()):
        for limit in law.limits:
            blocks.append(_law_limit(law, nation, limit))
        for code in sorted(law.situations):
            known = law.situations[code]
            if day is not None and known.known_from <= day < known.known_until:
                continue
            blocks.append(_law_situation(law, nation, known))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
