"""Error types; each points at the file, line and field that caused it."""

from __future__ import annotations

import functools
from typing import Any


class ExportcheckError(Exception):
    """Base of the errors that exportcheck reports to users without a traceback."""


class InputError(ExportcheckError):
    """Bad input (a sale file, a CSV, a list download, a rule file): nothing was screened.

    ``str()`` gives the one-line form ``path:line: field: message`` (parts that are unknown are
    left out), which is what the CLI prints.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        location = ""
        if self.path is not None:
            location = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{location}{field}{self.message}{hint}"

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # Pickled with every attribute, so a batch worker's error reaches the user unchanged.
        rebuild = functools.partial(
            type(self),
            self.message,
            path=self.path,
            line=self.line,
            field=self.field,
            hint=self.hint,
        )
        return (rebuild, ())


class RulesError(InputError):
    """The rules do not validate or are unusable (for example older than --max-age)."""
