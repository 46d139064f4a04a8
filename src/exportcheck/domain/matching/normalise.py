"""Name normalisation: turns a party name as written into comparable tokens and canonical forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import OSA

from exportcheck.domain.matching.vocabulary import (
    ABBREVIATIONS,
    AMBIGUOUS_LEGAL_FORMS,
    DECORATION_WORDS,
    GLUED_LEGAL_PREFIXES,
    GLUED_LEGAL_SUFFIXES,
    LEGAL_EDGE_WORDS,
    LEGAL_FORMS,
    LEGAL_WORDS,
    LOCATION_WORDS,
    ORGANISATION_WORDS,
    STOPWORDS,
)

__all__ = [
    "Analysed",
    "NameVariant",
    "analyse",
    "canonical_key",
    "clean_text",
    "clear_caches",
    "consonant_skeleton",
    "is_legal_word",
    "list_name_variants",
    "normalise_name",
    "query_variants",
    "skeleton",
    "transliterator_name",
]


def _load_transliterator() -> tuple[str, Callable[[str], str]]:
    # normality wraps ICU's transliterator, which handles scripts anyascii only approximates;
    # it is an optional extra, so its absence must never be an error.
    try:
        from normality import ascii_text
    except ImportError:
        return "anyascii", anyascii

    def icu(text: str) -> str:
        result = ascii_text(text)
        return result if result is not None else anyascii(text)

    return "icu", icu


_TRANSLITERATOR_NAME, _TRANSLITERATE = _load_transliterator()


def transliterator_name() -> str:
    """Which transliterator is in use ("anyascii" or "icu"); part of a cached index's identity."""
    return _TRANSLITERATOR_NAME


# A cp437 file read as cp1252 turns "Coöperatief" into "Co\u201dperatief" and "Fé" into
# "F\u201a". Such a character between two letters is never punctuation the list meant; the
# quotes that stand for apostrophes (U+2018, U+2019, U+00B4) are left for the apostrophe rule.
def _mojibake_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for byte in range(0x80, 0x100):
        if byte in (0x91, 0x92, 0xB4):
            continue
        try:
            wrong = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        right = bytes([byte]).decode("cp437")
        if right.isalpha() and not wrong.isalpha():
            table[wrong] = right
    return table


_MOJIBAKE = _mojibake_table()
# Lists sometimes carry raw C1 controls where a cp1252 character was meant (U+0092, an
# apostrophe).
_C1_AS_CP1252 = {
    chr(b): bytes([b]).decode("cp1252", errors="ignore") or " " for b in range(0x80, 0xA0)
}
_C1_AS_CP1252["\x81"] = "ü"  # undefined in cp1252; in these lists it is a cp437 ü


# cp437 letters (é ó í ú ñ) whose cp1252 twins cannot end a word either.
_NEVER_CLOSES_A_WORD = "\u201a\u00a2\u00a1\u00a3\u00a4"


def _fix_mojibake(text: str) -> str:
    if text.isascii():
        return text
    chars = list(text)
    last = len(chars) - 1
    for i, ch in enumerate(chars):
        if ch in _C1_AS_CP1252:
            chars[i] = _C1_AS_CP1252[ch]
        elif ch in _MOJIBAKE and i > 0 and chars[i - 1].isalpha():
            # Interior, or at the end of a word for characters that never close a word.
            followed_by_letter = i < last and chars[i + 1].isalpha()
            if followed_by_letter or ch in _NEVER_CLOSES_A_WORD:
                chars[i] = _MOJIBAKE[ch]
    return "".join(chars)


def _is_syllabic(ch: str) -> bool:
    # One ideograph or Hangul block is one syllable; spacing them keeps "Xi Jinping" comparable.
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
    )


