"""Shared fixtures: the bundled rules, a screener on them, and where the reference data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exportcheck.domain.engine import Screener
from exportcheck.domain.rules import RuleSet
from exportcheck.loading.rules import bundled_rules_dir, load_rules

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Tests must not read or pollute the user's cache.
    os.environ["EXPORTCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def bundled_rules() -> RuleSet:
    return load_rules([bundled_rules_dir()])


@pytest.fixture(scope="session")
def screener(bundled_rules: RuleSet) -> Screener:
    return Screener(bundled_rules)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA
