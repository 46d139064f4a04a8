"""Benchmark of the name matcher on the real 2026 screening list, against a brute-force baseline.

Builds a labelled set from the list (listed names written the way customers write them, and
unlisted names made from ordinary company-name vocabulary, including hard negatives that share
the lists' generic words), adds the labelled pairs in name_matching/, and prints recall,
false-positive rate, names per second, index build time and memory for exportcheck's NameIndex
and for brute-force rapidfuzz token_sort_ratio over every listed name, in the same run.

    python benchmarks/matching.py [--data ../shared/data] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import pickle
import random
import re
import statistics
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from exportcheck.domain.matching import (  # noqa: E402
    DEFAULT_THRESHOLD,
    IndexEntry,
    NameIndex,
    normalise_name,
)
from exportcheck.domain.matching.normalise import clear_caches, list_name_variants  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Loading


def load_entries(data: Path) -> tuple[list[IndexEntry], list[str]]:
    path = data / "csl" / "csl_2026-07-31_compact.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        csl = json.load(handle)
    entries = []
    kinds = []
    for number, raw in enumerate(csl["entries"]):
        names = (raw["n"], *(raw.get("a") or []))
        entries.append(IndexEntry(f"csl-{number}", names, frozenset(raw.get("c") or [])))
        kinds.append(raw.get("t") or "Unknown")
    return entries, kinds


# ---------------------------------------------------------------------------------------------
# Customer-written variants of listed names

LEGAL_SWAPS = [
    "Co., Ltd.",
    "Company Limited",
    "Ltd",
    "Limited",
    "LLC",
    "GmbH",
    "Inc.",
    "Corp.",
    "S.A.",
    "JSC",
    "OOO",
    "Co Ltd",
    "Pte Ltd",
    "",
]
LEGAL_TAILS = [
    "closed joint stock company",
    "open joint stock company",
    "public joint stock company",
    "joint stock company",
    "limited liability company",
    "co., ltd.",
    "co. ltd.",
    "co ltd",
    "company limited",
    "co., limited",
    "ltd.",
    "ltd",
    "limited",
    "llc",
    "inc.",
    "inc",
    "corp.",
    "corporation",
    "gmbh",
    "s.a.",
    "jsc",
    "ooo",
    "pjsc",
    "ao",
    "oao",
    "pte ltd",
    "pvt. ltd.",
    "pvt ltd",
    "sdn bhd",
    "co.",
    "company",
]
ABBREVIATE = {
    "technologies": "Tech",
    "technology": "Tech.",
    "international": "Intl",
    "corporation": "Corp.",
    "company": "Co.",
    "manufacturing": "Mfg",
    "university": "Univ.",
    "group": "Grp",
    "limited": "Ltd",
    "communications": "Comm",
    "communication": "Comm.",
    "industries": "Inds",
    "industrial": "Ind.",
    "engineering": "Eng.",
    "electronics": "Elec.",
    "institute": "Inst.",
    "research": "Res.",
    "systems": "Sys",
    "services": "Svcs",
    "national": "Natl",
    "development": "Dev.",
    "equipment": "Equip.",
    "trading": "Trdg",
    "holdings": "Hldgs",
    "investment": "Invest.",
    "joint stock company": "JSC",
    "limited liability company": "LLC",
    "company limited": "Co., Ltd.",
}
EXTRA_WORDS = [
    " (Head Office)",
    " - Purchasing Dept",
    " - Procurement",
    " (HQ)",
    ", Attn: Purchasing",
    " Branch Office",
    " (Sales Department)",
    # Not words the matcher knows as decorations: a fair share of what customers add.
    " (Factory No. 2)",
    " - Shanghai Representative Office",
    " c/o DHL Global Forwarding",
    " Logistics Centre",
]
ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ", "c": "ç", "s": "ş"}


LEGAL_HEADS = [
    "limited liability company",
    "joint stock company",
    "open joint stock company",
    "closed joint stock company",
    "public joint stock company",
    "obshchestvo s ogranichennoi otvetstvennostyu",
    "aktsionernoe obshchestvo",
    "ooo",
    "oao",
    "ao",
    "jsc",
    "pjsc",
]


def strip_legal(name: str) -> tuple[str, bool]:
    low = name.lower().rstrip(" ,.")
    for tail in sorted(LEGAL_TAILS, key=len, reverse=True):
        for sep in (", ", " "):
            if low.endswith(sep + tail):
                return name[: len(low) - len(sep + tail)].rstrip(" ,"), True
    for head in sorted(LEGAL_HEADS, key=len, reverse=True):
        if low.startswith(head + " "):
            return name[len(head) + 1 :].strip(" ,"), True
    return name, False


def typo(rng: random.Random, name: str) -> str:
    words = name.split()
    spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not spots:
        return name
    i = rng.choice(spots)
    w = words[i]
    p = rng.randrange(1, len(w) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    elif kind == "drop":
        w = w[:p] + w[p + 1 :]
    elif kind == "double":
        w = w[:p] + w[p] + w[p:]
    else:
        near = "qwertyuiopasdfghjklzxcvbnm"
        letter = rng.choice(near)
        w = w[:p] + (letter.upper() if w[p].isupper() else letter) + w[p + 1 :]
    words[i] = w
    return " ".join(words)


def legal_swap(rng: random.Random, name: str) -> str:
    base, _ = strip_legal(name)
    new = rng.choice([f for f in LEGAL_SWAPS if f])
    return f"{base} {new}" if rng.random() < 0.8 else f"{new} {base}"


def legal_drop(rng: random.Random, name: str) -> str:
    base, had = strip_legal(name)
    return base if had else name


def abbreviate(rng: random.Random, name: str) -> str:
    low = name.lower()
    options = [full for full in ABBREVIATE if re.search(rf"\b{full}\b", low)]
    if not options:
        return name
    full = rng.choice(options)
    found = re.search(rf"\b{full}\b", low)
    assert found is not None
    return name[: found.start()] + ABBREVIATE[full] + name[found.end() :]


def word_order(rng: random.Random, name: str) -> str:
    if "," in name:
        surname, _, given = name.partition(",")
        if given.strip() and len(given.split()) <= 4:
            return f"{given.strip()} {surname.strip()}"
    base, had = strip_legal(name)
    if had:
        low_base = base.lower()
        start = name.lower().find(low_base)
        form = (name[:start] + name[start + len(base) :]).strip(" ,")
        return f"{base} {form}" if start > 0 else f"{form} {base}"
    # A place or first word moved to the end ("Beijing Huawei Digital" -> "Huawei Digital
    # Beijing"), the way customers reorder company names.
    words = name.split()
    if len(words) >= 2:
        words = [*words[1:], words[0]]
    return " ".join(words)


def spacing(rng: random.Random, name: str) -> str:
    words = name.split()
    if len(words) >= 2 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
    spots = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
    if spots:
        i = rng.choice(spots)
        cut = rng.randrange(3, len(words[i]) - 3)
        words[i] = words[i][:cut] + " " + words[i][cut:]
        return " ".join(words)
    return name.replace(" ", "  ").replace("-", " ")


def diacritics(rng: random.Random, name: str) -> str:
    if not name.isascii():
        return "".join(
            c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
        )
    chars = list(name)
    spots = [i for i, c in enumerate(chars) if c.lower() in ACCENTS]
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        accented = ACCENTS[chars[i].lower()]
        chars[i] = accented.upper() if chars[i].isupper() else accented
    return "".join(chars)


def extra_words(rng: random.Random, name: str) -> str:
    return name + rng.choice(EXTRA_WORDS)


def case_and_punctuation(rng: random.Random, name: str) -> str:
    out = name.upper() if rng.random() < 0.5 else name.title()
    return out.replace(",", "").replace(".", "") if rng.random() < 0.5 else out


VARIATIONS: dict[str, Callable[[random.Random, str], str]] = {
    "typo": typo,
    "legal-form swap": legal_swap,
    "legal form dropped": legal_drop,
    "abbreviation": abbreviate,
    "word order": word_order,
    "spacing": spacing,
    "diacritics": diacritics,
    "extra words": extra_words,
    "case/punctuation": case_and_punctuation,
}


@dataclass(frozen=True)
class Case:
    query: str
    country: str | None
    target: str | None  # entry key, or None for an unlisted name
    kind: str


def positives(
    rng: random.Random, entries: Sequence[IndexEntry], kinds: Sequence[str], count: int
) -> list[Case]:
    pool = [
        i
        for i, kind in enumerate(kinds)
        if kind not in ("Vessel", "Aircraft") and len(entries[i].names[0]) <= 90
    ]
    cases = []
    classes = [*VARIATIONS, "alias as written", "two variations"]
    for n in range(count):
        entry = entries[rng.choice(pool)]
        kind = classes[n % len(classes)]
        if kind == "alias as written":
            if len(entry.names) < 2:
                kind = "two variations"
            else:
                name = rng.choice(entry.names[1:])
                cases.append(Case(name, _country(rng, entry), entry.key, kind))
                continue
        # Customers write the name, not the list's decorations ("Affiliated Entity:", a.k.a.).
        name = rng.choice(
            [v.text for v in list_name_variants(rng.choice(entry.names)) if not v.how]
            or [entry.names[0]]
        )
        if kind == "two variations":
            first, second = rng.sample(list(VARIATIONS), 2)
            query = VARIATIONS[second](rng, VARIATIONS[first](rng, name))
        else:
            query = VARIATIONS[kind](rng, name)
        cases.append(Case(query, _country(rng, entry), entry.key, kind))
    return cases


def _country(rng: random.Random, entry: IndexEntry) -> str | None:
    if entry.countries and rng.random() < 0.7:
        return rng.choice(sorted(entry.countries))
    return None


# ---------------------------------------------------------------------------------------------
# Unlisted names from ordinary company-name vocabulary (not taken from the lists)


def _words(text: str) -> list[str]:
    return text.split()


BRANDS = """
Sunrise Golden Bright Apex Pioneer Evergreen Silverline Bluewater Keystone Summit Horizon
Meridian Crescent Phoenix Harbor Northstar Everbright Greenfield Redwood Oakridge Clearview
Brightway Starlight Unity Vertex Nova Zenith Orion Atlas Titan Delta Sigma Omega Alpha Vector
Quantum Fusion Matrix Nexus Prime Elite Royal Imperial Crown Eagle Falcon Hawk Lion Tiger
Dragon Panda Lotus Jade Pearl Coral Amber Ruby Sapphire Emerald Crystal Diamond Platinum Silver
Bronze Iron Steel Granite Marble Cedar Maple Willow Birch Pine Aspen Sequoia Magnolia Orchid
Jasmine Lily Rose Tulip Daisy Sunflower Rainbow Sky Ocean River Lake Valley Mountain Hill
Forest Meadow Prairie Canyon Mesa Ridge Peak Crest Bay Cove Harbour Port Bridge Gate Tower
Castle Palace Temple Garden Park Square Plaza Avenue Boulevard Broadway Pacific Atlantic
Arctic Continental Trans Inter Omni Multi Uni Poly Pan Euro Asia Sino Indo Afro Latin Nordic
Baltic Alpine Coastal Central Eastern Western Northern Southern Metro Urban Rural Global
Worldwide Universal Premier Superior Supreme Excel Optimum Maximum Precision Accurate Swift
Rapid Express Direct Smart Wise Clever Bright Brilliant Radiant Shining Glory Honor Trust
Loyal Faith Hope Harmony Peace Serenity Tranquil Vital Dynamic Active Kinetic Momentum Impulse
Spark Flash Blaze Flame Fire Frost Snow Ice Storm Thunder Lightning Wind Breeze Cloud Rain
Wave Tide Current Stream Spring Fountain Well Source Origin Genesis Infinity Eternal Legacy
Heritage Tradition Classic Modern Future Next Neo New Fresh Pure Clean Clear Green Blue Red
Goldstar Sunway Everwin Richland Fortune Prosper Wealth Lucky Happy Joy Bliss Grand Great
Mega Giga Tera Micro Nano Pico Hyper Ultra Super Turbo Power Energy Force Strength Vigor
Kaiyuan Hengda Tianyi Xinhua Huaxin Jinlong Changhong Dongfang Zhongxing Haitian Longsheng
Shengda Ruifeng Hongyuan Jiahe Yongsheng Baosheng Fuxing Hengtong Tongda Xinda Weida Kangda
Anatolia Bosphorus Caspian Volga Ural Neva Baikal Sibir Taiga Altai Pamir Tigris Euphrates
Persia Zagros Alborz Damavand Karun Sepahan Pars Kish Hormuz Makran Indus Ganges Yamuna
"""
GENERIC = [
    "Technology",
    "Technologies",
    "Trading",
    "International",
    "Electronics",
    "Industrial",
    "Industries",
    "Logistics",
    "Research Institute",
    "Engineering",
    "Import & Export",
    "Import and Export",
    "Holdings",
    "Group",
    "Supply",
    "Systems",
    "Solutions",
    "Machinery",
    "Equipment",
    "Materials",
    "Chemical",
    "Semiconductor",
    "Aviation",
    "Shipping",
    "Energy",
    "Investment",
    "Development",
    "Science and Technology",
    "Precision Instruments",
    "Components",
    "Telecommunications",
    "Microelectronics",
    "Optoelectronics",
    "Metals",
    "Plastics",
    "Pharmaceutical",
    "Medical Devices",
    "Software",
    "Networks",
    "Consulting",
    "Marine Services",
    "Automation",
    "Instruments",
]
LEGAL = ["Co., Ltd.", "Ltd", "Limited", "LLC", "GmbH", "Inc.", "Corp.", "JSC", "OOO", "S.A.", ""]
PLACES = _words(
    """
