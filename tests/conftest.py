"""Shared fixtures. Expensive things (a graded class) are computed once per session."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # tests/classes.py

#: the mutation audit's reports, set by tests/test_audit.py when it runs
AUDIT_REPORTS = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """`make test` shows the grader's mutation audit table (the same as `make audit`)."""
    reports = config.stash.get(AUDIT_REPORTS, None)
    if reports:
        from autograde.audit.__main__ import table

        terminalreporter.write_sep("=", "grader mutation audit (hidden checks must catch >= 95 %)")
        terminalreporter.write_line(table(reports))


def tree_digest(root: Path) -> str:
    """A digest of every file's path, bytes and mode under ``root``."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file():
            h.update(p.read_bytes())
            h.update(str(p.stat().st_mode).encode())
    return h.hexdigest()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
