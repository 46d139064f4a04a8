"""What changed between two sets of screening-list entries: added, removed and changed entries
per list, for ``exportcheck rules diff OLD NEW``.

Entries are matched by id. BIS and State records get new official ids when trade.gov
regenerates its download, so entries left over on both sides of one list are then paired by
normalised name (and, among entries of the same name, by the addresses they share); such a pair
is reported as changed, with its old id, rather than as one removal and one addition.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from enum import Enum

from exportcheck.domain.base import Model
from exportcheck.domain.rules import Address, Footnote, ListEntry, RuleSet

__all__ = [
    "EntryChange",
    "FieldChange",
    "ListDiff",
    "RulesDiff",
    "diff_lists",
    "entries_by_list",
    "normalise_name",
]

EntriesByList = Mapping[str, Iterable[ListEntry]]

# Fields compared as values and as sets of items, in report order.
_VALUE_FIELDS = (
    "name",
    "type",
    "from_",
    "until",
    "citation",
    "requirement",
    "requirement_scope",
    "policy",
    "policy_text",
    "note",
)
_SET_FIELDS = ("aliases", "addresses", "countries", "footnotes", "programs", "tags")
_FIELD_NAMES = {"from_": "from"}


class FieldChange(Model):
    """One field of an entry that differs: old and new values, or the items added and removed."""

    field: str
    old: str | None = None
    new: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class EntryChange(Model):
    id: str
    old_id: str | None = None  # set when the entry was matched by name under a new id
    name: str
    changes: tuple[FieldChange, ...]


class ListDiff(Model):
    list: str
    added: tuple[ListEntry, ...] = ()
    removed: tuple[ListEntry, ...] = ()
    changed: tuple[EntryChange, ...] = ()
    unchanged: int = 0


class RulesDiff(Model):
    lists: tuple[ListDiff, ...] = ()

    @property
    def added(self) -> int:
        return sum(len(d.added) for d in self.lists)

    @property
    def removed(self) -> int:
        return sum(len(d.removed) for d in self.lists)

    @property
    def changed(self) -> int:
        return sum(len(d.changed) for d in self.lists)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def entries_by_list(rules: RuleSet | EntriesByList) -> dict[str, list[ListEntry]]:
    """The list entries of a rule set (or a mapping already grouped), grouped by list id."""
    if isinstance(rules, RuleSet):
        grouped: dict[str, list[ListEntry]] = defaultdict(list)
        for entry_id, entry in rules.entries.items():
            grouped[rules.entry_list.get(entry_id, "")].append(entry)
        return dict(grouped)
    return {list_id: list(entries) for list_id, entries in rules.items()}


_NON_WORD = re.compile(r"[\W_]+")


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing folded away: the key for pairing by name."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Address):
        text = value.text or ""
        return f"{text} [{value.country}]" if value.country else text
    if isinstance(value, Footnote):
        return str(value.number)
    return str(value)


def _changes(old: ListEntry, new: ListEntry, notes: bool) -> tuple[FieldChange, ...]:
    found: list[FieldChange] = []
    for name in _VALUE_FIELDS:
        if name == "note" and not notes:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            found.append(
                FieldChange(field=_FIELD_NAMES.get(name, name), old=_show(before), new=_show(after))
            )
    for name in _SET_FIELDS:
        before_items = [_show(v) or "" for v in getattr(old, name)]
        after_items = [_show(v) or "" for v in getattr(new, name)]
        before_set, after_set = set(before_items), set(after_items)
        if before_set != after_set:
            found.append(
                FieldChange(
                    field=name,
                    added=tuple(v for v in dict.fromkeys(after_items) if v not in before_set),
                    removed=tuple(v for v in dict.fromkeys(before_items) if v not in after_set),
                )
            )
    return tuple(found)


def _affinity(old: ListEntry, new: ListEntry) -> tuple[int, int, int]:
    shared = len({a.text for a in old.addresses} & {a.text for a in new.addresses})
    countries = len(old.all_countries() & new.all_countries())
    return (shared, int(old.from_ == new.from_), countries)


def _pair_by_name(
    removed: list[ListEntry], added: list[ListEntry]
) -> list[tuple[ListEntry, ListEntry]]:
    """Pairs of a removed and an added entry with the same normalised name, closest first."""
    old_by_name: dict[str, list[ListEntry]] = defaultdict(list)
    new_by_name: dict[str, list[ListEntry]] = defaultdict(list)
    for entry in removed:
        old_by_name[normalise_name(entry.name)].append(entry)
    for entry in added:
        new_by_name[normalise_name(entry.name)].append(entry)
    pairs: list[tuple[ListEntry, ListEntry]] = []
    for key, olds in old_by_name.items():
        news = new_by_name.get(key)
        if not news:
            continue
        candidates = sorted(
            ((_affinity(o, n), i, j) for i, o in enumerate(olds) for j, n in enumerate(news)),
            key=lambda c: (-c[0][0], -c[0][1], -c[0][2], c[1], c[2]),
        )
        used_old: set[int] = set()
        used_new: set[int] = set()
        for _, i, j in candidates:
            if i not in used_old and j not in used_new:
                used_old.add(i)
                used_new.add(j)
                pairs.append((olds[i], news[j]))
    return pairs


def diff_lists(
    old: RuleSet | EntriesByList, new: RuleSet | EntriesByList, *, notes: bool = False
) -> RulesDiff:
    """Added, removed and changed entries of every list in ``old`` or ``new``, sorted by list
    id and entry id.

    Notes (remarks, dates of birth, identity documents) are compared only with ``notes=True``:
    trade.gov reorders the parts of an id document between downloads, which would report most
    SDN entries as changed.
    """
    old_lists, new_lists = entries_by_list(old), entries_by_list(new)
    old_by_id = {e.id: (list_id, e) for list_id, es in old_lists.items() for e in es}
    new_by_id = {e.id: (list_id, e) for list_id, es in new_lists.items() for e in es}
    changed: dict[str, list[EntryChange]] = defaultdict(list)
    unchanged: dict[str, int] = defaultdict(int)
    for entry_id, (list_id, entry) in new_by_id.items():
        before = old_by_id.get(entry_id)
        if before is None:
            continue
        changes = _changes(before[1], entry, notes)
        if before[0] != list_id:
            changes = (FieldChange(field="list", old=before[0], new=list_id), *changes)
        if changes:
            changed[list_id].append(EntryChange(id=entry_id, name=entry.name, changes=changes))
        else:
            unchanged[list_id] += 1
    removed: dict[str, list[ListEntry]] = defaultdict(list)
    added: dict[str, list[ListEntry]] = defaultdict(list)
    for entry_id, (list_id, entry) in old_by_id.items():
        if entry_id not in new_by_id:
            removed[list_id].append(entry)
    for entry_id, (list_id, entry) in new_by_id.items():
        if entry_id not in old_by_id:
            added[list_id].append(entry)
    for list_id in set(removed) & set(added):
        pairs = _pair_by_name(removed[list_id], added[list_id])
        paired_old = {o.id for o, _ in pairs}
        paired_new = {n.id for _, n in pairs}
        for before_entry, entry in pairs:
            changes = _changes(before_entry, entry, notes)
            if changes:
                changed[list_id].append(
                    EntryChange(
                        id=entry.id, old_id=before_entry.id, name=entry.name, changes=changes
                    )
                )
            else:
                unchanged[list_id] += 1
        removed[list_id] = [e for e in removed[list_id] if e.id not in paired_old]
        added[list_id] = [e for e in added[list_id] if e.id not in paired_new]
    lists = [
        ListDiff(
            list=list_id,
            added=tuple(sorted(added.get(list_id, ()), key=lambda e: e.id)),
            removed=tuple(sorted(removed.get(list_id, ()), key=lambda e: e.id)),
            changed=tuple(sorted(changed.get(list_id, ()), key=lambda c: c.id)),
            unchanged=unchanged.get(list_id, 0),
        )
        for list_id in sorted(set(old_lists) | set(new_lists))
    ]
    return RulesDiff(lists=tuple(lists))
