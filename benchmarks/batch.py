"""Benchmark of `exportcheck batch` on a realistic order book, against a naive row-by-row loop.

Generates a CSV (1,000,000 rows by default) of sales to 50,000 distinct counterparties, about 2 %
of them listed parties taken from the full Consolidated Screening List of May 2022 and written the
way customers write them (case, punctuation, legal forms, word order, typos); mixed destinations
and ECCNs; foreign-made items with US content; dates 2019-2026. Imports that CSL with the list
importer, then runs the real command (`exportcheck batch FILE --rules CSL -o OUT --quiet`) in a
subprocess and prints wall time, rows/s and the peak memory of the whole process tree (RSS of the
command and its workers, sampled every 20 ms), and then the same for a naive loop -- csv
DictReader, one Sale per row, the screener's per-name cache switched off, one process -- on the
first 20,000 rows, in the same run.

    python benchmarks/batch.py                      # the full benchmark (about a minute)
    python benchmarks/batch.py --rows 50000 --naive-rows 2000    # a CI-sized run
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from exportcheck.domain.engine import Screener  # noqa: E402
from exportcheck.domain.matching import NameMatch  # noqa: E402
from exportcheck.loading.batch import canonical_column, sale_from_fields  # noqa: E402
from exportcheck.loading.rules import rule_dirs  # noqa: E402
from exportcheck.loading.screener import load_screener  # noqa: E402

CSL = REPO.parent / "shared" / "data" / "csl" / "csl_2022-05_full.csv.gz"
HEADER = [
    "id",
    "date",
    "buyer",
    "buyer_country",
    "consignee",
    "consignee_country",
    "end_user",
    "end_user_country",
    "description",
    "classification",
    "origin",
    "value",
    "us_content_percent",
    "purpose",
    "sales_rep",
]
DESTINATIONS = {  # weights: mostly allies and big markets, a tail of controlled destinations
    "DE": 10,
    "FR": 6,
    "GB": 8,
    "JP": 8,
    "KR": 6,
    "TW": 5,
    "CN": 12,
    "HK": 3,
    "IN": 6,
    "SG": 4,
    "MX": 5,
    "BR": 4,
    "CA": 6,
    "AU": 3,
    "NL": 4,
    "IT": 3,
    "ES": 2,
    "SE": 2,
    "IL": 2,
    "AE": 2,
    "TR": 2,
    "VN": 3,
    "MY": 2,
    "TH": 2,
    "RU": 2,
    "BY": 1,
    "PK": 1,
    "SA": 1,
    "ZA": 1,
    "EG": 1,
    "IR": 0.2,
    "KP": 0.05,
    "SY": 0.1,
    "CU": 0.1,
    "VE": 0.5,
}
FOREIGN_ORIGINS = {"TW": 5, "KR": 3, "JP": 3, "DE": 2, "CN": 3, "MY": 2, "MX": 1, "IL": 1}
COMMON_ECCNS = ["EAR99"] * 40 + [
    "5A992",
    "5A992.c",
    "3A991",
    "4A994",
    "5D992",
    "3A001.a.1",
    "5A002",
    "4A003",
    "3B001",
    "6A003",
    "7A003",
    "9A515",
    "3A090",
    "4A090",
    "5A991",
    "3A991.a",
]
PRODUCTS = [
    "Baseband processor",
    "FPGA evaluation board",
    "Network switch",
    "Oscilloscope",
    "Thermal camera",
    "Server motherboard",
    "Memory controller",
    "Firmware update",
    "Replacement fan tray",
    "Optical transceiver",
    "Encryption module",
    "Spectrum analyser",
    "Robot arm controller",
    "Laser diode",
    "GPU accelerator card",
    "Power supply unit",
]
PURPOSES = [""] * 20 + ["new-sale", "maintenance", "repair", "software-update"]
WORDS = [
    "Nordic",
    "Pacific",
    "Golden",
    "Alpine",
    "Silver",
    "Delta",
    "Summit",
    "Pioneer",
    "Atlas",
    "Harbor",
    "Crescent",
    "Evergreen",
    "Sterling",
    "Horizon",
    "Vertex",
    "Cobalt",
    "Meridian",
    "Orion",
    "Lakeside",
    "Redwood",
    "Bluewater",
    "Granite",
    "Falcon",
    "Northstar",
    "Riverside",
    "Keystone",
    "Sunrise",
    "Oakridge",
    "Maple",
    "Lotus",
    "Phoenix",
    "Sapphire",
    "Cedar",
    "Aurora",
    "Everest",
    "Pinnacle",
    "Beacon",
    "Coastal",
    "Prairie",
    "Westfield",
]
PLACES = [
    "Rhein",
    "Osaka",
    "Lyon",
    "Busan",
    "Penang",
    "Monterrey",
    "Pune",
    "Shenzhen",
    "Tianjin",
    "Hsinchu",
    "Leeds",
    "Turin",
    "Malmo",
    "Haifa",
    "Dubai",
    "Izmir",
    "Hanoi",
    "Perth",
    "Quebec",
    "Porto",
    "Graz",
    "Gdansk",
    "Brno",
    "Cebu",
    "Santos",
    "Durban",
    "Cairo",
    "Almaty",
    "Lagos",
    "Lima",
]
TRADES = [
    "Electronics",
    "Components",
    "Systems",
    "Trading",
    "Logistics",
    "Semiconductor",
    "Precision",
    "Instruments",
    "Networks",
    "Solutions",
    "Technologies",
    "Industrial",
    "Machinery",
    "Devices",
    "Optics",
]
LEGAL = [
    "GmbH",
    "Ltd.",
    "Co., Ltd.",
    "S.A.",
    "S.r.l.",
    "Inc.",
    "LLC",
    "Pte. Ltd.",
    "K.K.",
    "B.V.",
    "AB",
    "Oy",
    "Corp.",
    "Limited",
    "JSC",
]
LEGAL_SWAPS = [
    ("Co., Ltd.", "Company Limited"),
    ("Co. Ltd.", "Co Ltd"),
    ("Limited", "Ltd"),
    ("Company", "Co."),
    ("Corporation", "Corp"),
    ("Incorporated", "Inc"),
    ("LLC", "L.L.C."),
]


# --- the data -----------------------------------------------------------------------------------


def listed_parties(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Names (as a customer writes them) and countries of listed parties from the CSL."""
    with gzip.open(CSL, "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["name"].strip()]
    rows = [r for r in rows if (r["type"] or "Entity") == "Entity"] or rows
    chosen = rng.sample(rows, min(count, len(rows)))
    parties = []
    for row in chosen:
        countries = re.findall(r"(?:^|, )([A-Z]{2})(?:;|$)", row["addresses"] or "")
        country = countries[0] if countries else rng.choice(["CN", "RU", "IR", "AE", "HK"])
        parties.append((vary(row["name"].strip(), rng), country))
    return parties


def vary(name: str, rng: random.Random) -> str:
    """A listed name the way order entry writes it."""
    roll = rng.random()
    if roll < 0.25:
        return name
    if roll < 0.4:
        return name.upper()
    if roll < 0.55:
        return re.sub(r"[.,()\"']", "", name)
    if roll < 0.7:
        for old, new in LEGAL_SWAPS:
            if old in name:
                return name.replace(old, new)
        return name.title()
    if roll < 0.8:
        return re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    if roll < 0.9:  # one typo: two neighbouring letters of a long word swapped
        words = name.split()
        long = [i for i, w in enumerate(words) if len(w) >= 6]
        if long:
            i = rng.choice(long)
            w = words[i]
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            return " ".join(words)
        return name
    return "  ".join(name.split())  # doubled spaces


def ordinary_parties(count: int, rng: random.Random) -> list[tuple[str, str]]:
    names: set[str] = set()
    parties = []
    countries = list(DESTINATIONS)
    weights = list(DESTINATIONS.values())
    while len(parties) < count:
        parts = [rng.choice(WORDS)]
        if rng.random() < 0.8:
            parts.append(rng.choice(PLACES))
        parts += [rng.choice(TRADES), rng.choice(LEGAL)]
        name = " ".join(parts)
        if name in names:
            continue
        names.add(name)
        parties.append((name, rng.choices(countries, weights)[0]))
    return parties


def write_orders(path: Path, rows: int, counterparties: int, seed: int) -> None:
    rng = random.Random(seed)
    listed = listed_parties(counterparties // 50, rng)
    parties = ordinary_parties(counterparties - len(listed), rng) + listed
    rng.shuffle(parties)
    eccns = (
        COMMON_ECCNS
        + re.findall(r"eccn: (\S+)", (REPO / "rules" / "eccns.yaml").read_text(encoding="utf-8"))[
            :200
        ]
    )
    origins, origin_weights = list(FOREIGN_ORIGINS), list(FOREIGN_ORIGINS.values())
    start = dt.date(2019, 1, 1).toordinal()
    days = dt.date(2026, 12, 31).toordinal() - start
    reps = [f"{w[0]}. {p}" for w in WORDS[:12] for p in ("Meyer", "Okafor", "=SUM(A1)", "Ito")]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for number in range(rows):
            buyer, buyer_country = parties[int(rng.paretovariate(1.2) * 7) % len(parties)]
            consignee = consignee_country = end_user = end_user_country = ""
            if rng.random() < 0.25:
                end_user, end_user_country = rng.choice(parties)
            elif rng.random() < 0.15:
                consignee, consignee_country = rng.choice(parties)
            foreign = rng.random() < 0.35
            origin = rng.choices(origins, origin_weights)[0] if foreign else "US"
            content = ""
            if foreign and rng.random() > 0.03:
                content = f"{rng.uniform(0, 60):.1f}"
            classification = rng.choice(eccns) if rng.random() > 0.05 else ""
            writer.writerow(
                [
                    f"SO-{number:07d}",
                    dt.date.fromordinal(start + rng.randrange(days)).isoformat(),
                    buyer,
                    buyer_country,
                    consignee,
                    consignee_country,
                    end_user,
                    end_user_country,
                    rng.choice(PRODUCTS),
                    classification,
                    origin,
                    f"{rng.lognormvariate(8, 1.6):.2f}",
                    content,
                    rng.choice(PURPOSES),
                    rng.choice(reps),
                ]
            )


def import_csl(out: Path) -> None:
    from exportcheck.loading.importers import import_lists, write_rule_files

    result = import_lists([CSL], skip_bad_rows=True)
    write_rule_files(result, out)


# --- measuring ----------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for current in pids:
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pids.extend(int(p) for p in handle.read().split())
        except OSError:
            continue
    return pids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def run_measured(command: list[str]) -> tuple[float, int, int]:
    """Wall time, peak RSS of the process tree (bytes) and the exit code of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_rss(p) for p in _tree(process.pid)))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return elapsed, peak, code


class UncachedScreener(Screener):
    """The naive baseline: every party name is searched again, row after row."""

    def match_name(self, name: str, country: str) -> tuple[NameMatch, ...]:
        return tuple(self.index.search(name, country, threshold=self.match_threshold, limit=20))


def naive_loop(path: Path, rules: Path, rows: int) -> tuple[float, int]:
    """Rows/s and peak RSS (this process) of a plain row-by-row loop, after loading the rules."""
    import resource

    loaded = load_screener(rule_dirs([rules]))
    screener = UncachedScreener(loaded.ruleset, index=loaded.index)
    started = time.perf_counter()
    done = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            fields = {canonical_column(k): v for k, v in row.items()}
            try:
                sale = sale_from_fields(fields)
            except ValueError:
                pass
            else:
                screener.screen(sale)
            done += 1
            if done >= rows:
                break
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return done / elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--counterparties", type=int, default=50_000)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="exportcheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    orders, out, rules = work / "orders.csv", work / "screened.csv", work / "csl"
    cache = work / "cache"
    os.environ["EXPORTCHECK_CACHE_DIR"] = str(cache)  # a cold cache of our own, then warmed

    started = time.perf_counter()
    write_orders(orders, args.rows, args.counterparties, args.seed)
    print(
        f"generated {args.rows:,} rows ({orders.stat().st_size / 1e6:.0f} MB), "
        f"{args.counterparties:,} counterparties in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    import_csl(rules)
    print(f"imported {CSL.name} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    loaded = load_screener(rule_dirs([rules]))  # fills the on-disk cache, as a first run does
    print(
        f"rules and name index: {len(loaded.ruleset):,} rules, {len(loaded.index):,} indexed "
        f"entries, first load {time.perf_counter() - started:.1f} s (cached afterwards)"
    )
    del loaded

    command = [
        sys.executable,
        "-m",
        "exportcheck",
        "batch",
        str(orders),
        "--rules",
        str(rules),
        "-o",
        str(out),
        "--quiet",
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    import resource

    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed, peak, code = run_measured(command)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    print(
        f"\nexportcheck batch ({args.workers or 'default'} workers, exit {code}): "
        f"{args.rows:,} rows in {elapsed:.1f} s end to end = {args.rows / elapsed:,.0f} rows/s, "
        f"peak memory {peak / 2**20:,.0f} MiB (RSS of the process tree)"
    )
    print(
        f"  CPU time of the command and its workers: {cpu:.1f} s "
        f"({cpu / args.rows * 1e6:.0f} us per row; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end)"
    )
    with out.open(encoding="utf-8", newline="") as handle:
        verdicts: dict[str, int] = {}
        for row in csv.DictReader(handle):
            verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
    print("  verdicts: " + ", ".join(f"{k} {v:,}" for k, v in sorted(verdicts.items())))

    rate, naive_peak = naive_loop(orders, rules, min(args.naive_rows, args.rows))
    naive_rows = min(args.naive_rows, args.rows)
    print(
        f"naive row-by-row loop (no name cache, one process) on {naive_rows:,} rows: "
        f"{rate:,.0f} rows/s, peak memory {naive_peak / 2**20:,.0f} MiB; "
        f"batch is {args.rows / elapsed / rate:.1f}x faster"
    )
    if args.keep is None:
        for path in (orders, out):
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