Shenzhen Beijing Shanghai Guangzhou Hangzhou Suzhou Ningbo Xiamen Qingdao Dalian Tianjin
Chengdu Wuhan Nanjing Moscow Novosibirsk Yekaterinburg Kazan Samara Tehran Isfahan Tabriz Dubai
Sharjah Istanbul Ankara Izmir Minsk Almaty Tashkent Bishkek Yerevan Tbilisi Baku Karachi Lahore
Mumbai Delhi Chennai Singapore Hong Kong Taipei Seoul Busan Bangkok Hanoi Kuala Lumpur Jakarta
Manila Riyadh Jeddah Doha Muscat Cairo Beirut Damascus Baghdad Caracas Havana Pyongyang
"""
)
GIVEN = _words(
    """
Wei Li Jun Ming Hui Xin Yan Lei Jie Tao Igor Sergey Dmitry Alexei Nikolai Olga Tatiana Elena
Irina Natalia Mohammed Ahmed Ali Hassan Hussein Omar Khalid Fatima Aisha Reza Hossein Mehdi
Saeed Amir Parisa Maryam John Michael David James Robert Maria Carlos Jose Luis Juan Ana Sofia
Kenji Hiroshi Yuki Min-jun Seo-yeon Raj Amit Priya Ravi Anil Mehmet Ayse Emre Murat
"""
)
SURNAMES = _words(
    """
