"""The agreement check of an order: the support decision for each category the order asks
for, taken at proposal and again at signing, and stored with the order (allowed, reason codes,
agreement, clause, sources).

An order that no agreement allows is refused with the decision's reasons (a refusal, exit 1),
and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from accord.errors import BadInput
from accord.logistics.errors import NotAllowedByAgreement

if TYPE_CHECKING:
    from accord.agreements.decisions import Decision
    from accord.agreements.index import AgreementIndex


class SupportDecider(Protocol):
    def decide(
        self, supplier: str, recipient: str, category: str, situation: str, on: dt.date
    ) -> Decision: ...


class AgreementCheck:
    """Decides orders against an agreement index (by default the shipped reference set)."""

    def __init__(self, index: AgreementIndex | None = None) -> None:
        self._index = index
        self._support: SupportDecider | None = None

    @property
    def index(self) -> AgreementIndex:
        if self._index is None:
            from accord.agreements.index import load_index

            self._index = load_index()
        return self._index

    @property
    def support(self) -> SupportDecider:
        if self._support is None:
            self._support = self.index.support()
        return self._support

    @property
    def nations(self) -> frozenset[str]:
        return self.index.nations

    def implements(self, agreement_id: str) -> str | None:
        for agreement in self.index.agreements:
            if agreement.id == agreement_id:
                return agreement.implements
        raise BadInput(f"unknown agreement {agreement_id!r}; see `accord agreements list`")

    def check(
        self,
        supplier: str,
        recipient: str,
        categories: Iterable[str],
        situation: str,
        on: dt.date,
        agreement: str | None = None,
    ) -> dict[str, Any]:
        """The stored decision for an order, or NotAllowedByAgreement with its reasons."""
        from accord.agreements.decisions import SupportQuestion, decision_json

        answers: list[dict[str, Any]] = []
        denied: list[str] = []
        permitting: list[str] = []
        for category in sorted(set(categories)):
            question = SupportQuestion(supplier, recipient, category, situation, on)
            decision = self.support.decide(supplier, recipient, category, situation, on)
            answer = decision_json(question, decision)
            answers.append(answer)
            if decision.allowed:
                permitting.append(str(decision.reasons[0].agreement))
            else:
                why = "; ".join(
                    f"{r['code']}: {r['message']}"
                    for r in answer["reasons"]  # type: ignore[attr-defined]
                )
                denied.append(f"'{category}': {why}")
        stored: dict[str, Any] = {
            "allowed": not denied,
            "on": on.isoformat(),
            "agreement": permitting[0] if permitting and not denied else None,
            "decisions": answers,
        }
        if denied:
            raise NotAllowedByAgreement(
                f"refused: the agreements do not allow {supplier} to supply {recipient} in "
                f"'{situation}' on {on}: " + " | ".join(denied),
                stored,
            )
        if agreement is not None and not self._covers(agreement, permitting):
            raise NotAllowedByAgreement(
                f"refused: the order names agreement {agreement}, but the support is allowed "
                f"under {', '.join(sorted(set(permitting)))} on {on}",
                stored,
            )
        return stored

    def _covers(self, named: str, permitting: list[str]) -> bool:
        """The named agreement is the permitting one, its parent, or an arrangement under it."""
        parent = self.implements(named)
        return all(p in (named, parent) or self.implements(p) == named for p in permitting)
