"""The screening engine: a sale and a rule set in, findings and a verdict out (ear-brief §1.9)."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from exportcheck.domain.base import Dated
from exportcheck.domain.countries import country_name
from exportcheck.domain.eccn import EAR99, eccn_base, eccn_matches, paragraph_applies
from exportcheck.domain.matching import DEFAULT_THRESHOLD, IndexEntry, NameIndex, NameMatch
from exportcheck.domain.results import (
    Finding,
    ScreeningResult,
    ScreeningSummary,
    matched_entries,
    top_score,
    verdict_reasons,
)
from exportcheck.domain.rules import (
    Authorization,
    AuthorizationKind,
    ChartRow,
    Control,
    CountryGroup,
    DeMinimisRule,
    DestinationAlias,
    EccnRule,
    Embargo,
    ItemSelector,
    ListEffect,
    ListEntry,
    RequirementScope,
    ReviewPolicy,
    RuleSet,
    Scope,
    ScreeningListInfo,
    SensitivityCategory,
    Verdict,
)
from exportcheck.domain.sale import Item, Party, Sale

US = "US"
LF, LR, PR = Verdict.LICENCE_FREE, Verdict.LICENCE_REQUIRED, Verdict.PROHIBITED
# Every entry a party matches is reported (matched_entries), however many affiliates share a name.
MAX_MATCHES = 1000
# Entries per generation of the engine's findings cache (two generations are kept).
PART_CACHE_GENERATION = 25_000


def index_entry(entry: ListEntry) -> IndexEntry:
    """What the name index keeps of a list entry: its id, names and aliases, and countries."""
    return IndexEntry(key=entry.id, names=entry.names, countries=entry.all_countries())


def build_index(ruleset: RuleSet) -> NameIndex:
    """The name index over every list entry of a rule set (built once per rules version)."""
    return NameIndex.build(map(index_entry, ruleset.entries.values()))


@dataclass(frozen=True, slots=True)
class RulesAsOf:
    """The rules in force on one date, indexed for lookups."""

    date: dt.date
    aliases: dict[str, DestinationAlias]
    groups_of: dict[str, frozenset[str]]
    chart: dict[str, ChartRow]
    eccns: dict[str, EccnRule]
    de_minimis: tuple[DeMinimisRule, ...]
    embargoes: tuple[Embargo, ...]
    authorizations: tuple[Authorization, ...]
    sensitivity: tuple[SensitivityCategory, ...]
    # Views of dates between the same two rule changes share everything but the date; the
    # epoch names that span (the Screener's item cache keys on it).
    epoch: int = -1
    # in_scope answers by (id of the scope, country), keeping the scope alive so that its id is
    # never reused; the answer depends only on groups_of, which per-date copies of a view share.
    scope_memo: dict[tuple[int, str], tuple[Scope, bool]] = field(
        default_factory=dict, compare=False, repr=False
    )
    embargo_memo: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, ruleset: RuleSet, on: dt.date) -> RulesAsOf:
        # Reads the date only through in_force() of rules other than list entries and of group
        # members: Screener.view shares one build between dates where none of them changes.
        groups_of: dict[str, set[str]] = {}
        for group in ruleset.of_type(CountryGroup):
            if group.in_force(on):
                for member in group.members:
                    if member.in_force(on):
                        groups_of.setdefault(member.country, set()).add(group.group)
        return cls(
            date=on,
            aliases={a.country: a for a in ruleset.of_type(DestinationAlias) if a.in_force(on)},
            groups_of={country: frozenset(g) for country, g in groups_of.items()},
            chart={r.country: r for r in ruleset.of_type(ChartRow) if r.in_force(on)},
            eccns={eccn_base(r.eccn): r for r in ruleset.of_type(EccnRule) if r.in_force(on)},
            de_minimis=tuple(r for r in ruleset.of_type(DeMinimisRule) if r.in_force(on)),
            embargoes=tuple(r for r in ruleset.of_type(Embargo) if r.in_force(on)),
            authorizations=tuple(r for r in ruleset.of_type(Authorization) if r.in_force(on)),
            sensitivity=tuple(
                sorted(
                    (r for r in ruleset.of_type(SensitivityCategory) if r.in_force(on)),
                    key=lambda r: -r.rank,
                )
            ),
        )

    def effective(self, country: str) -> str:
        alias = self.aliases.get(country)
        return alias.treated_as if alias else country

    def embargoed(self, country: str) -> bool:
        """Whether any Part 746 rule in force covers this country (for some items)."""
        found = self.embargo_memo.get(country)
        if found is None:
            found = self.embargo_memo[country] = any(
                self.in_scope(rule.destinations, country) for rule in self.embargoes
            )
        return found

    def in_scope(self, scope: Scope, country: str) -> bool:
        key = (id(scope), country)
        found = self.scope_memo.get(key)
        if found is None or found[0] is not scope:
            found = self.scope_memo[key] = (scope, self._in_scope(scope, country))
        return found[1]

    def _in_scope(self, scope: Scope, country: str) -> bool:
        groups = self.groups_of.get(country, frozenset())
        if country in scope.except_countries or groups.intersection(scope.except_groups):
            return False
        return scope.all or country in scope.countries or bool(groups.intersection(scope.groups))


@dataclass(slots=True)
class _ChartCheck:
    """Which chart reasons an ECCN triggers for a destination, or why that is unknown."""

    triggered: list[tuple[Control, str]] = field(default_factory=list)
    skipped: list[Control] = field(default_factory=list)  # paragraph controls not applied
    unknown: str | None = None
    rule: EccnRule | None = None


@dataclass(slots=True)
class _Subject:
    """Whether an item is subject to the EAR: True, False, or None when a fact is missing."""

    subject: bool | None
    findings: list[Finding]


@dataclass(frozen=True, slots=True)
class PartyMatch:
    party: Party
    entry: ListEntry
    info: ScreeningListInfo
    match: NameMatch


def _view_boundaries(ruleset: RuleSet) -> tuple[dt.date, ...]:
    """The dates on which a rule that RulesAsOf reads comes into force or goes out of it.

    Between two neighbouring boundaries every in_force() that RulesAsOf.build reads gives the
    same answer, so one build serves every date in between.
    """
    dates: set[dt.date] = set()
    dated: list[Dated] = []
    for rule in ruleset.rules:  # every rule but the list entries, which RulesAsOf does not read
        dated.append(rule)
        if isinstance(rule, CountryGroup):
            dated.extend(rule.members)
    for item in dated:
        if item.from_ is not None:
            dates.add(item.from_)
        if item.until is not None and item.until < dt.date.max:
            dates.add(item.until + dt.timedelta(days=1))
    return tuple(sorted(dates))


class Screener:
    """Screens sales against one rule set; holds the name index and per-date rule views."""

    def __init__(
        self,
        ruleset: RuleSet,
        *,
        index: NameIndex | None = None,
        match_threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.ruleset = ruleset
        self.index = index if index is not None else build_index(ruleset)
        self.match_threshold = match_threshold
        self._views: dict[dt.date, RulesAsOf] = {}
        self._epoch_views: dict[int, RulesAsOf] = {}
        self._boundaries: tuple[dt.date, ...] | None = None
        self._match_cache: dict[tuple[str, str], tuple[NameMatch, ...]] = {}
        self._part_cache: dict[tuple[object, ...], tuple[Finding, ...]] = {}
        self._old_part_cache: dict[tuple[object, ...], tuple[Finding, ...]] = {}
        # The sensitivity category of an ECCN under the rules of one epoch.
        self._categories: dict[tuple[int, str], SensitivityCategory | None] = {}
        # The de minimis level for (epoch, classification, content ECCNs, destination).
        self._levels: dict[tuple[object, ...], tuple[float, DeMinimisRule]] = {}
        # The value limits a chart check of (epoch, ECCN) may compare an item's value with.
        self._value_limits: dict[tuple[int, str], tuple[float, ...]] = {}

    # --- public -------------------------------------------------------------------------------

    def view(self, on: dt.date) -> RulesAsOf:
        view = self._views.get(on)
        if view is None:
            # Building a view reads every rule; a batch spanning years has thousands of dates
            # but only as many distinct views as there are dates when a rule changes.
            if self._boundaries is None:
                self._boundaries = _view_boundaries(self.ruleset)
            epoch = bisect.bisect_right(self._boundaries, on)
            shared = self._epoch_views.get(epoch)
            if shared is None:
                view = self._epoch_views[epoch] = dataclasses.replace(
                    RulesAsOf.build(self.ruleset, on), epoch=epoch
                )
            else:
                view = dataclasses.replace(shared, date=on)
            self._views[on] = view
        return view

    def match_name(self, name: str, country: str) -> tuple[NameMatch, ...]:
        """List entries a party name matches, cached per (name, country)."""
        key = (name, country)
        found = self._match_cache.get(key)
        if found is None:
            found = tuple(
                self.index.search(name, country, threshold=self.match_threshold, limit=MAX_MATCHES)
            )
            if len(self._match_cache) > 200_000:
                self._match_cache.clear()
            self._match_cache[key] = found
        return found

    @property
    def name_matches(self) -> dict[tuple[str, str], tuple[NameMatch, ...]]:
        """The cache behind match_name, in insertion order: batch workers share what they learn
        through it (a match depends only on the name, the country, the index and the threshold).
        """
        return self._match_cache

    def screen(self, sale: Sale, as_of: dt.date | None = None) -> ScreeningResult:
        on, destination, findings, subject, verdict = self._assess(sale, as_of)
        return ScreeningResult(
            sale_id=sale.id,
            verdict=verdict,
            outcome=_outcome(verdict, findings, subject),
            as_of=on,
            rules_version=self.ruleset.version,
            destination=destination,
            findings=tuple(findings),
        )

    def summarise(self, sale: Sale, as_of: dt.date | None = None) -> ScreeningSummary:
        """What ``screen`` gives for a batch row (verdict, reasons, matched entries, top score),
        from the same findings, without building the whole ScreeningResult."""
        _, _, findings, _, verdict = self._assess(sale, as_of)
        return ScreeningSummary(
            verdict,
            verdict_reasons(findings, verdict),
            matched_entries(findings),
            top_score(findings),
        )

    def _assess(
        self, sale: Sale, as_of: dt.date | None
    ) -> tuple[dt.date, str, list[Finding], list[bool | None], Verdict]:
        """The date screened on, the destination, the sorted findings, whether each item is
        subject to the EAR, and the verdict."""
        on = as_of or sale.date
        view = self.view(on)
        destination = view.effective(sale.destination)
        findings: list[Finding] = []
        if destination != sale.destination:
            alias = view.aliases[sale.destination]
            findings.append(
                Finding(
                    check="destination",
                    code="destination-alias",
                    verdict=LF,
                    message=(
                        f"{country_name(sale.destination)} is treated as "
                        f"{country_name(destination)} for all EAR purposes on {on}"
                    ),
                    citation=alias.citation,
                    rule_id=alias.id,
                    destination=destination,
                )
            )
        matches = self._party_matches(sale.parties, on)
        subject: list[bool | None] = []
        # Embargo findings read the parties' countries only where an embargo covers them.
        embargoed = tuple(
            c
            for c in dict.fromkeys(view.effective(p.country) for p in sale.parties)
            if view.embargoed(c)
        )
        for number, item in enumerate(sale.items, 1):
            item_subject, item_findings = self._item_findings(
                sale, item, number, destination, view, matches, embargoed
            )
            subject.append(item_subject)
            findings.extend(item_findings)
        findings.extend(self._list_finding(match, sale, subject, view) for match in matches)
        findings.sort(key=Finding.sort_key)
        verdict = max((f.verdict for f in findings), key=lambda v: v.severity, default=LF)
        return on, destination, findings, subject, verdict

    def _value_class(self, item: Item, view: RulesAsOf) -> tuple[bool, ...]:
        """Which side of each value limit the item's value is on: all that the chart findings
        read of the value (value limits of licence exceptions, compared with ``>``)."""
        eccn = item.classification
        if eccn is None or eccn == EAR99:
            return ()
        key = (view.epoch, eccn)
        limits = self._value_limits.get(key)
        if limits is None:
            rule = view.eccns.get(eccn_base(eccn))
            found = {a.max_value for a in view.authorizations if a.max_value is not None}
            if rule is not None and rule.lvs:
                found.add(rule.lvs)
            limits = self._value_limits[key] = tuple(sorted(found))
        value = item.value
        return tuple(value > limit for limit in limits)

    def _memo(
        self, key: tuple[object, ...], compute: Callable[[], list[Finding]]
    ) -> tuple[Finding, ...]:
        """Findings that depend only on ``key``: batches repeat the same item, destination and
        rules many times. Two generations bound the memory: when the young one is full it
        becomes the old one, and keys still in use move back to the young one."""
        found = self._part_cache.get(key)
        if found is None:
            found = self._old_part_cache.get(key)
            if found is None:
                found = tuple(compute())
            if len(self._part_cache) >= PART_CACHE_GENERATION:
                self._old_part_cache, self._part_cache = self._part_cache, {}
            self._part_cache[key] = found
        return found

    def _item_findings(
        self,
        sale: Sale,
        item: Item,
        number: int,
        destination: str,
        view: RulesAsOf,
        matches: Sequence[PartyMatch],
        embargoed: tuple[str, ...],
    ) -> tuple[bool | None, tuple[Finding, ...]]:
        """Jurisdiction, embargo and Country Chart findings for one item.

        Embargo findings read only the item's classification and the parties' embargoed
        countries; chart findings the classification and the destination, which side of each
        value limit the value is on, and the list matches that bar licence exceptions. Both are
        memoised on exactly those facts and the rules' epoch (chart findings only when they do
        not read the matches).
        """
        jurisdiction = self._subject(item, number, destination, view, matches)
        if jurisdiction.subject is False:
            return False, tuple(jurisdiction.findings)
        listed_bar = [
            m for m in matches if m.info.bars_licence_exceptions and m.entry.in_force(view.date)
        ]
        embargo = self._memo(
            ("embargo", view.epoch, number, item.classification, embargoed),
            lambda: self._embargoes(sale, item, number, view),
        )
        if listed_bar:
            chart: tuple[Finding, ...] = tuple(
                self._chart(item, number, destination, view, listed_bar)
            )
        else:
            # Values are nearly unique per row: the key holds only which side of each value
            # limit the value is on, all that the findings depend on.
            chart = self._memo(
                (
                    "chart",
                    view.epoch,
                    number,
                    item.classification,
                    destination,
                    self._value_class(item, view),
                ),
                lambda: self._chart(item, number, destination, view, listed_bar),
            )
        return jurisdiction.subject, (*jurisdiction.findings, *embargo, *chart)

    # --- jurisdiction (734.3, 734.4, 734.9) ---------------------------------------------------

    def _subject(
        self,
        item: Item,
        number: int,
        destination: str,
        view: RulesAsOf,
        matches: Sequence[PartyMatch],
    ) -> _Subject:
        where = f"items[{number}]"
        if item.origin == US:
            return _Subject(True, [])
        content, content_eccns, notes = self._controlled_content(item, destination, view)
        level_key = (view.epoch, item.classification, content_eccns, destination)
        level = self._levels.get(level_key)
        if level is None:
            level = self._levels[level_key] = self._de_minimis_level(
                item.classification, content_eccns, destination, view
            )
        threshold, level_rule = level
        findings: list[Finding] = []
        if content is None:
            findings.append(
                Finding(
                    check="missing-fact",
                    code="us-content-unknown",
                    verdict=LR,
                    message=(
                        f"item {number} is made in {country_name(item.origin)} and its US content "
                        "is unknown: give us_content_percent or components so exportcheck can "
                        f"apply the {threshold:g}% de minimis level; it is not assumed to be "
                        "under de minimis"
                    ),
                    citation=f"15 CFR 734.3(a)(3); 15 CFR 734.4; {level_rule.citation}",
                    rule_id=level_rule.id,
                    item=number,
                    field=f"{where}.us_content_percent",
                    policy=ReviewPolicy.UNKNOWN,
                    destination=destination,
                )
            )
            return _Subject(None, findings)
        detail = f" ({'; '.join(notes)})" if notes else ""

        def level_finding(exceeded: bool) -> Finding:
            outcome = (
                "exceeds the {level}, so the foreign-made item is subject to the EAR"
                if exceeded
                else "does not exceed the {level}: the foreign-made item is not subject to the EAR"
            )
            level = (
                f"{threshold:g}% de minimis level for {country_name(destination)} "
                f"({level_rule.description})"
            )
            return Finding(
                check="de-minimis",
                code="de-minimis-exceeded" if exceeded else "not-subject",
                verdict=LF,
                message=(
                    f"item {number}: controlled US content {content:.4g}% "
                    + outcome.format(level=level)
                    + detail
                ),
                citation=f"15 CFR 734.3(a)(3); {level_rule.citation}",
                rule_id=level_rule.id,
                item=number,
                field=f"{where}.us_content_percent",
                value=f"{content:.4g}",
                destination=destination,
            )

        if content > threshold:
            return _Subject(True, [*findings, level_finding(exceeded=True)])
        fdp = self._direct_product(item, number, destination, view, matches)
        if fdp is not None:
            findings.extend(fdp.findings)
            if fdp.subject is not False:
                return _Subject(fdp.subject, findings)
        return _Subject(False, [*findings, level_finding(exceeded=False)])

    def _controlled_content(
        self, item: Item, destination: str, view: RulesAsOf
    ) -> tuple[float | None, tuple[str, ...] | None, list[str]]:
        """Controlled US content in percent, the US content's ECCNs when known, and notes."""
        if item.components is None:
            return item.us_content_percent, None, []
        controlled = 0.0
        eccns: list[str] = []
        notes: list[str] = []
        for component in item.components:
            if component.origin != US:
                continue
            label = component.description or component.classification or "a US component"
            if component.classification is None:
                controlled += component.value
                notes.append(f"{label} is unclassified and counted as controlled")
                continue
            eccns.append(component.classification)
            needs = self._needs_licence_as_is(component.classification, destination, view)
            if needs is None:
                controlled += component.value
                notes.append(f"{label} ({component.classification}) is not in the rules: counted")
            elif needs:
                controlled += component.value
                notes.append(f"{label} ({component.classification}) counts")
            else:
                notes.append(f"{label} ({component.classification}) needs no licence: not counted")
        return controlled / item.value * 100, tuple(eccns), notes

    def _needs_licence_as_is(self, eccn: str, destination: str, view: RulesAsOf) -> bool | None:
        """Supp. No. 2 to Part 734: would this US part need a licence as-is (chart, Part 746)?"""
        if any(
            view.in_scope(e.destinations, destination) and _selects(e.items, eccn)
            for e in view.embargoes
        ):
            return True
        if eccn == EAR99:
            return False
        check = self._chart_check(eccn, destination, view)
        if check.unknown is not None:
            return None
        return bool(check.triggered)

    def _de_minimis_level(
        self,
        classification: str | None,
        content_eccns: tuple[str, ...] | None,
        destination: str,
        view: RulesAsOf,
    ) -> tuple[float, DeMinimisRule]:
        best: DeMinimisRule | None = None
        for rule in view.de_minimis:
            if not view.in_scope(rule.destinations, destination):
                continue
            if rule.item_eccns and not (
                classification is not None
                and any(eccn_matches(p, classification) for p in rule.item_eccns)
            ):
                continue
            if rule.content_eccns:
                if content_eccns is None:
                    # US content given only as a percentage: a category defined by the item
                    # (already matched above) applies conservatively; one defined only by the
                    # content's classification cannot be judged, and the interface takes the
                    # percentage as the controlled share.
                    if not rule.item_eccns:
                        continue
                elif not any(eccn_matches(p, e) for p in rule.content_eccns for e in content_eccns):
                    continue
            if best is None or rule.percent < best.percent:
                best = rule
        if best is None:
            # Fail closed: without a de minimis rule every foreign item with US content is subject.
            best = DeMinimisRule(
                id="builtin-no-de-minimis-rule",
                citation="15 CFR 734.4",
                percent=0,
                destinations=Scope(all=True),
                description="no de minimis rule loaded for this destination",
            )
        return best.percent, best

    def _direct_product(
        self,
        item: Item,
        number: int,
        destination: str,
        view: RulesAsOf,
        matches: Sequence[PartyMatch],
    ) -> _Subject | None:
        """The Entity List foreign-direct-product rule (734.9(e)): footnoted parties in force."""
        footnoted = [
            (m, note)
            for m in matches
            if m.entry.in_force(view.date)
            for note in m.entry.footnotes
            if note.in_force(view.date)
        ]
        if not footnoted:
            return None
        match, note = footnoted[0]
        common: dict[str, Any] = {
            "check": "direct-product",
            "citation": "15 CFR 734.9(e); 15 CFR 744.11(a)(2); "
            + (note.citation or match.entry.citation),
            "item": number,
            "field": f"items[{number}].direct_product",
            "entry_id": match.entry.id,
            "destination": destination,
        }
        who = (
            f"{match.party.role.value} {match.entry.name!r} carries Entity List "
            f"footnote {note.number}"
        )
        if item.direct_product is None:
            return _Subject(
                None,
                [
                    Finding(
                        code="direct-product-unknown",
                        verdict=LR,
                        policy=ReviewPolicy.UNKNOWN,
                        message=(
                            f"item {number}: {who}, so a foreign-made item that is a direct "
                            "product of US technology or software, or of a plant that is, is "
                            "subject whatever its US content; say whether it is (direct_product)"
                        ),
                        **common,
                    )
                ],
            )
        if item.direct_product:
            return _Subject(
                True,
                [
                    Finding(
                        code="direct-product",
                        verdict=LF,
                        message=(
                            f"item {number}: {who} and the item is a foreign direct product of US "
                            "technology or software: it is subject to the EAR"
                        ),
                        **common,
                    )
                ],
            )
        return _Subject(False, [])

    # --- Part 746 -----------------------------------------------------------------------------

    def _embargoes(self, sale: Sale, item: Item, number: int, view: RulesAsOf) -> list[Finding]:
        findings: list[Finding] = []
        countries = dict.fromkeys(view.effective(p.country) for p in sale.parties)
        for country in countries:
            for rule in view.embargoes:
                if not view.in_scope(rule.destinations, country):
                    continue
                if not _selects(rule.items, item.classification):
                    continue
                overcome = self._embargo_authorization(rule, item, country, view)
                if overcome is not None:
                    findings.append(
                        Finding(
                            check="embargo",
                            code=f"embargo-{country}:{overcome.symbol}",
                            verdict=LF,
                            message=(
                                f"item {number} to {country_name(country)}: {rule.message}; "
                                f"overcome by {overcome.name}"
                                + (f" ({overcome.conditions})" if overcome.conditions else "")
                            ),
                            citation=f"{rule.citation}; {overcome.citation}",
                            rule_id=rule.id,
                            item=number,
                            destination=country,
                            authorization=overcome.symbol,
                            policy=rule.policy,
                        )
                    )
                    continue
                findings.append(
                    Finding(
                        check="embargo",
                        code=f"embargo-{country}",
                        verdict=rule.policy.verdict,
                        message=f"item {number} to {country_name(country)}: {rule.message}",
                        citation=rule.citation,
                        rule_id=rule.id,
                        item=number,
                        destination=country,
                        policy=rule.policy,
                        field=f"items[{number}].classification",
                        value=item.classification,
                        **self._sensitivity(item, view),
                    )
                )
        return findings

    def _embargo_authorization(
        self, rule: Embargo, item: Item, country: str, view: RulesAsOf
    ) -> Authorization | None:
        for auth in view.authorizations:
            if rule.id not in auth.embargoes:
                continue
            if auth.destinations is not None and not view.in_scope(auth.destinations, country):
                continue
            if auth.eccns and not (
                item.classification
                and any(eccn_matches(p, item.classification) for p in auth.eccns)
            ):
                continue
            if not _selects(auth.items, item.classification):
                continue
            return auth
        return None

    # --- Country Chart (GP1-GP3) and licence exceptions ---------------------------------------

    def _chart_check(self, eccn: str, destination: str, view: RulesAsOf) -> _ChartCheck:
        rule = view.eccns.get(eccn_base(eccn))
        if rule is None:
            return _ChartCheck(unknown=f"ECCN {eccn} is not in the loaded rules")
        row = view.chart.get(destination)
        check = _ChartCheck(rule=rule)
        for control in rule.controls:
            if control.paragraphs and not any(
                paragraph_applies(p, eccn) for p in control.paragraphs
            ):
                check.skipped.append(control)
                continue
            if control.column is not None:
                if row is None:
                    check.unknown = (
                        f"no Country Chart row for {country_name(destination)} among the "
                        "rules in force"
                    )
                    return check
                if control.column in row.marks:
                    check.triggered.append((control, f"{control.column} X"))
            elif control.destinations is not None and view.in_scope(
                control.destinations, destination
            ):
                check.triggered.append((control, f"{control.reason} to this destination"))
        return check

    def _chart(
        self,
        item: Item,
        number: int,
        destination: str,
        view: RulesAsOf,
        listed_bar: Sequence[PartyMatch],
    ) -> list[Finding]:
        where = f"items[{number}].classification"
        eccn = item.classification
        if eccn is None:
            return [
                Finding(
                    check="missing-fact",
                    code="unclassified",
                    verdict=LR,
                    policy=ReviewPolicy.UNKNOWN,
                    message=(
                        f"item {number} has no classification: give its ECCN (e.g. 5A991) or "
                        "EAR99 so the Country Chart can be applied"
                    ),
                    citation="15 CFR 732.3(b); 15 CFR 738.4",
                    item=number,
                    field=where,
                    destination=destination,
                )
            ]
        if eccn == EAR99:
            return [
                Finding(
                    check="country-chart",
                    code="nlr-ear99",
                    verdict=LF,
                    message=(
                        f"item {number} is EAR99: no Country Chart licence requirement "
                        "(only end-user, end-use and embargo rules can require one)"
                    ),
                    citation="15 CFR 734.3(c); 15 CFR 738.4(a)(2)(ii)",
                    item=number,
                    field=where,
                    value=eccn,
                    destination=destination,
                )
            ]
        check = self._chart_check(eccn, destination, view)
        if check.unknown is not None:
            embargoed = any(view.in_scope(e.destinations, destination) for e in view.embargoes)
            if check.rule is not None and embargoed:
                return []  # Part 746 governs this destination; its finding says so.
            return [
                Finding(
                    check="country-chart",
                    code="unknown-eccn" if check.rule is None else "no-chart-row",
                    verdict=LR,
                    policy=ReviewPolicy.UNKNOWN,
                    message=(
                        f"item {number}: {check.unknown}, so exportcheck cannot tell whether a "
                        "licence is needed; it does not assume none is"
                    ),
                    citation="15 CFR 738.4; 15 CFR Part 774, Supp. No. 1",
                    item=number,
                    field=where,
                    value=eccn,
                    destination=destination,
                )
            ]
        assert check.rule is not None
        rule = check.rule
        if not check.triggered:
            return [
                Finding(
                    check="country-chart",
                    code="nlr",
                    verdict=LF,
                    message=(
                        f"item {number} ({eccn}): no reason for control of {rule.eccn} has an X "
                        f"for {country_name(destination)}: no licence required (NLR)"
                        + _unapplied_note(check.skipped)
                    ),
                    citation=f"{rule.citation}; 15 CFR 738.4(a)(2)(ii)",
                    rule_id=rule.id,
                    item=number,
                    field=where,
                    value=eccn,
                    destination=destination,
                )
            ]
        unapplied = _unapplied_note(check.skipped)
        reasons = dict.fromkeys(control.reason for control, _ in check.triggered)
        covered = {} if listed_bar else self._exceptions(item, rule, reasons, destination, view)
        findings: list[Finding] = []
        sensitivity = self._sensitivity(item, view)
        for control, why in check.triggered:
            auth = covered.get(control.reason)
            code = f"country-chart:{control.column or control.reason}"
            citation = control.citation or rule.citation
            if control.column:
                citation = f"{citation}; 15 CFR 738.4; Supp. No. 1 to Part 738"
            if auth is not None:
                findings.append(
                    Finding(
                        check="licence-exception",
                        code=f"{code}:{auth.symbol}",
                        verdict=LF,
                        authorization=auth.symbol,
                        message=(
                            f"item {number} ({eccn}) to {country_name(destination)}: {why} "
                            f"({control.reason}) is overcome by licence exception {auth.symbol} "
                            f"({auth.name})"
                            + (f"; conditions: {auth.conditions}" if auth.conditions else "")
                        ),
                        citation=f"{citation}; {auth.citation}",
                        rule_id=auth.id,
                        item=number,
                        field=where,
                        value=eccn,
                        destination=destination,
                    )
                )
                continue
            barred = (
                f"; no licence exceptions: {listed_bar[0].info.name} party"
                f" ({listed_bar[0].info.citation})"
                if listed_bar
                else ""
            )
            findings.append(
                Finding(
                    check="country-chart",
                    code=code,
                    verdict=LR,
                    policy=ReviewPolicy.UNKNOWN,
                    message=(
                        f"item {number} ({eccn}) to {country_name(destination)}: {why} for "
                        f"reason {control.reason}: a licence is required"
                        + (f" ({control.note})" if control.note else "")
                        + barred
                        + unapplied
                    ),
                    citation=citation,
                    rule_id=rule.id,
                    item=number,
                    field=where,
                    value=eccn,
                    destination=destination,
                    **sensitivity,
                )
            )
        return findings

    def _exceptions(
        self,
        item: Item,
        rule: EccnRule,
        reasons: dict[str, None],
        destination: str,
        view: RulesAsOf,
    ) -> dict[str, Authorization]:
        """Which triggered reasons a licence exception in force overcomes, reason by reason."""
        eccn = item.classification or ""
        covered: dict[str, Authorization] = {}
        for auth in view.authorizations:
            if auth.kind is not AuthorizationKind.LICENCE_EXCEPTION or not auth.reasons:
                continue
            if auth.eccns and not any(eccn_matches(p, eccn) for p in auth.eccns):
                continue
            if auth.destinations is not None and not view.in_scope(auth.destinations, destination):
                continue
            if auth.requires_eccn_gbs and not rule.gbs:
                continue
            limit = auth.max_value
            if auth.max_value_from_eccn_lvs:
                limit = rule.lvs if rule.lvs else None
                if limit is None:
                    continue
            if limit is not None and item.value > limit:
                continue
            if auth.only_when_all_reasons_covered and not set(reasons) <= set(auth.reasons):
                continue
            for reason in reasons:
                if reason in auth.reasons:
                    covered.setdefault(reason, auth)
        return covered

    # --- Part 744 lists and general licences --------------------------------------------------

    def _party_matches(self, parties: Sequence[Party], on: dt.date) -> list[PartyMatch]:
        found: list[PartyMatch] = []
        for party in parties:
            for match in self.match_name(party.name, party.country):
                entry = self.ruleset.entries[match.key]
                info = self.ruleset.lists[self.ruleset.entry_list[match.key]]
                found.append(PartyMatch(party, entry, info, match))
        return found

    def _list_finding(
        self, m: PartyMatch, sale: Sale, subject: Sequence[bool | None], view: RulesAsOf
    ) -> Finding:
        entry, info, on = m.entry, m.info, view.date
        who = f"{m.party.role.value} {m.party.name!r}"
        common: dict[str, Any] = {
            "check": info.id,
            "list": info.id,
            "entry_id": entry.id,
            "entry_name": entry.name,
            "matched_name": m.match.matched_name,
            "score": round(m.match.score, 4),
            "explanation": m.match.explanation,
            "party_role": m.party.role,
            "party_name": m.party.name,
            "rule_id": entry.id,
            "citation": f"{info.citation}; {entry.citation}",
            "field": f"parties[{sale.parties.index(m.party) + 1}].name",
            "value": m.party.name,
        }
        head = f"{who} matches {info.name} entry {entry.name!r} (score {m.match.score:.2f})"
        if not entry.in_force(on):
            when = (
                f"listed from {entry.from_}"
                if entry.from_ and on < entry.from_
                else f"removed after {entry.until}"
            )
            return Finding(
                code=f"{info.id}:not-in-force",
                verdict=LF,
                message=f"{head}, but the entry is not in force on {on} ({when})",
                **common,
            )
        policy = entry.policy or info.policy
        if info.effect is ListEffect.PROHIBITED:
            policy = info.policy if info.policy.verdict is PR else ReviewPolicy.DENIAL_ORDER
        elif info.effect is ListEffect.LICENCE_REQUIRED and policy.verdict is PR:
            policy = ReviewPolicy.UNKNOWN
        relevant = [
            n
            for n, (item, s) in enumerate(zip(sale.items, subject, strict=True), 1)
            if s is not False
            and not (
                entry.requirement_scope is RequirementScope.CCL_ITEMS
                and item.classification == EAR99
            )
        ]
        if info.subject_items_only and not relevant:
            return Finding(
                code=f"{info.id}:no-subject-item",
                verdict=LF,
                policy=policy,
                message=(
                    f"{head}; its licence requirement covers items subject to the EAR, and no "
                    "item of this sale is"
                ),
                **common,
            )
        requirement = (
            _SCOPE_TEXT[entry.requirement_scope]
            if info.subject_items_only
            else f"(outside the EAR: {info.description or info.name})"
        )
        sensitivity = self._worst_sensitivity(
            [sale.items[n - 1] for n in relevant] or list(sale.items), view
        )
        if policy.verdict is LR:
            covered, gaps = self._general_licences(m, sale, relevant, view)
            if covered and not gaps:
                auth = covered[0]
                return Finding(
                    code=f"{info.id}:{auth.symbol}",
                    verdict=LF,
                    policy=policy,
                    authorization=auth.symbol,
                    message=(
                        f"{head}; the licence requirement {requirement} is overcome for every "
                        "item by "
                        f"{auth.name}"
                        + (f"; conditions: {auth.conditions}" if auth.conditions else "")
                    ),
                    **{**common, "citation": f"{common['citation']}; {auth.citation}"},
                )
            why_not = f"; {'; '.join(gaps)}" if gaps else ""
            return Finding(
                code=info.id,
                verdict=LR,
                policy=policy,
                message=(
                    f"{head}: licence required {requirement}; review policy "
                    f"{policy.value.replace('-', ' ')}"
                    + (
                        "; no licence exceptions (744.16(b))"
                        if info.bars_licence_exceptions
                        else ""
                    )
                    + why_not
                ),
                **sensitivity,
                **common,
            )
        return Finding(
            code=info.id,
            verdict=PR,
            policy=policy,
            message=f"{head}: {policy.value.replace('-', ' ')}; the sale must not go ahead",
            **sensitivity,
            **common,
        )

    def _general_licences(
        self, m: PartyMatch, sale: Sale, relevant: Sequence[int], view: RulesAsOf
    ) -> tuple[list[Authorization], list[str]]:
        """General licences covering the relevant items; and why the others are not covered."""
        candidates = [
            a
            for a in view.authorizations
            if a.kind is AuthorizationKind.GENERAL_LICENCE
            and m.info.id in a.lists
            and (not a.entries or any(fnmatch.fnmatchcase(m.entry.id, p) for p in a.entries))
        ]
        if not candidates:
            return [], []
        used: list[Authorization] = []
        gaps: list[str] = []
        for number in relevant:
            item = sale.items[number - 1]
            reasons: list[str] = []
            for auth in candidates:
                if auth.purposes and item.purpose not in auth.purposes:
                    reasons.append(
                        f"purpose {item.purpose.value} is not one {auth.name} covers "
                        f"({', '.join(p.value for p in auth.purposes)})"
                    )
                    continue
                if auth.existing_before is not None and (
                    item.existing_since is None or item.existing_since > auth.existing_before
                ):
                    reasons.append(
                        f"{auth.name} covers only equipment existing on or before "
                        f"{auth.existing_before}"
                        + (
                            " and existing_since is not given"
                            if item.existing_since is None
                            else f" (existing_since {item.existing_since})"
                        )
                    )
                    continue
                used.append(auth)
                break
            else:
                gaps.append(f"item {number}: " + "; ".join(dict.fromkeys(reasons)))
        return list(dict.fromkeys(used)), gaps

    # --- sensitivity --------------------------------------------------------------------------

    def _category(self, item: Item, view: RulesAsOf) -> SensitivityCategory | None:
        eccn = item.classification
        if eccn is None:
            return None
        key = (view.epoch, eccn)
        if key not in self._categories:
            self._categories[key] = self._find_category(eccn, view)
        return self._categories[key]

    def _find_category(self, eccn: str, view: RulesAsOf) -> SensitivityCategory | None:
        rule = view.eccns.get(eccn_base(eccn))
        reasons = {c.reason for c in rule.controls} if rule else set()
        for category in view.sensitivity:  # most sensitive first
            if any(eccn_matches(p, eccn) for p in category.eccns):
                return category
            if reasons & set(category.reasons_any):
                return category
            if category.reasons_only and reasons and reasons <= set(category.reasons_only):
                return category
        return None

    def _sensitivity(self, item: Item, view: RulesAsOf) -> dict[str, str]:
        category = self._category(item, view)
        if category is None:
            return {
                "sensitivity": "unclassified" if item.classification is None else "unknown",
                "outlook": "sensitivity unknown: classify the item to judge the licence outlook",
            }
        return {"sensitivity": category.name, "outlook": category.outlook}

    def _worst_sensitivity(self, items: Sequence[Item], view: RulesAsOf) -> dict[str, str]:
        ranked = [(self._category(i, view), i) for i in items]
        unknown = [i for c, i in ranked if c is None]
        if unknown:
            return self._sensitivity(unknown[0], view)
        category = max((c for c, _ in ranked if c is not None), key=lambda c: c.rank)
        return {"sensitivity": category.name, "outlook": category.outlook}