_ABJAD_RANGES = ((0x0590, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _is_abjad(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _ABJAD_RANGES)


ABJAD_MARK = "\u0001"


def _transliterate(text: str) -> str:
    if text.isascii():
        return text
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if ch.isascii():
            if run:
                out.append(_TRANSLITERATE("".join(run)))
                run.clear()
            out.append(ch)
        elif _is_syllabic(ch):
            if run:
                out.append(_TRANSLITERATE("".join(run)))
                run.clear()
            out.append(f" {_TRANSLITERATE(ch)} ")
        elif _is_abjad(ch) and ch.isalpha():
            # Abjads drop short vowels; the mark lets the matcher compare consonants only.
            if run:
                out.append(_TRANSLITERATE("".join(run)))
                run.clear()
            out.append(ABJAD_MARK + _TRANSLITERATE(ch))
        else:
            run.append(ch)
    if run:
        out.append(_TRANSLITERATE("".join(run)))
    return "".join(out)


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Repair mojibake, apply NFKC, transliterate to ASCII and case-fold; keeps punctuation."""
    if text.isascii():
        return _ASCII_CONTROL.sub(" ", text).casefold()
    text = _fix_mojibake(text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zs") else ch for ch in text)
    text = _transliterate(text)
    return text.casefold()


_DOTTED_ACRONYM = re.compile(r"(?<![a-z])[a-z](?:\.[a-z])+\b\.?")
_APOSTROPHE_IN_WORD = re.compile(r"(?<=[a-z0-9])['`?\u2019\u2018\u00b4](?=[a-z0-9])")
_NON_ALNUM = re.compile(r"[^a-z0-9\u0001]+")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# True when a text has none of the apostrophes _APOSTROPHE_IN_WORD removes (most names).
_NO_APOSTROPHE = re.compile(r"[^'`?\u2019\u2018\u00b4]*").fullmatch
# "DECISIONS7", "1S.A." and "200GPSA" are typed both ways; digits and letters are kept apart.
_DIGITS_AND_LETTERS = re.compile(r"\d+|[^\d]+")


def _legal_word_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for word in sorted(LEGAL_WORDS, key=lambda w: (-len(w), w)):
        if len(word) >= 6:
            for key in (word, *(word[:i] + word[i + 1 :] for i in range(len(word)))):
                keys.setdefault(key, word)
    return keys


_LEGAL_WORD_KEYS = _legal_word_keys()
# A slip in both the first two and the last two letters is rare; checking these first keeps
# the search for misspelt legal words off the vast majority of tokens.
_LEGAL_HEADS = frozenset(w[:2] for w in LEGAL_WORDS if len(w) >= 6)
_LEGAL_TAILS = frozenset(w[-2:] for w in LEGAL_WORDS if len(w) >= 6)


@lru_cache(maxsize=131072)
def _respell(token: str) -> tuple[str, ...]:
    """A misspelt legal word put right ("copmany"), and a legal form glued on split off."""
    if (
        len(token) >= 6
        and (token[:2] in _LEGAL_HEADS or token[-2:] in _LEGAL_TAILS)
        and token not in LEGAL_WORDS
        and token.isalpha()
    ):
        # A misspelt legal form would otherwise count as a rare, heavy word of the name.
        for key in (token, *(token[:i] + token[i + 1 :] for i in range(len(token)))):
            word = _LEGAL_WORD_KEYS.get(key)
            if word is not None and OSA.distance(token, word) <= (1 if len(word) < 9 else 2):
                return (word,)
    if (token,) in LEGAL_FORMS or not token.isalpha():
        return (token,)
    glued = _GLUED.match(token)
    if glued is None:
        return (token,)
    prefix, middle, suffix = glued.groups()
    if suffix and middle != "un":
        return (*_respell(token[: -len(suffix)]), suffix)
    if prefix:
        return (prefix, *_respell(middle))
    return (token,)


# One pass finds a legal form glued to either end of a word ("companylimited", "llcrn").
_GLUED_PREFIX = "|".join(GLUED_LEGAL_PREFIXES)
_GLUED_SUFFIX = "|".join(GLUED_LEGAL_SUFFIXES)
_GLUED = re.compile(f"^({_GLUED_PREFIX})?(.{{2,}}?)({_GLUED_SUFFIX})?$")


def is_legal_word(token: str) -> bool:
    """Whether a word belongs to a legal form, allowing for a slip ("otkrytie", "copmany")."""
    return token in LEGAL_EDGE_WORDS or _respell(token)[-1] in LEGAL_WORDS


def _raw_tokens(text: str) -> list[str]:
    text = text.replace("&", " and ").replace("+", " and ")
    if "." in text:
        text = _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", "") + " ", text)
    if not _NO_APOSTROPHE(text):
        text = _APOSTROPHE_IN_WORD.sub("", text)
    tokens: list[str] = []
    for token in _NON_ALNUM.sub(" ", text).split():
        if token.isalpha():
            # Most words: no digits to split off and no ordinal (the cases below).
            tokens.extend(_respell(token))
            continue
        if ABJAD_MARK in token:
            # Keep one leading mark per token so the matcher knows its vowels are missing.
            token = ABJAD_MARK + token.replace(ABJAD_MARK, "")
            if len(token) == 1:
                continue
            tokens.append(token)
            continue
        ordinal = _ORDINAL.match(token)
        if ordinal:
            tokens.append(ordinal.group(1))
            continue
        for part in _DIGITS_AND_LETTERS.findall(token):
            tokens.extend(_respell(part))
    return _join_split_legal_words(tokens)


def _join_split_legal_words(tokens: list[str]) -> list[str]:
    # "LIABI LITY" is a legal word typed with a stray space; joined, it is dropped as such.
    joined: list[str] = []
    i = 0
    while i < len(tokens):
        if (
            i + 1 < len(tokens)
            and tokens[i][:2] in _LEGAL_HEADS
            and tokens[i + 1][-2:] in _LEGAL_TAILS
            and tokens[i] not in LEGAL_WORDS
        ):
            respelt = _respell(tokens[i] + tokens[i + 1])
            if len(respelt) == 1 and respelt[0] in LEGAL_WORDS:
                joined.append(respelt[0])
                i += 2
                continue
        joined.append(tokens[i])
        i += 1
    return joined


@dataclass(frozen=True, slots=True)
class Analysed:
    """A name reduced to the tokens that identify it, with what was set aside and why."""

    tokens: tuple[str, ...]  # canonical core tokens, in written order
    surfaces: tuple[str, ...]  # the same tokens as written (lower-case ASCII), for explanations
    legal_forms: tuple[str, ...]  # legal forms found and left out of the comparison, as written

    @property
    def key(self) -> str:
        return " ".join(sorted(self.tokens))


# The longest legal form starting with each word, so most words need no phrase lookup at all.
_LEGAL_FORM_REACH: dict[str, int] = {}
for _phrase in LEGAL_FORMS:
    _LEGAL_FORM_REACH[_phrase[0]] = max(_LEGAL_FORM_REACH.get(_phrase[0], 0), len(_phrase))


def _find_legal_forms(tokens: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(tokens)
    while i < n:
        best = 0
        for length in range(min(_LEGAL_FORM_REACH.get(tokens[i], 0), n - i), 0, -1):
            if tuple(tokens[i : i + length]) in LEGAL_FORMS:
                best = length
                break
        if best:
            spans.append((i, i + best))
            i += best
        else:
            i += 1
    return spans


def _strip_legal_forms(tokens: list[str]) -> tuple[list[str], list[str]]:
    spans = _find_legal_forms(tokens)
    if not spans and not any(token in LEGAL_WORDS for token in tokens):
        return tokens, []
    n = len(tokens)
    strong = [token in LEGAL_WORDS for token in tokens]
    for start, end in spans:
        for k in range(start, end):
            strong[k] = True
    legal = [s or token in LEGAL_EDGE_WORDS for s, token in zip(strong, tokens, strict=True)]
    # Legal forms at either end of the name (chained or in odd order) are dropped; in the
    # middle only unambiguous ones, since "as", "sa" or "co" there is more likely a word. An
    # edge run needs one word that is only ever legal ("Open Stock" alone stays a name).
    edge_start = 0
    while edge_start < n and legal[edge_start]:
        edge_start += 1
    if not any(strong[:edge_start]):
        edge_start = 0
    edge_end = n
    while edge_end > edge_start and legal[edge_end - 1]:
        edge_end -= 1
    if not any(strong[edge_end:]):
        edge_end = n
    drop = [k < edge_start or k >= edge_end for k in range(n)]
    for start, end in spans:
        if tuple(tokens[start:end]) not in AMBIGUOUS_LEGAL_FORMS:
            for k in range(start, end):
                drop[k] = True
    removed: list[str] = []
    k = 0
    while k < n:
        if drop[k]:
            run_end = k
            while run_end < n and drop[run_end]:
                run_end += 1
            removed.append(" ".join(tokens[k:run_end]))
            k = run_end
        else:
            k += 1
    kept = [t for t, d in zip(tokens, drop, strict=True) if not d]
    return kept, removed


@lru_cache(maxsize=65536)
def analyse(text: str, *, query: bool = False) -> Analysed:
    """Reduce one name (already split from its decorations) to canonical tokens."""
    raw = list(_tokens_of(text))
    if query:
        # "- Purchasing Dept", "(Head Office)" and "Mr" or "President" say which site or which
        # role, not who; set aside first so that "S.A. Branch Office" still ends in "S.A.".
        trimmed = [t for t in raw if t not in DECORATION_WORDS]
        raw = trimmed or raw
    core, legal = _strip_legal_forms(raw)
    if text.isascii() or not any(_is_syllabic(ch) for ch in text):
        words = [t for t in core if t not in STOPWORDS]
    else:
        # Syllables of a CJK or Hangul name ("la", "di") are not the stopwords they spell.
        words = core
    if not words:
        # A name that is nothing but a legal form or stopwords still has to be comparable.
        words = [t for t in raw if t != ABJAD_MARK] or raw
        legal = []
    canonical = tuple(ABBREVIATIONS.get(t, t) for t in words)
    return Analysed(tokens=canonical, surfaces=tuple(words), legal_forms=tuple(legal))


def canonical_key(text: str) -> str:
    """The order-free canonical string of one name part (no decoration splitting)."""
    return analyse(text).key


def normalise_name(name: str) -> str:
    """The canonical form used for exact comparison: pure, deterministic and order-insensitive.

    Legal forms and stopwords are dropped, abbreviations expanded and the remaining tokens
    sorted, so "Huawei Technologies Co., Ltd." and "HUAWEI TECH LTD" give the same string.
    """
    return analyse(name).key


_CONSONANTS_ONLY = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "c"),
    ("tsj", "c"),
    ("sch", "s"),
    ("tch", "c"),
    ("tj", "c"),
    ("tx", "c"),
    ("cz", "c"),
    ("cs", "c"),
    ("gy", "d"),
    ("oe", "u"),
    ("oy", "u"),
    ("ph", "f"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("sh", "s"),
    ("ch", "c"),
    ("ck", "k"),
    ("dzh", "j"),
    ("zh", "j"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ie", "i"),
    ("z", "s"),
    ("x", "ks"),
)


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """A spelling-tolerant key: transliteration doublets (kh/h, y/i, w/v, ...) and doubled letters
    collapse, so "Zelenskyy", "Zelenskiy" and "Selenski" meet."""
    token = token.lstrip(ABJAD_MARK)
    for old, new in _SKELETON_RULES:
        if old in token:
            token = token.replace(old, new)
    if len(token) > 4 and token.endswith("e"):
        # French and German spellings add a silent e: "Poutine", "Wladimire".
        token = token[:-1]
    return _REPEATS.sub(r"\1", token)


_ABJAD_CONSONANTS = str.maketrans({"v": "f", "p": "b", "`": None})


@lru_cache(maxsize=262144)
def consonant_skeleton(token: str) -> str:
    """The skeleton without vowels: how an Arabic or Hebrew spelling meets a Latin one.

    Written Arabic has no p or v ("Putin" is written b-w-t-y-n) and its w and y mostly stand
    for the vowels u and i, so those are set aside on both sides."""
    if token.startswith(ABJAD_MARK):
        token = token[1:].replace("w", "").replace("y", "")
    spelt = skeleton(token).translate(_ABJAD_CONSONANTS)
    return _REPEATS.sub(r"\1", _CONSONANTS_ONLY.sub("", spelt)) or spelt


@dataclass(frozen=True, slots=True)
class NameVariant:
    """One comparable form of a list name, and which decoration of the name it came from."""

    text: str
    how: str  # "" for the name as written, else a short phrase for the explanation


_AFFILIATE = re.compile(r"\.?\s*\baffiliated\s+entit(?:y|ies)\s*:\s*", re.IGNORECASE)
_AKA = re.compile(
    r"(?:[;,]\s*|\s+|^)\(?\b(?:a\.?\s?k\.?\s?a|f\.?\s?k\.?\s?a|n\.?\s?k\.?\s?a|d\.?\s?b\.?\s?a)\b"
    r"\.?,?:?\s*",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r",?\s*(?:\band\s+subordinate\s+entit(?:y|ies)\b|\bincluding\b|\.\s+this\s+includes\b).*$",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_AND = re.compile(r"^\s*and\s+", re.IGNORECASE)
_DASH_TAIL = re.compile(r"\s+[-\u2013\u2014]+\s+.*$")
_ATTN_TAIL = re.compile(r",?\s*\b(?:attn|attention|c/o|care of)\b.*$", re.IGNORECASE)


def _parentheticals(text: str) -> list[tuple[int, int]]:
    """Top-level (...) and [...] groups as (start, end) spans, end exclusive; unbalanced ignored."""
    spans: list[tuple[int, int]] = []
    if "(" not in text and "[" not in text:
        return spans
    depth = 0
    start = -1
    for i, ch in enumerate(text):
        if ch in "([":
            if depth == 0:
                start = i
            depth += 1
        elif ch in ")]" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def _replace_spans(text: str, spans: list[tuple[int, int]], *, keep_inner: bool) -> str:
    """The text with each bracketed span removed, or with only its brackets removed."""
    pieces: list[str] = []
    previous = 0
    for start, end in spans:
        pieces.append(text[previous:start])
        pieces.append(f" {text[start + 1 : end - 1]} " if keep_inner else " ")
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


@lru_cache(maxsize=65536)
def _tokens_of(text: str) -> tuple[str, ...]:
    return tuple(_raw_tokens(clean_text(text)))


def _is_legal_only(text: str) -> bool:
    raw = list(_tokens_of(text))
    core, _ = _strip_legal_forms(raw)
    return bool(raw) and not core


def _is_place(text: str) -> bool:
    tokens = _tokens_of(text)
    return bool(tokens) and " ".join(tokens) in LOCATION_WORDS


def _is_place_like(segment: str) -> bool:
    # "Nanjing", "Xi'an", "Shaanxi Province" are places; "Beijing Research Institute" after
    # "Co., Ltd.," names a part of the company and stays part of the name.
    tokens = _tokens_of(segment)
    return (
        0 < len(tokens) <= 3
        and not _is_legal_only(segment)
        and not any(token in ORGANISATION_WORDS for token in tokens)
    )


def _location_cut(text: str) -> str | None:
    """The name up to its legal form when comma-separated places follow it, else None."""
    if text.count(",") < 2:
        return None
    segments = text.split(",")
    for i in range(len(segments) - 1, 0, -1):
        if _is_legal_only(segments[i]) or (
            _find_legal_forms(list(_tokens_of(segments[i]))) and i == len(segments) - 1
        ):
            tail = [s for s in segments[i + 1 :] if s.strip()]
            if tail and all(_is_place_like(s) for s in tail):
                return ",".join(segments[: i + 1])
            return None
    return None


# Words without which _TAIL and _AKA cannot match: most names skip those expressions.
_TAIL_WORDS = ("subordinate", "including", "includes")
_AKA_WORDS = ("aka", "fka", "nka", "dba")


def _may_contain(text: str, words: tuple[str, ...]) -> bool:
    """False only when an ASCII text holds none of the words in any case (IGNORECASE matching
    of non-ASCII text also folds letters such as the Kelvin sign, so that always may)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


def list_name_variants(name: str) -> list[NameVariant]:
    """Every form of a list name that a customer might type, each with how it was derived.

    Splits "Affiliated Entity:" rows into parent and affiliate, a.k.a./f.k.a. parts, trailing
    short names in brackets, places written after the legal form, and a leading "and ".
    """
    seen: dict[str, NameVariant] = {}

    def add(text: str, how: str) -> None:
        text = _LEADING_AND.sub("", text).strip(" ,;.:")
        if text and analyse(text).tokens and text not in seen:
            seen[text] = NameVariant(text, how)

    def expand(text: str, how: str) -> None:
        add(text, how)
        tail_cut = _TAIL.sub("", text) if _may_contain(text, _TAIL_WORDS) else text
        if tail_cut != text:
            add(tail_cut, how or "the name before its qualifier")
        spans = _parentheticals(text)
        if spans:
            add(_replace_spans(text, spans, keep_inner=True), how)
            asides = []
            for start, end in spans:
                inner = text[start + 1 : end - 1]
                trailing = not text[end:].strip(" .,;")
                if _AKA.match(inner) is not None:
                    add(_AKA.sub("", inner, count=1), "an a.k.a. in brackets")
                    asides.append(True)
                elif trailing and not _is_legal_only(inner) and not _is_place(inner):
                    add(inner, "the short name in brackets")
                    asides.append(True)
                else:
                    asides.append(_is_legal_only(inner))
            # Dropping a short name or a legal form loses nothing; dropping "(Bolivia)" from
            # "Huawei Technologies (Bolivia) S.R.L." reads the name more loosely.
            add(
                _replace_spans(text, spans, keep_inner=False),
                how
                or (
                    "the name without its bracketed short name"
                    if all(asides)
                    else "the name without its bracketed part"
                ),
            )
        cut = _location_cut(text)
        if cut is not None:
            add(cut, how or "the name without the place after its legal form")
            # Brackets and places can both decorate one name.
            if spans:
                cut_spans = _parentheticals(cut)
                if cut_spans:
                    start, end = cut_spans[0]
                    add(cut[:start] + cut[end:], how or "the name without decorations")

    parts = _AFFILIATE.split(name) if _may_contain(name, ("affiliated",)) else [name]
    if len(parts) == 2:
        parent, affiliate = parts
        expand(affiliate, "the affiliated-entity part")
        expand(parent, "the parent named before 'Affiliated Entity:'")
        return list(seen.values())
    if _may_contain("".join(name.split()).replace(".", ""), _AKA_WORDS):
        pieces = [p for p in _AKA.split(name) if p.strip(" ,;.()")]
    else:
        pieces = [name]
    if len(pieces) > 1:
        for k, piece in enumerate(pieces):
            expand(piece.strip(" ,;()"), "" if k == 0 else "an a.k.a. part of the name")
        add(name, "")
        return list(seen.values())
    expand(name, "")
    return list(seen.values())


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def query_variants(name: str) -> list[str]:
    """Forms of a customer's name to try: as written, without site or department tails, with
    camel case split ("UgurYildiz"), and the parts of a pasted list name."""
    forms = [name]
    parts = _AFFILIATE.split(name)
    if len(parts) == 2:
        forms.extend(p for p in parts if p.strip())
    camel = _CAMEL.sub(" ", name)
    if camel != name:
        forms.append(camel)
    without_dash = _DASH_TAIL.sub("", name)
    without_attn = _ATTN_TAIL.sub("", without_dash)
    spans = _parentheticals(without_attn)
    without_brackets = without_attn
    if spans:
        without_brackets = _replace_spans(without_attn, spans, keep_inner=False)
    for form in (without_dash, without_attn, without_brackets):
        if form.strip() and form not in forms:
            forms.append(form)
    return forms


def clear_caches() -> None:
    """Forget memoised normalisations (for honest timing; results never depend on them)."""
    for cached in (analyse, _tokens_of, _respell, skeleton, consonant_skeleton):
        cached.cache_clear()
