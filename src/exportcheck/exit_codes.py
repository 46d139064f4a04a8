"""Exit codes of interface.md and the one function that decides them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models are not needed at run time: `--version` must start fast
    from exportcheck.domain.rules import Verdict

# Verdicts by severity, keyed by their value (interface.md order).
_SEVERITY = {"licence-free": 0, "licence-required": 1, "prohibited": 2}


class ExitCode(IntEnum):
    OK = 0
    INTERNAL_ERROR = 1
    INVALID_INPUT = 2
    ROW_ERRORS = 3
    LICENCE_REQUIRED = 10
    PROHIBITED = 20


def decide_exit_code(
    verdicts: Iterable[Verdict], *, row_errors: int = 0, fail_on: Verdict | str = "licence-required"
) -> ExitCode:
    """The exit code for screened verdicts (and batch rows in error).

    Verdicts below ``fail_on`` count as success; rows in error are never masked by it.
    """
    worst = max((_SEVERITY[v] for v in verdicts), default=0)
    threshold = _SEVERITY[fail_on]
    if worst >= _SEVERITY["prohibited"] and threshold <= worst:
        return ExitCode.PROHIBITED
    if worst >= _SEVERITY["licence-required"] and threshold <= worst:
        return ExitCode.LICENCE_REQUIRED
    if row_errors:
        return ExitCode.ROW_ERRORS
    return ExitCode.OK
