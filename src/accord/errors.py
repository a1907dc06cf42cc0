"""Typed errors with stable codes. Entry points turn them into one line (CLI, exit 2) or an
RFC 9457 problem (HTTP); they never reach a user as a traceback."""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord reports to a user."""

    code = "accord-error"
    exit_status = 1


class BadInput(AccordError):
    """A value the user gave is not one Accord accepts; the message names it and what is."""

    code = "bad-input"
    exit_status = 2


class InvalidAgreementFile(AccordError):
    """One or more agreement files are invalid; `problems` holds `FILE:LINE: message` lines."""

    code = "invalid-agreement-file"
    exit_status = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0] if problems else "invalid agreement file")
