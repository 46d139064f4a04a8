"""exportcheck: export-control screening with the regulation behind every finding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["RowResult", "__version__", "screen_rows"]

if TYPE_CHECKING:
    from exportcheck.batch import RowResult, screen_rows


def __getattr__(name: str) -> Any:
    # The batch API pulls in pydantic and the engine: import it on first use only, so that
    # `exportcheck --version` and the loaders that read __version__ stay fast.
    if name in ("RowResult", "screen_rows"):
        from exportcheck import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'exportcheck' has no attribute {name!r}")
