"""exportcheck: export-control screening with the regulation behind every finding."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