Zhang Wang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Ivanov Smirnov
Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov Alekseev
Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Rahimi Hosseini Mohammadi Karimi Ahmadi
Rezaei Moradi Jafari Hashemi Al-Sayed Haddad Khoury Nasser Saleh Mansour Aziz Rahman Khan
Sharma Patel Gupta Singh Kumar Yilmaz Kaya Demir Sahin Celik Smith Johnson Williams Brown Jones
Garcia Martinez Rodriguez Lopez Gonzalez Tanaka Suzuki Sato Kim Lee Park Choi Nguyen Tran
"""
)


def negatives(rng: random.Random, count: int, listed_keys: set[str]) -> tuple[list[Case], int]:
    brands = BRANDS.split()
    cases: list[Case] = []
    excluded = 0
    countries = ["CN", "RU", "IR", "AE", "TR", "DE", "US", "IN", "HK", "SG", None]
    while len(cases) < count:
        pattern = rng.random()
        if pattern < 0.35:
            # Hard negative: a place and generic words of the kind listed names are made of.
            name = (
                f"{rng.choice(PLACES)} {rng.choice(brands)} {rng.choice(GENERIC)} "
                f"{rng.choice(LEGAL)}"
            )
            kind = "company: place + brand + generic"
        elif pattern < 0.6:
            generics = rng.sample(GENERIC, 2)
            name = f"{rng.choice(brands)} {generics[0]} {generics[1]} {rng.choice(LEGAL)}"
            kind = "company: brand + two generic"
        elif pattern < 0.8:
            name = f"{rng.choice(brands)}{rng.choice(brands).lower()} {rng.choice(LEGAL)}"
            kind = "company: coined brand"
        else:
            given = rng.choice(GIVEN)
            name = (
                f"{given} {rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
                if rng.random() < 0.5
                else f"{rng.choice(SURNAMES)}, {given}"
            )
            kind = "person"
        name = name.strip()
        if normalise_name(name) in listed_keys:
            # A name that is exactly a listed one is a true hit, not a negative.
            excluded += 1
            continue
        cases.append(Case(name, rng.choice(countries), None, kind))
    return cases, excluded


# ---------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class Outcome:
    recall: float
    fp_rate: float
    per_class: dict[str, tuple[int, int]]
    per_negative: dict[str, tuple[int, int]]
    names_per_second: float
    misses: list[Case]
    false_alarms: list[tuple[Case, str]]


def evaluate(
    cases: Sequence[Case], search: Callable[[str, str | None], list[tuple[str, str]]]
) -> Outcome:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    neg_hits: Counter[str] = Counter()
    neg_totals: Counter[str] = Counter()
    misses: list[Case] = []
    alarms: list[tuple[Case, str]] = []
    start = time.perf_counter()
    results = [search(case.query, case.country) for case in cases]
    elapsed = time.perf_counter() - start
    for case, found in zip(cases, results, strict=True):
        if case.target is not None:
            totals[case.kind] += 1
            if any(key == case.target for key, _ in found):
                hits[case.kind] += 1
            else:
                misses.append(case)
        else:
            neg_totals[case.kind] += 1
            if found:
                neg_hits[case.kind] += 1
                alarms.append((case, found[0][1]))
    positives_total = sum(totals.values())
    negatives_total = sum(neg_totals.values())
    return Outcome(
        recall=sum(hits.values()) / max(positives_total, 1),
        fp_rate=sum(neg_hits.values()) / max(negatives_total, 1),
        per_class={k: (hits[k], totals[k]) for k in sorted(totals)},
        per_negative={k: (neg_hits[k], neg_totals[k]) for k in sorted(neg_totals)},
        names_per_second=len(cases) / elapsed,
        misses=misses,
        false_alarms=alarms,
    )


def pair_benchmark(index: NameIndex, data: Path, threshold: float) -> list[str]:
    lines = []
    path = data / "name_matching" / "nomenklatura_name_bench_cases.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    correct = tp = fp = fn = 0
    for row in rows:
        predicted = index.score_pair(row["name1"], row["name2"]) >= threshold
        actual = row["is_match"] == "true"
        correct += predicted == actual
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    lines.append(
        f"nomenklatura name-bench pairs ({len(rows)}): accuracy {correct / len(rows):.3f}, "
        f"precision {tp / max(tp + fp, 1):.3f}, recall {tp / max(tp + fn, 1):.3f}"
    )
    reference = data / "name_matching" / "nomenklatura_name_bench_logicv2_scores.csv"
    if reference.exists():
        with reference.open(encoding="utf-8", newline="") as handle:
            ref = list(csv.DictReader(handle))
        ok = sum(r["outcome"] in ("TP", "TN") for r in ref)
        lines.append(
            f"  (reference: logic-v2 accuracy on its {len(ref)} scored pairs {ok / len(ref):.3f})"
        )
    cross = data / "name_matching" / "watchman_cross_script_pairs.csv"
    if cross.exists():
        with cross.open(encoding="utf-8") as handle:
            pairs = [
                line.split(",") for line in handle if line.strip() and not line.startswith("#")
            ]
        found = sum(index.score_pair(p[0], p[1]) >= threshold for p in pairs)
        lines.append(f"watchman cross-script pairs (all matches): {found}/{len(pairs)} found")
    putin = data / "name_matching" / "nomenklatura_putin_name_variants.txt"
    if putin.exists():
        names = [
            line.strip()
            for line in putin.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        found = 0
        for name in names:
            found += any(
                "PUTIN" in m.matched_name.upper() for m in index.search(name, threshold=threshold)
            )
        lines.append(f"Putin spellings searched in the full list: {found}/{len(names)} found")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--positives", type=int, default=3000)
    parser.add_argument("--negatives", type=int, default=3000)
    parser.add_argument("--baseline-sample", type=int, default=400)
    parser.add_argument("--baseline-cutoff", type=float, default=85.0)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--show", type=int, default=0, help="print this many misses and alarms")
    args = parser.parse_args(argv)

    entries, kinds = load_entries(args.data)
    names_total = sum(len(e.names) for e in entries)
    print(f"list: {len(entries)} parties, {names_total} names and aliases")

    # Timed first, with cold normalisation caches, as a fresh process would build it.
    clear_caches()
    start = time.perf_counter()
    index = NameIndex.build(entries)
    build_seconds = time.perf_counter() - start
    clear_caches()
    tracemalloc.start()
    measured = NameIndex.build(entries)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del measured
    blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    start = time.perf_counter()
    pickle.loads(blob)
    load_seconds = time.perf_counter() - start
    print(
        f"exportcheck index: build {build_seconds:.2f} s, {index.variant_count} name forms, "
        f"memory {current / 2**20:.0f} MiB (peak {peak / 2**20:.0f} MiB), "
        f"pickle {len(blob) / 2**20:.1f} MiB, unpickle {load_seconds:.2f} s"
    )

    rng = random.Random(args.seed)
    listed_keys = {
        normalise_name(v.text) for e in entries for n in e.names for v in list_name_variants(n)
    }
    pos = positives(rng, entries, kinds, args.positives)
    neg, excluded = negatives(rng, args.negatives, listed_keys)
    cases = pos + neg
    rng.shuffle(cases)
    print(
        f"labelled set (seed {args.seed}): {len(pos)} listed names as customers write them, "
        f"{len(neg)} unlisted names ({excluded} generated names dropped as exactly listed)"
    )

    def ours(query: str, country: str | None) -> list[tuple[str, str]]:
        return [
            (m.key, f"{m.matched_name} {m.score:.2f}")
            for m in index.search(query, country, threshold=args.threshold, limit=20)
        ]

    outcome = evaluate(cases, ours)
    print(
        f"\nexportcheck NameIndex (threshold {args.threshold:.2f}): recall {outcome.recall:.3f}, "
        f"false-positive rate {outcome.fp_rate:.3f}, {outcome.names_per_second:.0f} names/s "
        "(distinct names, one core, warm)"
    )
    for kind, (hit, total) in outcome.per_class.items():
        print(f"  recall  {kind:<24} {hit / total:.3f}  ({hit}/{total})")
    for kind, (hit, total) in outcome.per_negative.items():
        print(f"  FP rate {kind:<34} {hit / total:.3f}  ({hit}/{total})")

    sweep = []
    for threshold in (0.70, 0.75, 0.80, 0.85, 0.90):

        def at(query: str, country: str | None, t: float = threshold) -> list[tuple[str, str]]:
            return [
                (m.key, m.matched_name) for m in index.search(query, country, threshold=t, limit=20)
            ]

        swept = evaluate(cases, at)
        sweep.append(f"{threshold:.2f}: recall {swept.recall:.3f} FP {swept.fp_rate:.3f}")
    print("  threshold sweep: " + "; ".join(sweep))

    # Brute force over every listed name, on a sample since it is slow.
    choices = [utils.default_process(n) for e in entries for n in e.names]
    owner = [e.key for e in entries for _ in e.names]
    sample = rng.sample(pos, min(args.baseline_sample, len(pos))) + rng.sample(
        neg, min(args.baseline_sample, len(neg))
    )

    def brute(query: str, country: str | None) -> list[tuple[str, str]]:
        found = process.extract(
            utils.default_process(query),
            choices,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=args.baseline_cutoff,
            limit=20,
        )
        return [(owner[i], choice) for choice, _, i in found]

    base = evaluate(sample, brute)
    ours_sample = evaluate(sample, ours)
    print(
        f"\nbrute-force rapidfuzz token_sort_ratio >= {args.baseline_cutoff:.0f} over all "
        f"{len(choices)} names (sample of {len(sample)}): recall {base.recall:.3f}, "
        f"false-positive rate {base.fp_rate:.3f}, {base.names_per_second:.0f} names/s, "
        "build 0 s (no index)"
    )
    print(
        f"exportcheck on the same sample: recall {ours_sample.recall:.3f}, "
        f"false-positive rate {ours_sample.fp_rate:.3f}"
    )

    print()
    for line in pair_benchmark(index, args.data, args.threshold):
        print(line)

    if args.show:
        print("\nmisses:")
        for case in outcome.misses[: args.show]:
            print(f"  [{case.kind}] {case.query!r} -> {case.target}")
        print("false alarms:")
        for case, found in outcome.false_alarms[: args.show]:
            print(f"  [{case.kind}] {case.query!r} -> {found}")
    spread = statistics.mean(len(c.query) for c in cases)
    print(f"\n(mean query length {spread:.0f} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
