"""Start-up time: median wall time of `exportcheck --version` and of `screen` on one example.

Run: python benchmarks/startup.py [--runs N] [--rules DIR]
Target (issue 2): under 0.3 s each with the bundled rules, warm cache.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "huawei-2019-us-chip.yaml"


def exportcheck_command() -> list[str]:
    script = Path(sys.executable).with_name("exportcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "exportcheck"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(args, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode not in (0, 10, 20):
        raise SystemExit(f"{' '.join(args)} failed ({run.returncode}): {run.stderr.decode()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu


def median(runs: list[tuple[float, float]]) -> str:
    """Median wall time, and median CPU time, which a busy machine disturbs less."""
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    return f"{wall:.3f} s  (CPU {cpu:.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rules", action="append", default=[], help="extra rules folder(s)")
    options = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="exportcheck-bench-cache-"))
    env = {**os.environ, "EXPORTCHECK_CACHE_DIR": str(cache)}
    env.pop("EXPORTCHECK_NO_CACHE", None)
    # pip compiles a package's bytecode when it installs it; an editable install (or a
    # PYTHONDONTWRITEBYTECODE environment) would otherwise compile every module on every run.
    import exportcheck

    package = Path(exportcheck.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    command = exportcheck_command()
    extra = [arg for rules in options.rules for arg in ("--rules", rules)]
    screen = [*command, "screen", str(EXAMPLE), "--format", "json", *extra]
    try:
        cold = []
        for _ in range(max(3, options.runs // 5)):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(screen, env))
        version = [timed([*command, "--version"], env) for _ in range(options.runs)]
        warm = [timed(screen, env) for _ in range(options.runs)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    rules = "bundled rules" + (f" + {', '.join(options.rules)}" if options.rules else "")
    print(f"exportcheck start-up ({options.runs} runs, median wall time; {rules})")
    print(f"  exportcheck --version            {median(version)}")
    print(f"  exportcheck screen (warm cache)  {median(warm)}")
    print(f"  exportcheck screen (cold cache)  {median(cold)}")


if __name__ == "__main__":
    main()
