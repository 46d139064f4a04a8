"""The list-meaning table and the reading of licence requirement and review policy texts."""

from __future__ import annotations

import pytest

from exportcheck.domain.listmeaning import (
    CSL_SOURCE_CODES,
    LIST_MEANINGS,
    entry_policy,
    list_for_source,
    parse_footnotes,
    parse_policy,
    parse_requirement_scope,
    unknown_list,
)
from exportcheck.domain.rules import ListEffect, RequirementScope, ReviewPolicy, Verdict

P = ReviewPolicy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Presumption of denial.", P.PRESUMPTION_OF_DENIAL),
        ("Presumption of Denial", P.PRESUMPTION_OF_DENIAL),
        ("Presumption for denial", P.PRESUMPTION_OF_DENIAL),
        ("Policy of denial. ", P.POLICY_OF_DENIAL),
        ("Policy of denial. See §§ 746.8(b) and 744.21(e).", P.POLICY_OF_DENIAL),
        ("Case-by-case basis.", P.CASE_BY_CASE),
        ("Case-by-Case review for licenses for the safety of civil aviation", P.CASE_BY_CASE),
        ("Presumption of approval for EAR99 items", P.PRESUMPTION_OF_APPROVAL),
        # Mixed policies: the most restrictive one, as the item lists are not modelled.
        (
            "Case-by-case for all items listed on the CCL. Presumption of approval for EAR99 items",
            P.CASE_BY_CASE,
        ),
        (
            "Case-by-case review for items necessary to detect, identify and treat infectious "
            "disease; Presumption of denial for all other items subject to the EAR.",
            P.PRESUMPTION_OF_DENIAL,
        ),
        (
            "Case-by-case review for ECCNs 1A004.c ...; casa-by-case review for items necessary "
            "to detect ...; and presumption of denial for all other items subject to the EAR.",
            P.PRESUMPTION_OF_DENIAL,
        ),
        (
            "Policy of denial; Case-by-case basis for U.S. Government space programs.",
            P.POLICY_OF_DENIAL,
        ),
        (
            "Presumption of denial for items uniquely required for production of semiconducto rs "
            "at advanced technology nodes; Case by case for all other items",
            P.PRESUMPTION_OF_DENIAL,
        ),
        # References only: not understood, kept for a person to read.
        ("See §744.3(d) of this part", P.UNKNOWN),
        ("See §§ 744.2(d), 744.3(d), and 744.4(d) of this part.", P.UNKNOWN),
        ("See §746.5(b) of the EAR.", P.UNKNOWN),
        ("", P.UNKNOWN),
        (None, P.UNKNOWN),
        # 744.21(e) fixes the MEU review policy: presumption of denial.
        (
            "The license application procedure and license review policy for entities specified "
            "in supplement no. 2 to part 744 is specified in §744.21(d) and (e).",
            P.PRESUMPTION_OF_DENIAL,
        ),
    ],
)
def test_parse_policy(text: str | None, expected: ReviewPolicy) -> None:
    assert parse_policy(text) is expected


def test_unknown_policy_is_never_licence_free() -> None:
    assert P.UNKNOWN.verdict is Verdict.LICENCE_REQUIRED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("For all items subject to the EAR. (See §744.11 of the EAR)", RequirementScope.ALL_ITEMS),
        ("All Items Subject to the EAR", RequirementScope.ALL_ITEMS),
        ("All items subjects to the EAR except for: crude oil ...", RequirementScope.ALL_ITEMS),
        (
            "For all items subject to the EAR, see §§ 736.2(b)(3)(vi), and 744.11 of the EAR, "
            "EXCEPT for technology ... “standards organization”",
            RequirementScope.ALL_ITEMS,
        ),
        (
            "For items on the CCL and listed in supplement no. 7 to part 746",
            RequirementScope.CCL_ITEMS,
        ),
        # Names EAR99 items too: the CCL alone would be too narrow.
        (
            "For items on the CCL and EAR99 items listed in supplement no. 7 to part 746",
            RequirementScope.UNKNOWN,
        ),
        (
            "For any item subject to the EAR listed in supplement no. 2 to part 744.",
            RequirementScope.UNKNOWN,
        ),
        ("", RequirementScope.UNKNOWN),
    ],
)
def test_parse_requirement_scope(text: str, expected: RequirementScope) -> None:
    assert parse_requirement_scope(text) is expected


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("For all items subject to the EAR, see §§ 734.9(e)1 and 744.11 of the EAR2", [1, 2]),
        ("(See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR.)", [3]),
        ("(See §734.9(g), 3 §746.8(a)(3), and §744.21(b) of the EAR).", [3]),
        ("(See §§734.9(g)3, 746.8(a)(3), and 744.2l(b) of the EAR)", [3]),
        ("(See §§ 734.9(e)(2) and 744.11 of the EAR)4", [4]),
        ("(See §734.9(e), and 744.11 of the EAR)4.", [4]),
        ("(See §§734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR)5", [5]),
        ("(See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR)", []),
        ("For all items subject to the EAR. (See §744.11 of the EAR)", []),
        ("except for food or medicine designated as EAR99, or ECCN 5A992.c", []),
        (None, []),
    ],
)
def test_parse_footnotes(text: str | None, numbers: list[int]) -> None:
    assert [f.number for f in parse_footnotes(text)] == numbers