def _unapplied_note(skipped: Sequence[Control]) -> str:
    if not skipped:
        return ""
    parts = dict.fromkeys(f"{c.column or c.reason} for .{'/.'.join(c.paragraphs)}" for c in skipped)
    return (
        "; controls of sub-paragraphs the classification does not name were not applied ("
        + ", ".join(parts)
        + "): classify to the full paragraph if the item falls under one"
    )


_SCOPE_TEXT = {
    RequirementScope.ALL_ITEMS: "for all items subject to the EAR",
    RequirementScope.CCL_ITEMS: "for items on the Commerce Control List",
    RequirementScope.UNKNOWN: "scope not understood, taken as all items subject to the EAR",
}


def _selects(selector: ItemSelector, eccn: str | None) -> bool:
    if selector is ItemSelector.ALL:
        return True
    if selector is ItemSelector.EAR99:
        return eccn == EAR99 or eccn is None
    return eccn != EAR99  # CCL, and unclassified items conservatively


def _outcome(verdict: Verdict, findings: Sequence[Finding], subject: Sequence[bool | None]) -> str:
    if verdict is PR:
        return "PROHIBITED"
    if verdict is LR:
        policies = [f.policy for f in findings if f.verdict is LR and f.policy is not None]
        worst = max(policies, key=lambda p: p.restrictiveness, default=ReviewPolicy.UNKNOWN)
        return f"LICENCE_REQUIRED:{worst.value.replace('-', '_')}"
    for f in findings:
        if f.authorization:
            kind = (
                "LICENCE_EXCEPTION"
                if f.check in ("licence-exception", "embargo")
                else "GENERAL_AUTH"
            )
            return f"{kind}:{f.authorization}"
    return "NLR" if any(s is not False for s in subject) else "NOT_SUBJECT"
