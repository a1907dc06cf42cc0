"""Typed errors of the logistics domain, each with a stable code.

Bad input (exit 2) is a value Accord does not accept; a refusal (exit 1) is a well-formed
request that the agreements, the law or the order's state does not allow.
"""

from __future__ import annotations

from accord.errors import AccordError, BadInput


class Refused(AccordError):
    """A well-formed request that the agreements, the law or the books do not allow."""

    code = "refused"
    exit_status = 1


class NotAllowedByAgreement(Refused):
    """No agreement in force allows this support (the decision's reasons are in the message)."""

    code = "not-allowed-by-agreement"

    def __init__(self, message: str, decision: dict[str, object]) -> None:
        super().__init__(message)
        self.decision = decision


class CeilingExceeded(Refused):
    """The order would take a 10 U.S.C. 2347 annual ceiling past its limit."""

    code = "ceiling-exceeded"


class InvalidTransition(Refused):
    """The command does not apply to the order in its current state."""

    code = "invalid-transition"


class NotFound(BadInput):
    code = "not-found"


class SigningLimitExceeded(BadInput):
    """The official's signing limit in the order's currency is below the order's total."""

    code = "signing-limit-exceeded"


class InvalidSignature(BadInput):
    code = "invalid-signature"


class IdempotencyConflict(BadInput):
    """An idempotency key was reused for a different request."""

    code = "idempotency-conflict"


class LedgerInvariantBroken(AccordError):
    """A ledger transaction does not sum to zero: a defect, never written (stays on in
    production, as TigerBeetle's assertions do)."""

    code = "ledger-invariant-broken"
    exit_status = 1


class Conflict(AccordError):
    """Another writer changed the same order at the same time; the command may be retried."""

    code = "conflict"
    exit_status = 1
