"""Reading sale files (YAML or JSON) into validated Sale models."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from exportcheck.domain.sale import Sale
from exportcheck.errors import InputError
from exportcheck.loading.yamlio import first_error, parse_document, read_text, validation_errors


def load_sale(path: Path) -> Sale:
    """One sale from a file; any problem raises InputError naming the file, line and field."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    text = read_text(path, data)
    document = parse_document(path, text)
    if not isinstance(document, dict):
        raise InputError(
            "a sale file is a mapping with id, date, parties and items", path=str(path), line=1
        )
    try:
        return Sale.model_validate(document)
    except ValidationError as exc:
        raise first_error(validation_errors(exc, path, text, Sale)) from None
