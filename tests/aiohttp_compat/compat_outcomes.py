"""pytest plugin for `make compat`: writes each test's outcome (and a failure's last line) as JSON.

The file is named by ``$COMPAT_OUTCOMES``; with pytest-xdist the controller receives every
worker's reports, so one process writes it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

_RANK = {"passed": 0, "skipped": 1, "xfailed": 1, "xpassed": 2, "failed": 3, "error": 3}
_outcomes: dict[str, dict[str, Any]] = {}


def _classify(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        return "skipped"
    return "passed"


def _message(report: pytest.TestReport) -> str:
    """Where it failed and how: ``path:line: Type: message`` (first line), or the last line."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        first = str(crash.message).strip().splitlines()[:1]
        return f"{os.path.basename(str(crash.path))}:{crash.lineno}: {first[0] if first else ''}"[:300]
    lines = [ln for ln in report.longreprtext.splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and report.passed:
        _outcomes.setdefault(report.nodeid, {"outcome": "passed"})
        return
    outcome = _classify(report)
    entry = _outcomes.setdefault(report.nodeid, {"outcome": outcome})
    if _RANK[outcome] >= _RANK[entry["outcome"]]:
        entry["outcome"] = outcome
        if report.failed:
            entry["message"] = _message(report)
    entry["duration"] = round(entry.get("duration", 0.0) + report.duration, 3)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("COMPAT_OUTCOMES")
    if path and not hasattr(session.config, "workerinput"):  # the xdist controller (or no xdist)
        with open(path, "w") as f:
            json.dump(_outcomes, f, indent=0, sort_keys=True)
