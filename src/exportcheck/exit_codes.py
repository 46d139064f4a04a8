"""Exit codes of interface.md and the one function that decides them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from exportcheck.domain.rules import Verdict


class ExitCode(IntEnum):
    OK = 0
    INTERNAL_ERROR = 1
    INVALID_INPUT = 2
    ROW_ERRORS = 3
    LICENCE_REQUIRED = 10
    PROHIBITED = 20


def decide_exit_code(
    verdicts: Iterable[Verdict], *, row_errors: int = 0, fail_on: Verdict = Verdict.LICENCE_REQUIRED
) -> ExitCode:
    """The exit code for screened verdicts (and batch rows in error).

    Verdicts below ``fail_on`` count as success; rows in error are never masked by it.
    """
    worst = max((v.severity for v in verdicts), default=0)
    if worst >= Verdict.PROHIBITED.severity and fail_on.severity <= worst:
        return ExitCode.PROHIBITED
    if worst >= Verdict.LICENCE_REQUIRED.severity and fail_on.severity <= worst:
        return ExitCode.LICENCE_REQUIRED
    if row_errors:
        return ExitCode.ROW_ERRORS
    return ExitCode.OK
