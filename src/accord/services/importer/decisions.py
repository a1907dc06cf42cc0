"""The agreement decisions of an import, kept per agreement segment as canonical JSON with
the date left out (`Decisions`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from json.encoder import encode_basestring as _enc
from typing import Any

from accord.errors import BadInput
from accord.logistics.errors import NotAllowedByAgreement
from accord.logistics.order import (
    canonical_json,
)
from accord.services import decision_store
from accord.services.agreement_check import AgreementCheck
from accord.services.importer.columns import ON


@dataclass(slots=True)
class Decided:
    """The support decision stored with an order (`AgreementCheck.check`) as
    `decision_store.cite` keeps it: the body (the canonical JSON with the date written ON),
    its SHA-256 and the date of the citation (None: the text is the body); or the refusal."""

    body: str | None  # None: refused
    agreement: str | None  # the permitting agreement
    refusal: str | None = None
    sha256: str = ""
    on: str | None = None

    @property
    def text(self) -> str | None:
        """The decision's canonical JSON, as `AgreementCheck.check` gives it."""
        if self.body is None or self.on is None:
            return self.body
        return self.body.replace(ON, self.on)

    @property
    def citation(self) -> str:
        """The citation an event keeps, as canonical JSON."""
        on = "null" if self.on is None else f'"{self.on}"'
        return f'{{"on":{on},"sha256":"{self.sha256}"}}'

    def cited(self) -> dict[str, Any]:
        return {"on": self.on, "sha256": self.sha256}


# A joined decision: its text with ON for the date, the permitting agreement, the text's
# SHA-256, and the ISO dates written in the text (None: a date might run into ON's place).
_Combined = tuple[str, str, str, frozenset[str] | None]
_ISO_DATE = re.compile(r"(?=(\d{4}-\d{2}-\d{2}))")  # every one, overlapping ones too


def _dates_beside(template: str) -> frozenset[str] | None:
    """The dates in the text, when ON is never right after a digit or '-': then a date put in
    ON's place reads back as ON unless the text holds that very date elsewhere (an ISO date
    is only digits and '-', so a match of it that began before ON's place would have to take
    the character before it); None otherwise, when each date must be tried."""
    at = template.find(ON)
    while at != -1:
        if at > 0 and (template[at - 1].isdigit() or template[at - 1] == "-"):
            return None
        at = template.find(ON, at + len(ON))
    return frozenset(_ISO_DATE.findall(template))


@dataclass(slots=True)
class _Answer:
    """The stored answer for one category in one agreement segment, as canonical JSON with ON
    for the date (None: the date cannot be set apart; ask `AgreementCheck` for each day)."""

    allowed: bool
    agreement: str | None
    text: str | None
    dates: frozenset[str] | None = None  # `_dates_beside(text)`


