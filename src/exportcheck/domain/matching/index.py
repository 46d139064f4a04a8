"""The name index: candidate retrieval by token and spelling blocks, IDF-weighted scoring."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Indel

from exportcheck.domain.matching.normalise import (
    ABJAD_MARK,
    analyse,
    consonant_skeleton,
    is_legal_word,
    list_name_variants,
    query_variants,
    skeleton,
    transliterator_name,
)
from exportcheck.domain.matching.similarity import token_similarity
from exportcheck.domain.matching.vocabulary import ABBREVIATIONS, STOPWORDS

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
    "spelling_skeletons",
]

# Bumped whenever normalisation or scoring changes what an index holds or answers. A pickled
# index of another version (or built with another transliterator) rebuilds itself on loading,
# so an on-disk cache keyed by rules version alone can never serve stale answers.
MATCHER_VERSION = "2026.11.8"

# Chosen on benchmarks/matching.py for recall first (see docs/matching.md): at 0.80 recall on
# customer-written variants of the 2026 list is above 0.98 with about 1 % false positives.
DEFAULT_THRESHOLD = 0.80

# Shared words raise the score by their weight, so a name sharing only "Technology" or
# "Trading" with a listed name stays far below the threshold.
IDF_POWER = 1.5
# Part of the score counts words regardless of weight, so a listed one-word name ("SUPERIOR")
# is not matched by a query that adds two common words to it.
COUNT_SHARE = 0.2
# Agreeing address countries nudge a match up; a disagreeing one never pushes it down.
COUNTRY_BONUS = 0.03
# The parent named before "Affiliated Entity:" is listed in its own right; ranking its own entry
# above the affiliates keeps the top result the party the customer meant.
PARENT_OF_AFFILIATE_DISCOUNT = 0.02
# "Huawei Technologies (Bolivia) S.R.L." read without "(Bolivia)" is a weaker reading of the
# name than one that needs nothing dropped.
BRACKET_DROPPED_DISCOUNT = 0.02
# A word in this many parties' names is generic ("Technology", "Trading", "Research"). When
# only generic words agree and something else differs, the names are alike only in kind.
GENERIC_DOCUMENT_FREQUENCY = 100
GENERIC_ONLY_FACTOR = 0.85
# Posting lists longer than this are read only when the words could carry a match on their own.
GENERIC_POSTINGS = 400
# An initial ("N. Nazarbayev") is weak evidence for the given name it abbreviates.
INITIAL_SIMILARITY = 0.6
_CACHE_LIMIT = 200_000
# A word matching a listed word at least this well is a typo, not two words run together.
SPLIT_BELOW = 0.9
# How many readings of a run-together word are tried.
_SPLIT_OPTIONS = 2
# Fuzzy look-ups scan the listed spellings (about 1 ms each on the full list) until this many
# have been made; then the table of deletion keys, which answers each in microseconds but takes
# about a quarter of a second to build, is built: scanning never costs more than twice the best.
DELETION_TABLE_AFTER = 200
# Tables built on first use, never stored with the index.
_LAZY = frozenset({"_entries", "_match_cache", "_deletions", "_by_length", "_scans", "_consonants"})


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One list party as the matcher sees it."""

    key: str  # list entry id, e.g. "csl-d05d55fa..." or "el-huawei-technologies"
    names: tuple[str, ...]  # primary name first, then aliases, as written in the list
    countries: frozenset[str]  # ISO 3166 alpha-2 codes of the entry's addresses (may be empty)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """Why a searched name is taken to be a listed party."""

    key: str  # IndexEntry.key
    matched_name: str  # which of the entry's names/aliases matched (as written in the list)
    score: float  # in [0, 1]
    explanation: str  # one human line: how the tokens aligned
    country_match: bool | None  # True/False when both sides have a country, else None


class _Variant(NamedTuple):
    """One comparable form of one listed name (a tuple: cheap to build, pickle and load)."""

    entry: int
    name: int
    how: str
    tokens: tuple[str, ...]
    surfaces: tuple[str, ...]
    legal_forms: tuple[str, ...]


