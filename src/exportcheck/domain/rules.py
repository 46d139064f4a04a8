"""Rule files: the validated models of every rule kind, and the merged rule set."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, Field, model_validator

from exportcheck.domain.base import Country, Dated, Eccn, Model, NonEmptyStr
from exportcheck.domain.sale import Purpose

_T = TypeVar("_T")

_COLUMN = re.compile(r"^(NS[12]|MT1|NP[12]|CB[123]|RS[12]|FC1|CC[123]|UN1|AT[12])$")
_GROUP = re.compile(r"^(?:[A-E]:[0-9]|B)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
_PATTERN = re.compile(r"^(?:EAR99|[0-9xX][A-Ex][0-9x]{3}(?:\.[a-z0-9]+)*)$")


def _column(value: str) -> str:
    if not _COLUMN.match(value):
        raise ValueError(
            f"unknown Country Chart column {value!r} (NS1, NS2, MT1, NP1, CB1, AT1, ...)"
        )
    return value


def _group(value: str) -> str:
    if not _GROUP.match(value):
        raise ValueError(
            f"malformed country group {value!r}: expected B, or a letter and a digit such as D:1"
        )
    return value


def _rule_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"malformed id {value!r}: letters, digits and . _ : - only")
    return value


def _pattern(value: str) -> str:
    text = value.strip()
    head, _, tail = text.partition(".")
    text = (head.upper().replace("X", "x") + ("." + tail.lower() if tail else "")).replace(
        "EARxx", "EAR99"
    )
    if text.upper() == "EAR99":
        return "EAR99"
    if not _PATTERN.match(text):
        raise ValueError(f"malformed ECCN pattern {value!r} (e.g. 3A001, 3A001.b, 9x515, EAR99)")
    return text


Column = Annotated[str, AfterValidator(_column)]
GroupId = Annotated[str, AfterValidator(_group)]
RuleId = Annotated[str, AfterValidator(_rule_id)]
EccnPattern = Annotated[str, AfterValidator(_pattern)]


class Verdict(StrEnum):
    """The three verdicts of interface.md, in increasing severity."""

    LICENCE_FREE = "licence-free"
    LICENCE_REQUIRED = "licence-required"
    PROHIBITED = "prohibited"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Verdict.LICENCE_FREE: 0, Verdict.LICENCE_REQUIRED: 1, Verdict.PROHIBITED: 2}


class ReviewPolicy(StrEnum):
    """Licence review policies; the first three mean the sale must not go ahead."""

    POLICY_OF_DENIAL = "policy-of-denial"
    DENIAL_ORDER = "denial-order"
    SANCTIONS = "sanctions"
    PRESUMPTION_OF_DENIAL = "presumption-of-denial"
    CASE_BY_CASE = "case-by-case"
    PRESUMPTION_OF_APPROVAL = "presumption-of-approval"
    # Policy text that exportcheck could not read, or a review policy the rules do not model.
    UNKNOWN = "unknown"

    @property
    def verdict(self) -> Verdict:
        if self in (self.POLICY_OF_DENIAL, self.DENIAL_ORDER, self.SANCTIONS):
            return Verdict.PROHIBITED
        return Verdict.LICENCE_REQUIRED

    @property
    def restrictiveness(self) -> int:
        return _RESTRICTIVENESS[self]


_RESTRICTIVENESS = {
    ReviewPolicy.PRESUMPTION_OF_APPROVAL: 0,
    ReviewPolicy.CASE_BY_CASE: 1,
    ReviewPolicy.UNKNOWN: 2,
    ReviewPolicy.PRESUMPTION_OF_DENIAL: 3,
    ReviewPolicy.POLICY_OF_DENIAL: 4,
    ReviewPolicy.SANCTIONS: 5,
    ReviewPolicy.DENIAL_ORDER: 6,
}


class Scope(Model):
    """A set of destinations: named countries and country groups, less exceptions."""

    all: bool = False
    countries: tuple[Country, ...] = ()
    groups: tuple[GroupId, ...] = ()
    except_countries: tuple[Country, ...] = ()
    except_groups: tuple[GroupId, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Scope:
        if not (self.all or self.countries or self.groups):
            raise ValueError("a destination scope needs all: true, countries or groups")
        return self


class Rule(Dated):
    """Every rule has a stable id, a citation and its dates in force."""

    id: RuleId
    citation: NonEmptyStr
    note: str | None = None


# --- screening lists -------------------------------------------------------------------------


class ListEffect(StrEnum):
    PER_ENTRY = "per-entry"  # each entry states its own licence requirement and review policy
    PROHIBITED = "prohibited"
    LICENCE_REQUIRED = "licence-required"


class ScreeningListInfo(Model):
    """What a list means for a sale, documented with its citation."""

    id: RuleId
    name: NonEmptyStr
    citation: NonEmptyStr
    effect: ListEffect
    # Default policy for entries that state none.
    policy: ReviewPolicy
    # True when the list only restricts items subject to the EAR (the Entity List); False for
    # lists that stop a sale whatever the items (sanctions, denial orders).
    subject_items_only: bool = True
    # True when no licence exception may be used for a sale to a listed party (744.16(b), 744.15).
    bars_licence_exceptions: bool = False
    description: str | None = None


class Address(Model):
    text: str | None = None
    country: Country | None = None


class Footnote(Dated):
    number: int = Field(ge=1, le=99)
    citation: str | None = None


class RequirementScope(StrEnum):
    ALL_ITEMS = "all-items"  # "For all items subject to the EAR"
    CCL_ITEMS = "ccl-items"  # only items on the Commerce Control List
    UNKNOWN = "unknown"  # text not understood: treated as all items


class ListEntry(Rule):
    name: NonEmptyStr
    aliases: tuple[str, ...] = ()
    type: Literal["entity", "individual", "vessel", "aircraft"] | None = None
    countries: tuple[Country, ...] = ()
    addresses: tuple[Address, ...] = ()
    requirement: str | None = None
    requirement_scope: RequirementScope = RequirementScope.ALL_ITEMS
    policy: ReviewPolicy | None = None
    policy_text: str | None = None
    footnotes: tuple[Footnote, ...] = ()
    programs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def all_countries(self) -> frozenset[str]:
        found = set(self.countries)
        found.update(a.country for a in self.addresses if a.country)
        return frozenset(found)


# --- destinations ----------------------------------------------------------------------------


class Membership(Dated):
    country: Country
    citation: str | None = None


class CountryGroup(Rule):
    group: GroupId
    name: NonEmptyStr
    members: tuple[Membership, ...]


class ChartRow(Rule):
    country: Country
    marks: tuple[Column, ...] = ()
    # Rows without marks whose controls live elsewhere (Part 746 embargoes) say where.
    see: str | None = None


class DestinationAlias(Rule):
    """A destination treated as another for all EAR purposes (Hong Kong as China, 2020-12-23)."""

    country: Country
    treated_as: Country


# --- items -----------------------------------------------------------------------------------


class Control(Model):
    """One reason for control of an ECCN: a Country Chart column, or its own destination scope."""

    reason: Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
    column: Column | None = None
    destinations: Scope | None = None
    paragraphs: tuple[str, ...] = ()
    citation: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Control:
        if (self.column is None) == (self.destinations is None):
            raise ValueError(
                "a control names either a Country Chart column or its own destinations"
            )
        return self


class EccnRule(Rule):
    eccn: Eccn
    title: NonEmptyStr
    controls: tuple[Control, ...] = ()
    gbs: bool = False
    lvs: Annotated[int, Field(ge=0)] | None = None


class SensitivityCategory(Rule):
    """How sensitive an item is, and the licence-review outlook that gives."""

    name: NonEmptyStr
    rank: int
    eccns: tuple[EccnPattern, ...] = ()
    reasons_any: tuple[str, ...] = ()
    reasons_only: tuple[str, ...] = ()
    outlook: NonEmptyStr


class DeMinimisRule(Rule):
    """A de minimis level: foreign items are subject when controlled US content exceeds it."""

    percent: Annotated[float, Field(ge=0, le=100)]
    destinations: Scope
    item_eccns: tuple[EccnPattern, ...] = ()
    content_eccns: tuple[EccnPattern, ...] = ()
    description: NonEmptyStr


class ItemSelector(StrEnum):
    ALL = "all"
    CCL = "ccl"  # classified on the Commerce Control List
    EAR99 = "ear99"


class Embargo(Rule):
    """A destination-wide control of Part 746."""

    destinations: Scope
    items: ItemSelector = ItemSelector.ALL
    policy: ReviewPolicy
    message: NonEmptyStr


class AuthorizationKind(StrEnum):
    GENERAL_LICENCE = "general-licence"
    LICENCE_EXCEPTION = "licence-exception"


class Authorization(Rule):
    """A general licence or licence exception that overcomes some licence requirements."""

    kind: AuthorizationKind
    symbol: Annotated[str, Field(pattern=r"^[A-Z0-9_]+$")]
    name: NonEmptyStr
    # What it overcomes: entries of these lists (general licences) ...
    lists: tuple[RuleId, ...] = ()
    entries: tuple[str, ...] = ()  # entry id patterns (fnmatch); empty means every entry
    purposes: tuple[Purpose, ...] = ()
    existing_before: dt.date | None = None
    # ... or these Part 746 embargo rules (by id) ...
    embargoes: tuple[RuleId, ...] = ()
    # ... or these Country Chart reasons (licence exceptions).
    reasons: tuple[str, ...] = ()
    eccns: tuple[EccnPattern, ...] = ()
    items: ItemSelector = ItemSelector.ALL
    destinations: Scope | None = None
    max_value: Annotated[float, Field(gt=0)] | None = None
    # LVS: the item's value may not exceed the LVS limit its ECCN states.
    max_value_from_eccn_lvs: bool = False
    # GBS: only for ECCNs that say "GBS: Yes" ...
    requires_eccn_gbs: bool = False
    # ... and only when every chart reason triggered is one this authorization overcomes.
    only_when_all_reasons_covered: bool = False
    conditions: str | None = None

    @model_validator(mode="after")
    def _overcomes_something(self) -> Authorization:
        if not (self.lists or self.reasons or self.embargoes):
            raise ValueError(
                "an authorization must name the lists, embargoes or reasons it overcomes"
            )
        return self


# --- files -----------------------------------------------------------------------------------


class Source(Model):
    """Provenance of an imported list: the download it came from."""

    file: NonEmptyStr
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    imported_at: dt.datetime
    as_of: dt.date | None = None
    format: str | None = None
    rows_read: int | None = None


class _File(Model):
    schema_version: Literal[1] = 1
    title: str | None = None
    description: str | None = None
    source: Source | None = None


class ScreeningListFile(_File):
    kind: Literal["screening-list"]
    list: ScreeningListInfo
    rules: tuple[ListEntry, ...]


class CountryGroupsFile(_File):
    kind: Literal["country-groups"]
    rules: tuple[CountryGroup, ...]


class CountryChartFile(_File):
    kind: Literal["country-chart"]
    rules: tuple[ChartRow, ...]


class DestinationsFile(_File):
    kind: Literal["destinations"]
    rules: tuple[DestinationAlias, ...]


class EccnsFile(_File):
    kind: Literal["eccns"]
    rules: tuple[EccnRule, ...]


class SensitivityFile(_File):
    kind: Literal["sensitivity"]
    rules: tuple[SensitivityCategory, ...]


class DeMinimisFile(_File):
    kind: Literal["de-minimis"]
    rules: tuple[DeMinimisRule, ...]


class EmbargoesFile(_File):
    kind: Literal["embargoes"]
    rules: tuple[Embargo, ...]


class AuthorizationsFile(_File):
    kind: Literal["authorizations"]
    rules: tuple[Authorization, ...]


RuleFile = Annotated[
    ScreeningListFile
    | CountryGroupsFile
    | CountryChartFile
    | DestinationsFile
    | EccnsFile
    | SensitivityFile
    | DeMinimisFile
    | EmbargoesFile
    | AuthorizationsFile,
    Field(discriminator="kind"),
]

AnyRule = (
    ListEntry
    | CountryGroup
    | ChartRow
    | DestinationAlias
    | EccnRule
    | SensitivityCategory
    | DeMinimisRule
    | Embargo
    | Authorization
)


@dataclass(frozen=True, slots=True)
class RuleFileInfo:
    """What `rules info` says about one loaded file."""

    name: str
    kind: str
    rules: int
    title: str | None
    source: Source | None
    entry_ids: tuple[str, ...] = ()  # a screening list's entries, in file order


class LazyEntries(Mapping[str, ListEntry]):
    """List entries kept as validated JSON and rebuilt as models only when looked up.

    A cached rule set holds tens of thousands of entries of which a screening reads a handful;
    unpickling them all as models would cost more than the screening itself.
    """

    def __init__(self, raw: dict[str, str]) -> None:
        self._raw = raw
        self._built: dict[str, ListEntry] = {}

    def __getitem__(self, key: str) -> ListEntry:
        entry = self._built.get(key)
        if entry is None:
            entry = self._built[key] = ListEntry.model_validate_json(self._raw[key])
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __reduce__(self) -> tuple[type[LazyEntries], tuple[dict[str, str]]]:
        return (LazyEntries, (self._raw,))


class RuleSet:
    """The merged rules of several files; a later rule with the same id replaces an earlier one.

    ``rules`` holds every rule but the list entries, which are in ``entries`` (by id) with
    their list in ``entry_list``.
    """

    def __init__(self, files: Iterable[tuple[str, RuleFile]], version: str) -> None:
        self.version = version
        by_id: dict[str, tuple[AnyRule, str | None]] = {}
        self.lists: dict[str, ScreeningListInfo] = {}
        self.sources: list[tuple[str, Source, str]] = []
        info: list[RuleFileInfo] = []
        for name, rule_file in files:
            list_id = None
            info.append(
                RuleFileInfo(
                    name,
                    rule_file.kind,
                    len(rule_file.rules),
                    rule_file.title,
                    rule_file.source,
                    tuple(r.id for r in rule_file.rules)
                    if isinstance(rule_file, ScreeningListFile)
                    else (),
                )
            )
            if isinstance(rule_file, ScreeningListFile):
                list_id = rule_file.list.id
                self.lists[list_id] = rule_file.list
            if rule_file.source is not None:
                self.sources.append((name, rule_file.source, rule_file.kind))
            for rule in rule_file.rules:
                by_id.pop(rule.id, None)  # a replacement takes the later file's position
                by_id[rule.id] = (rule, list_id)
        self.file_info: tuple[RuleFileInfo, ...] = tuple(info)
        self.rules: tuple[AnyRule, ...] = tuple(
            rule for rule, _ in by_id.values() if not isinstance(rule, ListEntry)
        )
        self.entry_list: dict[str, str] = {
            rule.id: list_id
            for rule, list_id in by_id.values()
            if isinstance(rule, ListEntry) and list_id is not None
        }
        self.entries: Mapping[str, ListEntry] = {
            rule.id: rule
            for rule, list_id in by_id.values()
            if isinstance(rule, ListEntry) and list_id is not None
        }

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if not isinstance(self.entries, LazyEntries):
            state["entries"] = LazyEntries(
                {
                    key: entry.model_dump_json(by_alias=True, exclude_defaults=True)
                    for key, entry in self.entries.items()
                }
            )
        return state

    def of_type(self, kind: type[_T]) -> list[_T]:
        return [rule for rule in self.rules if isinstance(rule, kind)]

    def __len__(self) -> int:
        return len(self.rules) + len(self.entries)
