"""Import time of every official list download in ../shared/data: read, parse and write YAML.

Run: python benchmarks/import_lists.py [--runs N] [--data DIR]
Target (issue 4): the 2022 full CSL (14,160 rows) in under 10 s, writing YAML included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from exportcheck.loading.importers import import_lists, write_rule_files  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"


def downloads(data: Path) -> list[tuple[str, list[Path], bool]]:
    """(label, files imported together, skip bad rows) for every download in the data folder."""
    csl, ofac = data / "csl", data / "ofac"
    jobs: list[tuple[str, list[Path], bool]] = [
        (f"csl/{path.name}", [path], "partial" in path.name)
        for path in sorted(csl.iterdir())
        if path.is_file()
    ]
    for folder in sorted(p for p in ofac.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if any(p.name.startswith("sdn.csv") for p in files):
            jobs.append((f"ofac/{folder.name} ({len(files)} files)", files, False))
    jobs.append(("bis_dpl/dpl_2023-11.txt", [data / "bis_dpl" / "dpl_2023-11.txt"], False))
    return jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per file (median is shown)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"no reference data at {args.data}")
    print(f"{'download':42} {'rows':>7} {'entries':>7} {'import':>8} {'write':>8} {'total':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for label, paths, skip in downloads(args.data):
            imports, writes = [], []
            for run in range(args.runs):
                start = time.perf_counter()
                result = import_lists(paths, skip_bad_rows=skip)
                middle = time.perf_counter()
                write_rule_files(result, Path(scratch) / f"{run}")
                imports.append(middle - start)
                writes.append(time.perf_counter() - middle)
            load, write = statistics.median(imports), statistics.median(writes)
            print(
                f"{label:42} {result.read:>7} {result.entries:>7} "
                f"{load:>7.2f}s {write:>7.2f}s {load + write:>7.2f}s"
            )


if __name__ == "__main__":
    main()
