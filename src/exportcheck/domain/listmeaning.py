"""What each official screening list means for a sale, and the reading of licence texts.

Two pure tables live here:

* the meaning of every list the trade.gov Consolidated Screening List (CSL) carries, keyed by a
  short list id (``entity-list``, ``sdn``, ...): its effect on a sale, the default review policy,
  whether it only reaches items subject to the EAR, and the regulation behind it
  (``docs/lists.md`` prints the same table);
* the parser of the Entity List's "License requirement" and "License review policy" columns into
  a :class:`RequirementScope` and a :class:`ReviewPolicy`.

Text the parser does not understand gives ``UNKNOWN``, which the engine treats as "a licence is
needed and the policy must be read by a person" -- never as licence-free.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from exportcheck.domain.rules import (
    Footnote,
    ListEffect,
    RequirementScope,
    ReviewPolicy,
    ScreeningListInfo,
)

__all__ = [
    "CSL_SOURCE_CODES",
    "LIST_MEANINGS",
    "entry_policy",
    "list_for_source",
    "parse_footnotes",
    "parse_policy",
    "parse_requirement_scope",
    "unknown_list",
]


def _info(
    list_id: str,
    name: str,
    citation: str,
    effect: ListEffect,
    policy: ReviewPolicy,
    *,
    subject_items_only: bool,
    bars_licence_exceptions: bool,
    description: str,
) -> ScreeningListInfo:
    return ScreeningListInfo(
        id=list_id,
        name=name,
        citation=citation,
        effect=effect,
        policy=policy,
        subject_items_only=subject_items_only,
        bars_licence_exceptions=bars_licence_exceptions,
        description=description,
    )


_P = ListEffect.PROHIBITED
# Lists that restrict some transactions with a party (securities, debt, accounts), not the sale
# of goods: the gate stops for a person to review, without calling the sale prohibited.
_R = ListEffect.LICENCE_REQUIRED
_TREASURY_NOTE = (
    " OFAC sanctions are outside the EAR and reach every transaction, whatever the items; "
    "exportcheck stops the sale so that a person checks the sanctions programme."
)

# The documented table (docs/lists.md). Order: BIS lists, State lists, Treasury lists.
LIST_MEANINGS: Mapping[str, ScreeningListInfo] = MappingProxyType(
    {
        info.id: info
        for info in (
            _info(
                "entity-list",
                "Entity List (EL) - Bureau of Industry and Security",
                "15 CFR 744.11; 15 CFR 744.16; Supplement No. 4 to Part 744",
                ListEffect.PER_ENTRY,
                ReviewPolicy.UNKNOWN,
                subject_items_only=True,
                bars_licence_exceptions=True,
                description=(
                    "Each entry states its own licence requirement and review policy. "
                    "No licence exception may be used (744.16(b)). An entry whose policy "
                    "text is missing or not understood keeps the unknown policy."
                ),
            ),
            _info(
                "denied-persons",
                "Denied Persons List (DPL) - Bureau of Industry and Security",
                "15 CFR 736.2(b)(4) (General Prohibition 4); 15 CFR 764.3(a)(2); 15 CFR 766.25",
                _P,
                ReviewPolicy.DENIAL_ORDER,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "A denial order bars the listed person from any transaction involving "
                    "items subject to the EAR; nobody may take part in one with them "
                    "(General Prohibition 4)."
                ),
            ),
            _info(
                "unverified",
                "Unverified List (UVL) - Bureau of Industry and Security",
                "15 CFR 744.15; Supplement No. 6 to Part 744",
                ListEffect.LICENCE_REQUIRED,
                ReviewPolicy.UNKNOWN,
                subject_items_only=True,
                bars_licence_exceptions=True,
                description=(
                    "No licence exception may be used (744.15(a)); an export that needs no "
                    "licence still needs a UVL statement from the party before it ships "
                    "(744.15(b)). Treated as licence-required so that a person checks the "
                    "licence or the UVL statement."
                ),
            ),
            _info(
                "military-end-user",
                "Military End User (MEU) List - Bureau of Industry and Security",
                "15 CFR 744.21; Supplement No. 7 to Part 744",
                ListEffect.LICENCE_REQUIRED,
                ReviewPolicy.PRESUMPTION_OF_DENIAL,
                subject_items_only=True,
                bars_licence_exceptions=True,
                description=(
                    "A licence is required for the items of Supplement No. 2 to Part 744 "
                    "(744.21(a)); applications are reviewed with a presumption of denial "
                    "(744.21(e)). exportcheck applies the requirement to every item subject "
                    "to the EAR because it cannot tell which items Supplement No. 2 lists."
                ),
            ),
            _info(
                "itar-debarred",
                "ITAR Debarred (DTC) - State Department",
                "22 CFR 127.7; 22 CFR 120.27",
                _P,
                ReviewPolicy.DENIAL_ORDER,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "A debarred person may not take part, directly or indirectly, in any "
                    "export of defence articles or services (22 CFR 127.7). Outside the EAR, "
                    "but a gate stops: the sale is prohibited until a person has checked it."
                ),
            ),
            _info(
                "nonproliferation",
                "Nonproliferation Sanctions (ISN) - State Department",
                "INKSNA (50 U.S.C. 1701 note); E.O. 12938; E.O. 13382; CBW Act (22 U.S.C. 5605); "
                "15 CFR 744.8",
                _P,
                ReviewPolicy.POLICY_OF_DENIAL,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "The measures differ by programme (see each entry's programs): many deny "
                    "new export licences and US government procurement, some block all "
                    "transactions. Treated conservatively as prohibited until a person has "
                    "read the measures imposed on the party."
                ),
            ),
            _info(
                "sdn",
                "Specially Designated Nationals (SDN) - Treasury Department",
                "31 CFR Chapter V; 15 CFR 744.8",
                _P,
                ReviewPolicy.SANCTIONS,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "Property and interests in property are blocked; US persons may not deal "
                    "with the party." + _TREASURY_NOTE
                ),
            ),
            _info(
                "fse",
                "Foreign Sanctions Evaders (FSE) - Treasury Department",
                "31 CFR Chapter V; E.O. 13608",
                _P,
                ReviewPolicy.SANCTIONS,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "Transactions by US persons, or in the United States, involving the party "
                    "are prohibited (E.O. 13608)." + _TREASURY_NOTE
                ),
            ),
            _info(
                "ssi",
                "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
                "31 CFR Part 589; E.O. 13662 Directives 1-4",
                _R,
                ReviewPolicy.UNKNOWN,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "The Directives prohibit specific transactions (new debt or equity, and "
                    "goods or services for certain oil projects), not all dealings. "
                    "Reported as licence-required (review before shipping), not prohibited: "
                    "the gate stops and a person decides whether the sale falls under a "
                    "Directive." + _TREASURY_NOTE
                ),
            ),
            _info(
                "plc",
                "Palestinian Legislative Council List (PLC) - Treasury Department",
                "31 CFR Part 594; 31 CFR Part 597",
                _P,
                ReviewPolicy.SANCTIONS,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "Members of the Palestinian Legislative Council elected on the party slate "
                    "of a Foreign Terrorist Organization; transactions with them are restricted."
                    + _TREASURY_NOTE
                ),
            ),
            _info(
                "cmic",
                "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - "
                "Treasury Department",
                "31 CFR Part 586; E.O. 13959 as amended by E.O. 14032",
                _R,
                ReviewPolicy.UNKNOWN,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "Only purchases of publicly traded securities of the company are "
                    "prohibited, not sales of goods. Reported as licence-required (review "
                    "before shipping), not prohibited: the gate stops and a person confirms "
                    "the sale is not a securities transaction." + _TREASURY_NOTE
                ),
            ),
            _info(
                "capta",
                "Capta List (CAP) - Treasury Department",
                "31 CFR Part 561; 31 CFR Part 589 (correspondent and payable-through accounts)",
                _R,
                ReviewPolicy.UNKNOWN,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "US financial institutions may not open or keep correspondent or "
                    "payable-through accounts for the listed foreign financial institutions. "
                    "Reported as licence-required (review before shipping), not prohibited: "
                    "the gate stops and a person checks how the sale is paid." + _TREASURY_NOTE
                ),
            ),
            _info(
                "ns-mbs",
                "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
                "31 CFR Chapter V; CAATSA sections 224, 231, 232; E.O. 13846; E.O. 14024",
                _R,
                ReviewPolicy.UNKNOWN,
                subject_items_only=False,
                bars_licence_exceptions=True,
                description=(
                    "Menu-based sanctions: only the measures chosen for the party apply "
                    "(see its programs). Reported as licence-required (review before "
                    "shipping), not prohibited: the gate stops and a person reads the "
                    "measures." + _TREASURY_NOTE
                ),
            ),
        )
    }
)

# The abbreviation that every CSL `source` value carries in brackets, to the list id.
CSL_SOURCE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "EL": "entity-list",
        "DPL": "denied-persons",
        "UVL": "unverified",
        "MEU": "military-end-user",
        "DTC": "itar-debarred",
        "ISN": "nonproliferation",
        "SDN": "sdn",
        "FSE": "fse",
        "SSI": "ssi",
        "PLC": "plc",
        "CMIC": "cmic",
        "CAP": "capta",
        "NS-MBS": "ns-mbs",
    }
)

_CODE = re.compile(r"\(([A-Z][A-Z-]*?)(?: List)?\)")
_SLUG = re.compile(r"[^a-z0-9]+")


def list_for_source(source: str) -> ScreeningListInfo | None:
    """The meaning of a CSL ``source`` value, or None for a list exportcheck does not know."""
    for code in _CODE.findall(source):
        list_id = CSL_SOURCE_CODES.get(code)
        if list_id is not None:
            return LIST_MEANINGS[list_id]
    return None


def unknown_list(source: str) -> ScreeningListInfo:
    """A conservative meaning for a list that is not in the table: licence required, policy
    unknown, for every item -- a person must read what the list means."""
    head = source.split(" - ")[0]
    slug = _SLUG.sub("-", head.casefold()).strip("-")[:60] or "unnamed"
    return ScreeningListInfo(
        id=f"unknown-{slug}",
        name=" ".join(source.split()) or "unnamed list",
        citation="not known to exportcheck: see the list's own source",
        effect=ListEffect.LICENCE_REQUIRED,
        policy=ReviewPolicy.UNKNOWN,
        subject_items_only=False,
        bars_licence_exceptions=True,
        description=(
            "This list was not known to exportcheck when it was imported; its entries are "
            "treated conservatively as licence-required with an unknown review policy."
        ),
    )


# --- licence review policy ---------------------------------------------------------------------

_POLICY_PHRASES: tuple[tuple[re.Pattern[str], ReviewPolicy], ...] = (
    (re.compile(r"polic(?:y|ies) of denial"), ReviewPolicy.POLICY_OF_DENIAL),
    (re.compile(r"presumption (?:of|for) denial"), ReviewPolicy.PRESUMPTION_OF_DENIAL),
    (re.compile(r"ca[sa]e[- ]by[- ]case"), ReviewPolicy.CASE_BY_CASE),
    (re.compile(r"presumption (?:of|for) approval"), ReviewPolicy.PRESUMPTION_OF_APPROVAL),
)
# Texts that only point at a section whose review policy is fixed by the regulation itself.
_POLICY_REFERENCES: tuple[tuple[re.Pattern[str], ReviewPolicy], ...] = (
    # 744.21(e): MEU licence applications are reviewed with a presumption of denial.
    (
        re.compile(r"744\.21\s*\(?d\)?\s*and\s*\(e\)|744\.21\s*\(e\)"),
        ReviewPolicy.PRESUMPTION_OF_DENIAL,
    ),
)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("\u2011", "-").replace("\u2013", "-").split())


def parse_policy(text: str | None) -> ReviewPolicy:
    """The review policy a "License review policy" text states.

    Where a text states several policies for different items ("Case-by-case for items on the
    CCL. Presumption of approval for EAR99 items"), the most restrictive one is taken: the item
    lists inside the text are not modelled, so the reading errs on the side of denial. A text
    that only refers elsewhere ("See §744.3(d) of this part") gives ``UNKNOWN``.
    """
    if not text or not text.strip():
        return ReviewPolicy.UNKNOWN
    folded = _fold(text)
    found = [policy for pattern, policy in _POLICY_PHRASES if pattern.search(folded)]
    if not found:
        found = [policy for pattern, policy in _POLICY_REFERENCES if pattern.search(folded)]
    if not found:
        return ReviewPolicy.UNKNOWN
    return max(found, key=lambda policy: policy.restrictiveness)


def entry_policy(info: ScreeningListInfo, text: str | None) -> ReviewPolicy | None:
    """The policy to record on an entry of ``info`` whose policy column reads ``text``.

    None when the entry states nothing (the list's own policy applies). For lists whose effect
    is fixed, an entry's text can only make the policy stricter, never weaker.
    """
    if not text or not text.strip():
        return None
    parsed = parse_policy(text)
    if info.effect is ListEffect.PER_ENTRY:
        return parsed
    if parsed is ReviewPolicy.UNKNOWN:
        return info.policy
    return max((parsed, info.policy), key=lambda policy: policy.restrictiveness)


# --- licence requirement -----------------------------------------------------------------------

_ALL_ITEMS = re.compile(r"\ball items? subjects? to the ear\b")
_CCL_ITEMS = re.compile(r"\bitems? (?:on|listed on) the (?:ccl|commerce control list)\b")


def parse_requirement_scope(text: str | None) -> RequirementScope:
    """Which items a "License requirement" text reaches.

    "For all items subject to the EAR", with or without exceptions, is ``ALL_ITEMS``: the
    exceptions (food and medicine, standards work, ...) are kept verbatim but not modelled,
    so the requirement is applied more widely than the regulation does, never less. Items on
    the CCL only is ``CCL_ITEMS``; anything else (a supplement's item list, a text that also
    names some EAR99 items, no text at all) is ``UNKNOWN``, treated as all items.
    """
    if not text or not text.strip():
        return RequirementScope.UNKNOWN
    folded = _fold(text)
    if _ALL_ITEMS.search(folded):
        return RequirementScope.ALL_ITEMS
    if _CCL_ITEMS.search(folded) and "ear99" not in folded:
        return RequirementScope.CCL_ITEMS
    return RequirementScope.UNKNOWN


# Footnote numbers fused into the text: "734.9(e)1", "734.9(g),3", "734.9(g), 3 746.8",
# "744.11 of the EAR2", "of the EAR)4", "of the EAR) 4".
_FOOTNOTE_AFTER_FDP = re.compile(r"734\.9\s*\(([a-z])\)(?:\((\d)\))?\s*,?\s*(\d)(?![\w(]|\.\d)")
_FOOTNOTE_AFTER_EAR = re.compile(r"\bEAR\)?\s?\.?\)?\s?(\d)(?![\w(]|\.\d)")


def parse_footnotes(text: str | None) -> tuple[Footnote, ...]:
    """The footnotes of Supplement No. 4 to Part 744 whose numbers are fused into a requirement
    text ("734.9(e)1", "734.9(g),3", "744.11 of the EAR2"), sorted by number.

    A number written after a foreign direct product rule paragraph carries that paragraph as
    its citation ("15 CFR 734.9(g)").
    """
    if not text:
        return ()
    found: dict[int, str | None] = {}
    for paragraph, sub, number in _FOOTNOTE_AFTER_FDP.findall(text):
        found[int(number)] = f"15 CFR 734.9({paragraph})" + (f"({sub})" if sub else "")
    for number in _FOOTNOTE_AFTER_EAR.findall(text):
        found.setdefault(int(number), None)
    found.pop(0, None)
    return tuple(Footnote(number=n, citation=found[n]) for n in sorted(found))


# --- effective dates of Federal Register notices ------------------------------------------------


@dataclass(frozen=True, slots=True)
class EarlyNotice:
    """A Federal Register notice that took effect before the day it was published.

    The CSL's ``start_date`` is the publication date; a screening between the two dates must
    still see the entry, so entries citing a page of such a notice and starting on its
    publication date are dated from its effective date instead.
    """

    volume: int
    first_page: int
    last_page: int
    published: dt.date
    effective: dt.date
    title: str


EARLY_NOTICES: tuple[EarlyNotice, ...] = (
    EarlyNotice(
        84,
        22961,
        22963,
        dt.date(2019, 5, 21),
        dt.date(2019, 5, 16),
        "Addition of Entities to the Entity List (Huawei and 68 affiliates)",
    ),
    EarlyNotice(
        84,
        43493,
        43495,
        dt.date(2019, 8, 21),
        dt.date(2019, 8, 19),
        "Addition of Certain Entities to the Entity List (46 Huawei affiliates)",
    ),
    EarlyNotice(
        85,
        51596,
        51603,
        dt.date(2020, 8, 20),
        dt.date(2020, 8, 17),
        "Addition of Huawei Non-U.S. Affiliates to the Entity List (38 affiliates)",
    ),
)
# A Federal Register citation as the lists write it: "84 FR 22961", "87 F.R. 52741".
FR_CITATION = re.compile(r"(\d{1,3})\s*F\.?\s?R\.?\s*(\d{1,6})\b")


def effective_from(start: dt.date | None, citations: str | None) -> dt.date | None:
    """The date an entry is in force from: its start date, or the effective date of an
    :data:`EARLY_NOTICES` notice it cites when it starts on that notice's publication date."""
    if start is None or not citations:
        return start
    for volume, page in FR_CITATION.findall(citations):
        for notice in EARLY_NOTICES:
            if (
                int(volume) == notice.volume
                and notice.first_page <= int(page) <= notice.last_page
                and start == notice.published
            ):
                return notice.effective
    return start
