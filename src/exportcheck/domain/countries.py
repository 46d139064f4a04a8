"""Resolution of country codes and names to ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import functools
import unicodedata

# Names that users and the official lists write but ISO's short names do not contain,
# and codes outside ISO 3166-1 that the screening lists use.
_EXTRA_NAMES: dict[str, str] = {
    "burma": "MM",
    "russia": "RU",
    "south korea": "KR",
    "korea, south": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "korea, north": "KP",
    "dprk": "KP",
    "iran": "IR",
    "syria": "SY",
    "taiwan": "TW",
    "vietnam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "macau": "MO",
    "macao": "MO",
    "hong kong": "HK",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "turkey": "TR",
    "turkiye": "TR",
    "uae": "AE",
    "prc": "CN",
    "people's republic of china": "CN",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "palestine": "PS",
    "kosovo": "XK",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "vatican": "VA",
}
_EXTRA_CODES: dict[str, str] = {"XK": "Kosovo", "XKX": "XK"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    import pycountry  # deferred: loading its database costs start-up time

    alpha2: dict[str, str] = {}
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        alpha2[country.alpha_2] = getattr(country, "common_name", None) or country.name
        alpha3[country.alpha_3] = country.alpha_2
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names[_fold(value)] = country.alpha_2
    alpha2["XK"] = "Kosovo"
    alpha3["XKX"] = "XK"
    names.update(_EXTRA_NAMES)
    return alpha2, alpha3, names


def resolve_country(value: str) -> str:
    """Return the alpha-2 code for an alpha-2 or alpha-3 code or an English short name.

    Raises ValueError with a message fit for a user when the value names no country.
    """
    text = value.strip()
    if not text:
        raise ValueError("country is empty")
    alpha2, alpha3, names = _tables()
    upper = text.upper()
    if len(text) == 2 and upper in alpha2:
        return upper
    if len(text) == 3 and upper in alpha3:
        return alpha3[upper]
    code = names.get(_fold(text))
    if code is not None:
        return code
    raise ValueError(
        f"unknown country {value!r}: use an ISO 3166-1 alpha-2 code (e.g. CN), "
        "an alpha-3 code (CHN) or the English short name (China)"
    )


def is_country_code(value: str) -> bool:
    """True when value is a known ISO 3166-1 alpha-2 code (or XK)."""
    return value in _tables()[0]


def country_name(code: str) -> str:
    """The English short name of an alpha-2 code, or the code itself when unknown."""
    return _tables()[0].get(code, code)
