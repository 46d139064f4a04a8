"""Loading rule folders: validation with positions, the rules version hash and the on-disk cache."""

from __future__ import annotations

import functools
import gc
import hashlib
import marshal
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from exportcheck import __version__
from exportcheck.domain.rules import RuleFile, RuleSet
from exportcheck.errors import InputError, RulesError
from exportcheck.loading.yamlio import parse_document, read_text, validation_errors

RULE_SUFFIXES = (".yaml", ".yml", ".json")
_ADAPTER: TypeAdapter[Any] | None = None


def _adapter() -> TypeAdapter[Any]:
    global _ADAPTER
    if _ADAPTER is None:
        _ADAPTER = TypeAdapter(RuleFile)
    return _ADAPTER


def bundled_rules_dir() -> Path:
    """The default rules shipped inside the package (or the source tree's rules/ in development)."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a folder, in load order (sorted by name, recursively)."""
    if directory.is_file():
        return [directory]
    if not directory.is_dir():
        raise RulesError("rules folder does not exist", path=str(directory))
    return sorted(
        (p for p in directory.rglob("*") if p.suffix.lower() in RULE_SUFFIXES and p.is_file()),
        key=lambda p: p.relative_to(directory).as_posix(),
    )


@dataclass(frozen=True, slots=True)
class RuleSource:
    path: Path
    name: str  # shown in errors and provenance: folder name / relative path
    data: bytes


def rule_sources(directories: Sequence[Path]) -> list[RuleSource]:
    found: list[RuleSource] = []
    for directory in directories:
        base = directory if directory.is_dir() else directory.parent
        for path in rule_files(directory):
            name = f"{base.name}/{path.relative_to(base).as_posix()}"
            found.append(RuleSource(path, name, path.read_bytes()))
    return found


def rules_version(sources: Iterable[tuple[str, bytes]]) -> str:
    """Content hash of the rules as loaded: every file's name and bytes, in load order."""
    digest = hashlib.sha256()
    for name, data in sources:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return "sha256:" + digest.hexdigest()


def validate_file(path: Path, data: bytes | None = None) -> Any:
    """Parse and validate one rule file; raises RulesError for its first problem."""
    errors = check_file(path, data, stop_early=True)
    if isinstance(errors, list):
        raise errors[0]
    return errors


def check_file(path: Path, data: bytes | None = None, *, stop_early: bool = False) -> Any:
    """The validated file, or the list of every problem in it (each ``file:line: message``)."""
    if data is None:
        data = path.read_bytes()
    try:
        text = read_text(path, data)
        document = parse_document(path, text)
    except InputError as exc:
        return [_as_rules_error(exc)]
    if not isinstance(document, dict):
        return [RulesError("a rule file is a mapping with kind and rules", path=str(path), line=1)]
    try:
        return _adapter().validate_python(document)
    except ValidationError as exc:
        from exportcheck.domain.rules import ScreeningListFile

        problems = validation_errors(exc, path, text, ScreeningListFile, strip_loc=1)
        if stop_early:
            problems = problems[:1]
        return [_as_rules_error(p) for p in problems]


def _as_rules_error(error: InputError) -> RulesError:
    return RulesError(
        error.message, path=error.path, line=error.line, field=error.field, hint=error.hint
    )


def cache_dir() -> Path:
    configured = os.environ.get("EXPORTCHECK_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "exportcheck"


@functools.cache
def _code_fingerprint() -> str:
    """Identifies the code that wrote a cache entry: a changed model or matcher class must not
    read a pickle made by another (development checkouts change code without a new version)."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def _cache_path(version: str, what: str) -> Path:
    rules = version.removeprefix("sha256:")[:32]
    return cache_dir() / f"{what}-{__version__}-{_code_fingerprint()}-{rules}.cache"


def cache_load(version: str, what: str, *, raw: bool = False) -> Any | None:
    """A cached object for this rules version, or None (a damaged cache is ignored).

    ``raw`` objects are plain data (dicts, tuples, strings, numbers) stored with marshal, which
    reads them about twice as fast as pickle; others are pickled.
    """
    if os.environ.get("EXPORTCHECK_NO_CACHE"):
        return None
    path = _cache_path(version, what)
    try:
        data = path.read_bytes()
        return marshal.loads(data) if raw else pickle.loads(data)  # our own cache folder
    except (
        OSError,
        ValueError,
        EOFError,
        TypeError,
        pickle.UnpicklingError,
        AttributeError,
        ImportError,
    ):
        return None


def cache_store(version: str, what: str, value: object, *, raw: bool = False) -> None:
    if os.environ.get("EXPORTCHECK_NO_CACHE"):
        return
    path = _cache_path(version, what)
    try:
        data = marshal.dumps(value) if raw else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    except (OSError, ValueError):
        pass  # a cache we cannot write only costs time


def rule_dirs(extra: Sequence[Path], *, bundled: bool = True) -> list[Path]:
    """The folders to load in order: bundled rules, then EXPORTCHECK_RULES, then ``extra``."""
    dirs = [bundled_rules_dir()] if bundled else []
    env = os.environ.get("EXPORTCHECK_RULES")
    if env:
        dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
    dirs.extend(extra)
    return dirs


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while loading or building long-lived data.

    Validating, unpickling and indexing the full lists allocate millions of containers, none of
    them garbage; each full collection re-walks all of them (about a third of a cold start).
    Reference counting still frees everything acyclic meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What was loaded lives as long as the process: set it aside from later collections,
            # which would otherwise walk all of it again at the first one.
            gc.freeze()
            gc.enable()


def load_rules(
    directories: Sequence[Path],
    *,
    progress: Callable[[str], None] | None = None,
) -> RuleSet:
    """Load and merge the rule files of these folders (cached by their content hash)."""
    with paused_gc():
        return _load_rules(directories, progress)


def _load_rules(directories: Sequence[Path], progress: Callable[[str], None] | None) -> RuleSet:
    if not directories:
        raise RulesError("no rules to load: give --rules DIR or drop --no-bundled-rules")
    sources = rule_sources(directories)
    if not sources:
        raise RulesError("no rule files (*.yaml, *.yml, *.json) found", path=str(directories[0]))
    version = rules_version((s.name, s.data) for s in sources)
    cached = cache_load(version, "rules")
    if isinstance(cached, RuleSet):
        return cached
    files: list[tuple[str, Any]] = []
    for source in sources:
        if progress is not None:
            progress(source.name)
        files.append((source.name, validate_file(source.path, source.data)))
    ruleset = RuleSet(files, version)
    cache_store(version, "rules", ruleset)
    return ruleset
