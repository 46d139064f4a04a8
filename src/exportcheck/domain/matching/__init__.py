"""Name matching: find listed parties however a customer writes their names."""

from exportcheck.domain.matching.index import (
    DEFAULT_THRESHOLD,
    MATCHER_VERSION,
    AnalysedEntry,
    IndexEntry,
    NameForm,
    NameIndex,
    NameMatch,
    analyse_entries,
    analysis_format,
    spelling_skeletons,
)
from exportcheck.domain.matching.normalise import normalise_name, transliterator_name

__all__ = [
    "DEFAULT_THRESHOLD",
    "MATCHER_VERSION",
    "AnalysedEntry",
    "IndexEntry",
    "NameForm",
    "NameIndex",
    "NameMatch",
    "analyse_entries",
    "analysis_format",
    "normalise_name",
    "spelling_skeletons",
    "transliterator_name",
]