def test_footnote_citation() -> None:
    (footnote,) = parse_footnotes("(See §§ 734.9(g),3 746.8(a)(3))")
    assert footnote.citation == "15 CFR 734.9(g)"


@pytest.mark.parametrize(
    ("source", "list_id"),
    [
        ("Entity List (EL) - Bureau of Industry and Security", "entity-list"),
        ("Denied Persons List (DPL) - Bureau of Industry and Security", "denied-persons"),
        ("Unverified List (UVL) - Bureau of Industry and Security", "unverified"),
        ("Military End User (MEU) List - Bureau of Industry and Security", "military-end-user"),
        ("ITAR Debarred (DTC) - State Department", "itar-debarred"),
        ("Nonproliferation Sanctions (ISN) - State Department", "nonproliferation"),
        ("Specially Designated Nationals (SDN) - Treasury Department", "sdn"),
        ("Foreign Sanctions Evaders (FSE) - Treasury Department", "fse"),
        ("Sectoral Sanctions Identifications List (SSI) - Treasury Department", "ssi"),
        ("Palestinian Legislative Council List (PLC) - Treasury Department", "plc"),
        (
            "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - "
            "Treasury Department",
            "cmic",
        ),
        ("Capta List (CAP) - Treasury Department", "capta"),
        ("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department", "ns-mbs"),
    ],
)
def test_every_csl_source_is_known(source: str, list_id: str) -> None:
    info = list_for_source(source)
    assert info is not None and info.id == list_id


def test_table_is_complete_and_conservative() -> None:
    assert set(CSL_SOURCE_CODES.values()) == set(LIST_MEANINGS)
    for info in LIST_MEANINGS.values():
        assert info.citation and info.description
        if info.effect is ListEffect.PROHIBITED:
            assert info.policy.verdict is Verdict.PROHIBITED, info.id
            assert info.subject_items_only is False, info.id
    assert LIST_MEANINGS["entity-list"].effect is ListEffect.PER_ENTRY
    assert LIST_MEANINGS["entity-list"].bars_licence_exceptions
    assert LIST_MEANINGS["unverified"].effect is ListEffect.LICENCE_REQUIRED
    assert LIST_MEANINGS["military-end-user"].policy is P.PRESUMPTION_OF_DENIAL
    assert LIST_MEANINGS["denied-persons"].policy is P.DENIAL_ORDER
    assert "736.2(b)(4)" in LIST_MEANINGS["denied-persons"].citation
    assert "127.7" in LIST_MEANINGS["itar-debarred"].citation
    for treasury in ("sdn", "fse", "plc"):  # all dealings with the party are prohibited
        assert LIST_MEANINGS[treasury].policy is P.SANCTIONS
        assert "31 CFR" in LIST_MEANINGS[treasury].citation
    # These restrict some transactions only (securities, debt, accounts): a hit stops the sale
    # for review (licence-required) but does not make a sale of goods prohibited.
    for treasury in ("ssi", "cmic", "capta", "ns-mbs"):
        info = LIST_MEANINGS[treasury]
        assert info.effect is ListEffect.LICENCE_REQUIRED and info.policy is P.UNKNOWN
        assert info.subject_items_only is False
        assert "31 CFR" in info.citation


def test_unknown_source() -> None:
    assert list_for_source("Brand New List (BNL) - Somewhere") is None
    info = unknown_list("Brand New List (BNL) - Somewhere")
    assert info.id == "unknown-brand-new-list-bnl"
    assert info.effect is ListEffect.LICENCE_REQUIRED
    assert info.policy is P.UNKNOWN
    assert info.subject_items_only is False


def test_entry_policy() -> None:
    el, meu = LIST_MEANINGS["entity-list"], LIST_MEANINGS["military-end-user"]
    assert entry_policy(el, None) is None  # nothing stated: the list's own policy applies
    assert entry_policy(el, "Case-by-case basis") is P.CASE_BY_CASE
    assert entry_policy(el, "See §744.3(d) of this part") is P.UNKNOWN
    # A list with a fixed policy: an entry's text can only make it stricter.
    assert entry_policy(meu, "Case-by-case basis") is P.PRESUMPTION_OF_DENIAL
    assert entry_policy(meu, "Policy of denial") is P.POLICY_OF_DENIAL
    assert entry_policy(meu, "gibberish") is P.PRESUMPTION_OF_DENIAL


def test_entries_of_notices_effective_before_publication_start_on_the_effective_date() -> None:
    import datetime as dt

    from exportcheck.domain.listmeaning import effective_from

    published = dt.date(2020, 8, 20)
    assert effective_from(published, "85 FR 51603") == dt.date(2020, 8, 17)
    assert effective_from(published, "85 FR 51596; 85 FR 52898") == dt.date(2020, 8, 17)
    assert effective_from(dt.date(2019, 5, 21), "84 FR 22963, 84 FR 43495") == dt.date(2019, 5, 16)
    # a later start (a re-listing, a correction) or another notice keeps the start date
    assert effective_from(dt.date(2020, 9, 1), "85 FR 51603") == dt.date(2020, 9, 1)
    assert effective_from(published, "87 FR 20299") == published
    assert effective_from(None, "85 FR 51603") is None