# What the index keeps of each entry and name form: plain tuples, which marshal and pickle load
# many times faster than tens of thousands of objects (a warm `screen` reads two or three).
_EntryRow = tuple[str, tuple[str, ...], tuple[str, ...]]  # key, names, sorted countries
_VariantRow = tuple[int, int, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
# One comparable form of one name of an entry: name number, how it was derived, tokens,
# surfaces, legal forms.
NameForm = tuple[int, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
# An entry as analysed for the index: key, names, sorted countries and its name forms. This is
# the costly part of building an index, and depends only on the entry: it can be done once per
# list file and kept with it (see `analysis_format`).
AnalysedEntry = tuple[str, tuple[str, ...], tuple[str, ...], tuple[NameForm, ...]]


@dataclass(frozen=True, slots=True)
class _Query:
    tokens: tuple[str, ...]
    surfaces: tuple[str, ...]
    legal_forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    variant: int
    query: _Query
    pairs: tuple[tuple[int, int, float], ...] | None


def analysis_format() -> str:
    """What analysed entries and index states depend on besides the entries themselves: the
    matcher version and the transliterator. Anything stored under another format is rebuilt."""
    return f"{MATCHER_VERSION}+{transliterator_name()}"


def analyse_entries(entries: Iterable[IndexEntry]) -> list[AnalysedEntry]:
    """Every name and alias of each entry reduced to its comparable forms (duplicates once)."""
    analysed: list[AnalysedEntry] = []
    for entry in entries:
        seen: set[tuple[str, ...]] = set()
        forms: list[NameForm] = []
        for name_number, name in enumerate(entry.names):
            for variant in list_name_variants(name):
                result = analyse(variant.text)
                if result.tokens in seen:
                    continue
                seen.add(result.tokens)
                # Mostly the words as written are their canonical forms: one tuple serves both
                # (stored once in the cached index, which then loads faster).
                surfaces = result.tokens if result.surfaces == result.tokens else result.surfaces
                forms.append(
                    (name_number, variant.how, result.tokens, surfaces, result.legal_forms)
                )
        analysed.append((entry.key, entry.names, tuple(sorted(entry.countries)), tuple(forms)))
    return analysed


def spelling_skeletons(analysed: Iterable[AnalysedEntry]) -> dict[str, str]:
    """The skeleton of every spelling the entries use, the other costly part of an index build:
    kept with the analysed entries, it spares a cold start computing tens of thousands."""
    found: dict[str, str] = {}
    for _, _, _, forms in analysed:
        for _, _, tokens, surfaces, _ in forms:
            for spelling in (*tokens, *surfaces):
                if spelling not in found and spelling.isalpha() and len(spelling) >= 2:
                    found[spelling] = skeleton(spelling)
    return found


def _accumulate(reach: dict[int, float], postings: tuple[int, ...], contribution: float) -> None:
    """Add a word's contribution to the reach of every name form holding it."""
    if not reach:
        reach.update(dict.fromkeys(postings, contribution))
        return
    get = reach.get
    for number in postings:
        reach[number] = get(number, 0.0) + contribution


def _deletions(key: str) -> list[str]:
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


def _deletion_keys(token: str) -> list[str]:
    """Blocking keys: the word and, for longer words, its one-letter deletions. Two words share
    a key when they are one edit or one transposition apart. (Words spelt alike, "Zelenskyy"
    and "Selenskiy", meet on their skeleton instead.)"""
    return [token, *_deletions(token)] if len(token) >= 4 else [token]


class NameIndex:
    """Listed names prepared for search; build once per rules version, picklable, no I/O."""

    def __init__(
        self, analysed: Sequence[AnalysedEntry], skeletons: Mapping[str, str] | None = None
    ) -> None:
        """The index over entries analysed by `analyse_entries` (in this order); `skeletons`
        may hold `spelling_skeletons` of some of them, computed beforehand."""
        known = skeletons or {}
        self._entry_rows: list[_EntryRow] = []
        variants: list[_VariantRow] = []
        document_frequency: dict[str, int] = {}
        shared_countries: dict[tuple[str, ...], tuple[str, ...]] = {}
        for entry_number, (key, names, countries, forms) in enumerate(analysed):
            countries = shared_countries.setdefault(countries, countries)
            self._entry_rows.append((key, names, countries))
            variants.extend((entry_number, *form) for form in forms)
            for token in {t for form in forms for t in form[2]}:
                document_frequency[token] = document_frequency.get(token, 0) + 1
        self._variants = variants
        self._df = document_frequency
        total = max(len(self._entry_rows), 1)
        self._weights: dict[str, float] = {
            token: float(math.log((total + 1) / (df + 0.5)) ** IDF_POWER)
            for token, df in document_frequency.items()
        }
        self._unknown_weight = float(math.log((total + 1) / 0.5) ** IDF_POWER)
        weight_of = self._weights.__getitem__
        self._variant_weight = [sum(map(weight_of, v[3])) for v in variants]
        postings: dict[str, list[int]] = {}
        exact: dict[str, list[int]] = {}
        for number, (_, _, _, tokens, _, _) in enumerate(variants):
            for token in set(tokens) if len(tokens) > 1 else tokens:
                found = postings.get(token)
                if found is None:
                    postings[token] = [number]
                else:
                    found.append(number)
            key = " ".join(sorted(tokens))
            found = exact.get(key)
            if found is None:
                exact[key] = [number]
            else:
                found.append(number)
        self._postings = {token: tuple(ids) for token, ids in postings.items()}
        self._exact = {key: tuple(ids) for key, ids in exact.items()}
        # Typos are made on words as written ("Hodlings"), not on their canonical forms
        # ("holding"), so the written spellings seen in the lists are what typos are matched to.
        spellings: dict[str, str] = {token: token for token in postings}
        for _, _, _, tokens, surfaces, _ in variants:
            if surfaces != tokens:  # mostly they are the same words, already spellings
                for surface, token in zip(surfaces, tokens, strict=True):
                    spellings.setdefault(surface, token)
        by_skeleton: dict[str, list[str]] = {}
        for spelling in spellings:
            if spelling.isalpha() and len(spelling) >= 2:
                key = known.get(spelling) or skeleton(spelling)
                found_words = by_skeleton.get(key)
                if found_words is None:
                    by_skeleton[key] = [spelling]
                else:
                    found_words.append(spelling)
        self._spellings = spellings
        # Most skeletons lead to one spelling; a bare string instead of a one-item list keeps
        # the table small and quick to load.
        self._skeletons: dict[str, str | tuple[str, ...]] = {
            key: words[0] if len(words) == 1 else tuple(words) for key, words in by_skeleton.items()
        }
        self._lazy_tables()

    def _lazy_tables(self) -> None:
        """Tables built on first use: cheaper to build when needed than to build, store and load
        on every run (one `screen` looks up a handful of words)."""
        self._match_cache: dict[str, dict[str, float]] = {}
        self._entries: tuple[IndexEntry, ...] | None = None
        # One-letter deletion keys of every spelling (about 240,000 for the full list): worth
        # building only once many words have been looked up; until then a scan finds the same.
        self._deletions: dict[str, str | tuple[str, ...]] | None = None
        self._by_length: dict[int, list[str]] | None = None
        self._scans = 0
        self._consonants: dict[str, list[str]] | None = None

    @classmethod
    def build(cls, entries: Iterable[IndexEntry]) -> NameIndex:
        """Index every name and alias of the entries, with their decorations split off."""
        return cls(analyse_entries(entries))

    def __len__(self) -> int:
        return len(self._entry_rows)

    def __getstate__(self) -> dict[str, Any]:
        # Plain data only (tuples, lists, dicts, strings, numbers), so that marshal can store it.
        # The per-process cache of token look-ups and the tables built on first use are not
        # part of the index.
        state = {key: value for key, value in self.__dict__.items() if key not in _LAZY}
        state["_format"] = analysis_format()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("_format") != analysis_format() or "_entry_rows" not in state:
            rows = state.get("_entry_rows", state.get("_entries", ()))
            entries = [IndexEntry(key, names, frozenset(where)) for key, names, where in rows]
            self.__dict__.update(NameIndex.build(entries).__dict__)
            return
        self.__dict__.update(state)
        self._lazy_tables()

    @property
    def entries(self) -> tuple[IndexEntry, ...]:
        if self._entries is None:
            self._entries = tuple(
                IndexEntry(key, names, frozenset(countries))
                for key, names, countries in self._entry_rows
            )
        return self._entries

    @property
    def variant_count(self) -> int:
        """How many comparable name forms the entries expanded into."""
        return len(self._variants)

    def weight(self, token: str) -> float:
        """How much a canonical token says about identity: rarer in the lists weighs more."""
        return self._weights.get(token, self._unknown_weight)

    # -- search ---------------------------------------------------------------------------------

    def search(
        self,
        name: str,
        country: str | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
        exhaustive: bool = False,
    ) -> list[NameMatch]:
        """Best match per entry key, score >= threshold, sorted by score desc then key; at most
        `limit`. An exact match after normalisation returns the exact hits alone unless
        `exhaustive` asks for the fuzzy neighbours as well."""
        country = country.strip().upper() if country and country.strip() else None
        queries = self._queries(name)
        best: dict[int, _Scored] = {}
        for query in queries:
            for number in self._exact.get(" ".join(sorted(query.tokens)), ()):
                self._keep(best, number, 1.0, query, None, country)
        if not best or exhaustive:
            for query in queries:
                for alternative in self._tokenisations(query):
                    self._fuzzy_search(alternative, country, threshold, best)
        matches = [
            self._to_match(entry_number, scored, country)
            for entry_number, scored in best.items()
            if scored.score >= threshold
        ]
        matches.sort(key=lambda m: (-m.score, m.key))
        return matches[:limit]

    def score_pair(self, query: str, listed_name: str) -> float:
        """Score of `query` against one name written as on a list, with this index's weights."""
        best = 0.0
        for form in query_variants(query):
            analysed = analyse(form, query=True)
            for variant in list_name_variants(listed_name):
                target = analyse(variant.text)
                if not analysed.tokens or not target.tokens:
                    continue
                matches = [
                    {c: s for c in target.tokens if (s := token_similarity(q, c)) > 0.0}
                    for q in analysed.tokens
                ]
                weights = self._query_weights(analysed.tokens, matches)
                total = sum(weights) + sum(self.weight(t) for t in target.tokens)
                score, _ = self._align(analysed.tokens, matches, weights, target.tokens, total)
                best = max(best, score)
        return float(min(best, 1.0))

    # -- internals ------------------------------------------------------------------------------

    def _queries(self, name: str) -> list[_Query]:
        queries: list[_Query] = []
        seen: set[tuple[str, ...]] = set()
        for form in query_variants(name):
            # With and without words like "Procurement" or "Branch": they may be decoration or
            # the name itself ("Safety Equipment Procurement Company").
            for analysed in (analyse(form, query=True), analyse(form)):
                if analysed.tokens and analysed.tokens not in seen:
                    seen.add(analysed.tokens)
                    queries.append(_Query(analysed.tokens, analysed.surfaces, analysed.legal_forms))
        return queries

    def _tokenisations(self, query: _Query) -> list[_Query]:
        """The query as written plus spacing repairs: "Hi Silicon" -> "hisilicon" and back."""
        alternatives = [query]
        tokens, surfaces = list(query.tokens), list(query.surfaces)
        merged_t: list[str] = []
        merged_s: list[str] = []
        i = 0
        changed = False
        while i < len(tokens):
            glued = surfaces[i] + surfaces[i + 1] if i + 1 < len(tokens) else ""
            joined = ABBREVIATIONS.get(glued, glued)
            if joined in self._postings:
                merged_t.append(joined)
                merged_s.append(glued)
                i += 2
                changed = True
            else:
                merged_t.append(tokens[i])
                merged_s.append(surfaces[i])
                i += 1
        if changed:
            alternatives.append(_Query(tuple(merged_t), tuple(merged_s), query.legal_forms))
        # Only a word the lists do not know, not even misspelt, is read as two words.
        options = [
            self._splits(token)
            if token not in self._postings
            and max(self._token_matches(token).values(), default=0.0) < SPLIT_BELOW
            else []
            for token in tokens
        ]
        for rank in range(max((len(o) for o in options), default=0)):
            split_t: list[str] = []
            split_s: list[str] = []
            for token, surface, choices in zip(tokens, surfaces, options, strict=True):
                if choices:
                    parts = choices[min(rank, len(choices) - 1)]
                    split_t.extend(parts)
                    split_s.extend(parts)
                else:
                    split_t.append(token)
                    split_s.append(surface)
            if split_t:
                alternatives.append(_Query(tuple(split_t), tuple(split_s), query.legal_forms))
        return alternatives

    def _splits(self, token: str) -> list[tuple[str, ...]]:
        """Ways to read one typed word as two listed ones ("GENI NOVASTECNOLOGIAS"), or as a
        listed word with a stopword or legal word glued on ("SYSTEMSAND"), best first."""
        if len(token) < 5 or not token.isalpha():
            return []
        found: list[tuple[tuple[float, int], tuple[str, ...]]] = []
        for cut in range(2, len(token) - 1):
            parts = []
            strength = math.inf
            for part in (token[:cut], token[cut:]):
                canonical = ABBREVIATIONS.get(part, part)
                if part in STOPWORDS or is_legal_word(part):
                    continue
                if canonical not in self._postings:
                    break
                parts.append(canonical)
                strength = min(strength, self.weight(canonical))
            else:
                if parts:
                    found.append(((strength, cut), tuple(parts)))
        found.sort(reverse=True)
        return [parts for _, parts in found[:_SPLIT_OPTIONS]]

    def _token_matches(self, token: str) -> dict[str, float]:
        """Indexed tokens similar to a query token, with their similarity (cached per index)."""
        cached = self._match_cache.get(token)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if token in self._postings:
            found[token] = 1.0
        candidates: Iterable[str]
        if token.startswith(ABJAD_MARK):
            candidates = self._consonant_table().get(consonant_skeleton(token), ())
        elif token.isalpha() and len(token) >= 2:
            # Sorted, so the look-up answers the same in every process (sets of strings
            # iterate in an order that changes with the hash seed).
            candidates = sorted(self._fuzzy_candidates(token))
        else:
            candidates = ()
        for spelling in candidates:
            canonical = self._spellings[spelling]
            if found.get(canonical, 0.0) < 1.0:
                similarity = token_similarity(token, spelling)
                if similarity > found.get(canonical, 0.0):
                    found[canonical] = similarity
        if len(self._match_cache) >= _CACHE_LIMIT:
            self._match_cache.clear()
        self._match_cache[token] = found
        return found

    def _consonant_table(self) -> dict[str, list[str]]:
        if self._consonants is None:
            consonants: dict[str, list[str]] = {}
            for spelling in self._spellings:
                if spelling.isalpha() and len(spelling) >= 2:
                    consonants.setdefault(consonant_skeleton(spelling), []).append(spelling)
            self._consonants = consonants
        return self._consonants

    def _fuzzy_candidates(self, token: str) -> set[str]:
        """Listed spellings sharing a blocking key with the token: its skeleton, or a key of
        `_deletion_keys`."""
        pool: set[str] = set()
        spelt = self._skeletons.get(skeleton(token))
        if isinstance(spelt, str):
            pool.add(spelt)
        elif spelt is not None:
            pool.update(spelt)
        if self._deletions is None and self._scans < DELETION_TABLE_AFTER:
            self._scans += 1
            pool.update(self._edit_scan(token))
            return pool
        table = self._deletion_table()
        for key in _deletion_keys(token):
            found = table.get(key)
            if isinstance(found, str):
                pool.add(found)
            elif found is not None:
                pool.update(found)
        return pool

    def _edit_scan(self, token: str) -> list[str]:
        """What the deletion table answers, found by scanning the spellings of nearby lengths.

        Two words share a key of `_deletion_keys` exactly when they are equal, or one is the
        other with one letter more (the longer at least four letters), or they are equally long
        (at least four letters) and have all but one letter in common in order: an Indel
        distance of at most 1 between different lengths and at most 2 between equal ones."""
        if self._by_length is None:
            by_length: dict[int, list[str]] = {}
            for spelling in self._spellings:
                if spelling.isalpha() and len(spelling) >= 2:
                    by_length.setdefault(len(spelling), []).append(spelling)
            self._by_length = by_length
        size = len(token)
        found = [token] if token in self._spellings else []
        for length, cutoff in ((size - 1, 1), (size, 2), (size + 1, 1)):
            if max(size, length) < 4:
                continue
            choices = self._by_length.get(length)
            if choices:
                hits = process.extract(
                    token, choices, scorer=Indel.distance, score_cutoff=cutoff, limit=None
                )
                found.extend(choice for choice, _, _ in hits)
        return found

    def _deletion_table(self) -> dict[str, str | tuple[str, ...]]:
        if self._deletions is None:
            # Most keys lead to one spelling: a bare string, not a one-item tuple (and no lists
            # to convert afterwards, which took most of the time).
            table: dict[str, str | tuple[str, ...]] = {}
            for spelling in self._spellings:
                if spelling.isalpha() and len(spelling) >= 2:
                    for key in set(_deletion_keys(spelling)):
                        found = table.get(key)
                        if found is None:
                            table[key] = spelling
                        elif isinstance(found, str):
                            table[key] = (found, spelling)
                        else:
                            table[key] = (*found, spelling)
            self._deletions = table
        return self._deletions

    def _query_weights(
        self, tokens: Sequence[str], matches: Sequence[dict[str, float]]
    ) -> list[float]:
        # A misspelt word weighs what the listed word it stands for weighs; a word the lists
        # never use weighs the most, since nothing listed explains it.
        weights = []
        for token, found in zip(tokens, matches, strict=True):
            if token in self._weights:
                weights.append(self._weights[token])
            elif found:
                closest = max(found.items(), key=lambda item: (item[1], item[0]))[0]
                weights.append(self.weight(closest))
            else:
                weights.append(self._unknown_weight)
        return weights

    def _fuzzy_search(
        self, query: _Query, country: str | None, threshold: float, best: dict[int, _Scored]
    ) -> None:
        matches = [self._token_matches(t) for t in query.tokens]
        if not any(matches):
            return
        weights = self._query_weights(query.tokens, matches)
        query_weight = sum(weights)
        # Upper bound of each candidate's score from the postings it shares with the query.
        reach: dict[int, float] = {}
        skipped_reach = 0.0
        skipped_floor = 0.0
        for weight, found in zip(weights, matches, strict=True):
            if not found:
                continue
            size = sum(len(self._postings[t]) for t in found)
            contributions = {t: s * (weight + self._weights[t]) for t, s in found.items()}
            if size > GENERIC_POSTINGS:
                skipped_reach += max(contributions.values())
                skipped_floor += min(self._weights[t] for t in found)
                continue
            for token, contribution in contributions.items():
                _accumulate(reach, self._postings[token], contribution)
        if (
            skipped_reach
            and (1 - COUNT_SHARE) * skipped_reach / (query_weight + skipped_floor) + COUNT_SHARE
            >= threshold - COUNTRY_BONUS
        ):
            # Common words alone could reach the threshold, so their postings must be read.
            for weight, found in zip(weights, matches, strict=True):
                size = sum(len(self._postings[t]) for t in found)
                if size > GENERIC_POSTINGS:
                    for token, similarity in found.items():
                        contribution = similarity * (weight + self._weights[token])
                        _accumulate(reach, self._postings[token], contribution)
            skipped_reach = 0.0
        floor = threshold - COUNTRY_BONUS
        # The counted share can at most be 1, so the weighted share must reach this much.
        weighted_floor = (floor - COUNT_SHARE) / (1 - COUNT_SHARE)
        # A candidate's total weight is at least the query's: most fall below even that bound
        # (the margin keeps this a pure shortcut of the exact test below).
        hopeless = weighted_floor * query_weight - skipped_reach - 1e-9
        variant_weight = self._variant_weight
        for number, shared in reach.items():
            if shared < hopeless:
                continue
            total = query_weight + variant_weight[number]
            if (shared + skipped_reach) / total < weighted_floor:
                continue
            tokens = self._variants[number][3]
            score, pairs = self._align(query.tokens, matches, weights, tokens, total)
            self._keep(best, number, score, query, pairs, country)

    def _align(
        self,
        tokens: Sequence[str],
        matches: Sequence[dict[str, float]],
        weights: Sequence[float],
        candidate: Sequence[str],
        total: float,
    ) -> tuple[float, list[tuple[int, int, float]]]:
        """Weighted Dice over a one-to-one token alignment, best pairs first."""
        pairs = [
            (similarity, i, j)
            for i, found in enumerate(matches)
            if found
            for j, token in enumerate(candidate)
            if (similarity := found.get(token, 0.0)) > 0.0
        ]
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        used_q: set[int] = set()
        used_c: set[int] = set()
        chosen: list[tuple[int, int, float]] = []
        shared = 0.0
        for similarity, i, j in pairs:
            if i in used_q or j in used_c:
                continue
            used_q.add(i)
            used_c.add(j)
            chosen.append((i, j, similarity))
            shared += similarity * (weights[i] + self.weight(candidate[j]))
        if len(used_q) < len(tokens):
            for i, token in enumerate(tokens):
                if i in used_q or len(token) != 1:
                    continue
                for j, other in enumerate(candidate):
                    if j not in used_c and other.startswith(token):
                        used_q.add(i)
                        used_c.add(j)
                        chosen.append((i, j, INITIAL_SIMILARITY))
                        shared += INITIAL_SIMILARITY * (weights[i] + self.weight(other))
                        break
        if not total:
            return 0.0, chosen
        weighted = shared / total
        agreeing = sum(similarity for _, _, similarity in chosen)
        counted = 2 * agreeing / (len(tokens) + len(candidate))
        score = (1 - COUNT_SHARE) * weighted + COUNT_SHARE * counted
        complete = len(chosen) == len(tokens) == len(candidate)
        if not complete and all(
            self._df.get(candidate[j], 0) >= GENERIC_DOCUMENT_FREQUENCY for _, j, _ in chosen
        ):
            score *= GENERIC_ONLY_FACTOR
        return score, chosen

    def _keep(
        self,
        best: dict[int, _Scored],
        number: int,
        score: float,
        query: _Query,
        pairs: list[tuple[int, int, float]] | None,
        country: str | None,
    ) -> None:
        variant = _Variant._make(self._variants[number])
        countries = self._entry_rows[variant.entry][2]
        if variant.how.startswith("the parent named"):
            score -= PARENT_OF_AFFILIATE_DISCOUNT
        elif variant.how == "the name without its bracketed part":
            score -= BRACKET_DROPPED_DISCOUNT
        if country is not None and country in countries:
            score += COUNTRY_BONUS
        score = round(min(max(score, 0.0), 1.0), 4)
        current = best.get(variant.entry)
        if current is not None and (current.score, -current.variant) >= (score, -number):
            return
        best[variant.entry] = _Scored(
            score, number, query, tuple(pairs) if pairs is not None else None
        )

    def _explain(
        self,
        query: _Query,
        variant: _Variant,
        pairs: tuple[tuple[int, int, float], ...] | None,
    ) -> str:
        if pairs is None:
            text = f"exact after normalisation: {' '.join(variant.surfaces)}"
        else:
            aligned = []
            for i, j, similarity in sorted(pairs, key=lambda p: p[0]):
                q, c = query.surfaces[i], variant.surfaces[j]
                if q == c:
                    aligned.append(f"{q}={c}")
                elif similarity >= 1.0:
                    aligned.append(f"{q}~{c}")
                else:
                    aligned.append(f"{q}~{c} ({similarity:.2f})")
            matched_q = {i for i, _, _ in pairs}
            matched_c = {j for _, j, _ in pairs}
            extra = [s for i, s in enumerate(query.surfaces) if i not in matched_q]
            missing = [s for j, s in enumerate(variant.surfaces) if j not in matched_c]
            text = ", ".join(aligned) if aligned else "no token aligned"
            if extra:
                text += f"; not in the listed name: {' '.join(extra)}"
            if missing:
                text += f"; missing from the query: {' '.join(missing)}"
        legal = sorted({*query.legal_forms, *variant.legal_forms})
        if legal:
            text += " (legal form " + ", ".join(f"'{form}'" for form in legal) + " ignored)"
        if variant.how:
            text += f"; matched {variant.how}"
        return text

    def _to_match(self, entry_number: int, scored: _Scored, country: str | None) -> NameMatch:
        key, names, countries = self._entry_rows[entry_number]
        variant = _Variant._make(self._variants[scored.variant])
        explanation = self._explain(scored.query, variant, scored.pairs)
        country_match: bool | None = None
        if country is not None and countries:
            country_match = country in countries
            codes = "/".join(countries)
            if country_match:
                explanation += f"; country {country} agrees"
            else:
                explanation += f"; country {country} differs from listed {codes} (not held against)"
        return NameMatch(
            key=key,
            matched_name=names[variant.name],
            score=scored.score,
            explanation=explanation,
            country_match=country_match,
        )
