"""Token-to-token similarity: the one rule deciding how alike two normalised words are."""

from __future__ import annotations

from rapidfuzz.distance import OSA

from exportcheck.domain.matching.normalise import ABJAD_MARK, consonant_skeleton, skeleton

__all__ = ["MAX_EDIT_RATIO", "SKELETON_FACTOR", "token_similarity"]

# Edits per letter beyond which two words are different words: one edit in a four-letter word
# (0.25) or two in a seven-letter word still count, one in a three-letter word does not.
MAX_EDIT_RATIO = 0.3
# How much an edit costs: one slip in a five-letter word leaves 0.88, so a typed name with one
# typo still clears the default threshold when its other words agree.
EDIT_PENALTY = 0.6
# A match found only through the transliteration skeleton is good but not literal.
SKELETON_FACTOR = 0.95
# An Arabic-script token carries no short vowels, so its consonants are all there is to compare.
ABJAD_SIMILARITY = 0.9


def _edit_similarity(a: str, b: str) -> float:
    longest = max(len(a), len(b))
    # Transposed letters are one slip, not two: optimal string alignment distance.
    ratio = OSA.distance(a, b) / longest
    return 1.0 - EDIT_PENALTY * ratio if ratio <= MAX_EDIT_RATIO else 0.0


def token_similarity(query: str, candidate: str) -> float:
    """Similarity in [0, 1] of two canonical tokens; 0.0 when they are different words."""
    if query == candidate:
        return 1.0
    if query.startswith(ABJAD_MARK):
        if consonant_skeleton(query) == consonant_skeleton(candidate):
            return ABJAD_SIMILARITY
        return 0.0
    if not (query.isalpha() and candidate.isalpha()):
        # Numbers and codes ("140", "yv3071") identify; a near miss is a different party.
        return 0.0
    sq, sc = skeleton(query), skeleton(candidate)
    if sq == sc:
        return SKELETON_FACTOR
    if min(len(query), len(candidate)) <= 3:
        # In a short word one edit usually makes another word ("Jong-un" is not "Jong-on").
        return 0.0
    return max(_edit_similarity(query, candidate), SKELETON_FACTOR * _edit_similarity(sq, sc))
