"""Token-to-token similarity: the one rule deciding how alike two normalised words are."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from exportcheck.domain.matching.normalise import ABJAD_MARK, consonant_skeleton, skeleton

__all__ = ["MIN_TOKEN_SIMILARITY", "SKELETON_FACTOR", "token_similarity"]

# One edit in a four-letter word (0.75) still counts; a three-letter word must agree in spelling
# or in skeleton, since one edit there usually makes a different word.
MIN_TOKEN_SIMILARITY = 0.72
# A match found only through the transliteration skeleton is good but not literal.
SKELETON_FACTOR = 0.95
# An Arabic-script token carries no short vowels, so its consonants are all there is to compare.
ABJAD_SIMILARITY = 0.9


def token_similarity(query: str, candidate: str) -> float:
    """Similarity in [0, 1] of two canonical tokens; 0.0 below MIN_TOKEN_SIMILARITY."""
    if query == candidate:
        return 1.0
    if query.startswith(ABJAD_MARK):
        if consonant_skeleton(query) == consonant_skeleton(candidate):
            return ABJAD_SIMILARITY
        return 0.0
    if len(query) < 3 or len(candidate) < 3:
        return 0.0
    if not (query.isalpha() and candidate.isalpha()):
        # Numbers and codes ("140", "yv3071") identify; a near miss is a different party.
        return 0.0
    literal = Levenshtein.normalized_similarity(query, candidate)
    sq, sc = skeleton(query), skeleton(candidate)
    spelt = SKELETON_FACTOR * (1.0 if sq == sc else Levenshtein.normalized_similarity(sq, sc))
    best = max(literal, spelt)
    if min(len(query), len(candidate)) == 3 and sq != sc:
        return 0.0
    return best if best >= MIN_TOKEN_SIMILARITY else 0.0