class Decisions:
    """`AgreementCheck.check`, answered from the answers of one category in one agreement
    segment of the ordered pair (between two days on which anything relevant changes, every
    answer of `SupportIndex` is the same; only the date in it differs)."""

    LIMIT = 100_000

    def __init__(self, check: AgreementCheck) -> None:
        self.check = check
        self._days: dict[tuple[str, str], list[int] | None] = {}
        self._answers: dict[tuple[str, str, str, str, int], _Answer] = {}
        self._by_day: dict[tuple[Any, ...], Decided] = {}
        self._implements: dict[str, str | None] = {}
        # (pair, categories, situation, segment, agreement) -> what `_combine` makes
        self._combined: dict[tuple[Any, ...], _Combined | None] = {}

    def _segment(self, supplier: str, recipient: str, on: dt.date) -> int:
        pair = (supplier, recipient)
        if pair not in self._days:
            change_days = getattr(self.check.support, "change_days", None)
            self._days[pair] = list(change_days(supplier, recipient)) if change_days else None
        days = self._days[pair]
        return on.toordinal() if days is None else bisect_right(days, on.toordinal())

    def implements(self, agreement_id: str) -> str | None:
        if agreement_id not in self._implements:
            self._implements[agreement_id] = self.check.implements(agreement_id)
        return self._implements[agreement_id]

    def decide(
        self,
        supplier: str,
        recipient: str,
        categories: tuple[str, ...],
        situation: str,
        on: dt.date,
        agreement: str | None,
    ) -> Decided:
        """As `AgreementCheck.check(...)` (`categories` sorted, without repeats)."""
        segment = self._segment(supplier, recipient, on)
        combined = (supplier, recipient, categories, situation, segment, agreement)
        if combined in self._combined:
            found = self._combined[combined]
        else:
            found = self._combine(supplier, recipient, categories, situation, on, agreement)
            if len(self._combined) >= self.LIMIT:
                self._combined.clear()
            self._combined[combined] = found
        if found is None:
            return self._ask(supplier, recipient, categories, situation, on, agreement)
        template, permitting, sha, dates = found
        iso = on.isoformat()
        if dates is None or iso in dates:  # the date may be elsewhere in the text too (or
            text = template.replace(ON, iso)  # across it): cite it as `cite` does
            if text.replace(iso, ON) != template:
                return self._cited(text, permitting, iso)
        return Decided(template, permitting, None, sha, iso)

    def _combine(
        self,
        supplier: str,
        recipient: str,
        categories: tuple[str, ...],
        situation: str,
        on: dt.date,
        agreement: str | None,
    ) -> _Combined | None:
        """The decision for these categories throughout the segment of `on`: its text with ON
        for the date, the permitting agreement, the text's SHA-256 and the dates written in
        it; or None where the segment's answers cannot be joined (a category refused, a date
        that cannot be set apart, or a named agreement that does not cover them)."""
        answers = []
        for category in categories:
            key = (supplier, recipient, category, situation, self._segment(supplier, recipient, on))
            answer = self._answers.get(key)
            if answer is None:
                if len(self._answers) >= self.LIMIT:
                    self._answers.clear()
                answer = self._answers[key] = self._answer(
                    supplier, recipient, category, situation, on
                )
            if not answer.allowed or answer.text is None:
                return None
            answers.append(answer)
        permitting = [str(a.agreement) for a in answers]
        try:
            if agreement is not None and not self._covers(agreement, permitting):
                return None
        except BadInput:  # an unknown agreement: `AgreementCheck.check` says so, as a refusal
            return None
        template = (
            f'{{"agreement":{_enc(permitting[0])},"allowed":true,"decisions":['
            + ",".join(str(a.text) for a in answers)
            + f'],"on":"{ON}"}}'
        )
        # the dates of the whole text: those of its answers (a date cannot run across the ','
        # between them, nor into the text around them) and any in the agreement's id
        dates: frozenset[str] | None = frozenset(_ISO_DATE.findall(permitting[0]))
        for answer in answers:
            dates = None if dates is None or answer.dates is None else dates | answer.dates
        return template, permitting[0], hashlib.sha256(template.encode()).hexdigest(), dates

    @staticmethod
    def _cited(text: str, agreement: str, iso: str) -> Decided:
        """The decision as `decision_store.cite` cites it."""
        citation, body = decision_store.cite(text, iso)
        return Decided(body, agreement, None, citation["sha256"], citation["on"])

    def _covers(self, named: str, permitting: list[str]) -> bool:
        """As `AgreementCheck._covers`: the named agreement is the permitting one, its parent,
        or an arrangement under it."""
        parent = self.implements(named)
        return all(p in (named, parent) or self.implements(p) == named for p in permitting)

    def _answer(
        self, supplier: str, recipient: str, category: str, situation: str, on: dt.date
    ) -> _Answer:
        from accord.agreements.decisions import SupportQuestion, decision_json

        decision = self.check.support.decide(supplier, recipient, category, situation, on)
        if not decision.allowed:
            return _Answer(False, None, None)
        answer = decision_json(
            SupportQuestion(supplier, recipient, category, situation, on), decision
        )
        exact = canonical_json(answer).decode()
        # the date is in the question and in the reasons' messages (which the index keeps
        # with ON in place of the date)
        answer["question"]["on"] = ON  # type: ignore[index]
        for reason, raw in zip(answer["reasons"], decision.reasons, strict=True):  # type: ignore[call-overload]
            reason["message"] = raw.message
        text: str | None = canonical_json(answer).decode()
        if text is None or text.replace(ON, on.isoformat()) != exact:
            text = None  # ON in some other text: ask for each day
        dates = None if text is None else _dates_beside(text)
        return _Answer(True, str(decision.reasons[0].agreement), text, dates)

    def _ask(
        self,
        supplier: str,
        recipient: str,
        categories: tuple[str, ...],
        situation: str,
        on: dt.date,
        agreement: str | None,
    ) -> Decided:
        key = (supplier, recipient, categories, situation, on, agreement)
        found = self._by_day.get(key)
        if found is None:
            if len(self._by_day) >= self.LIMIT:
                self._by_day.clear()
            try:
                stored = self.check.check(supplier, recipient, categories, situation, on, agreement)
            except (NotAllowedByAgreement, BadInput) as exc:
                found = Decided(None, None, str(exc))
            else:
                text = canonical_json(stored).decode()
                found = self._cited(text, stored["agreement"], on.isoformat())
            self._by_day[key] = found
        return found
