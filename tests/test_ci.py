"""CI runs every test: the `slow` kill-and-restart tests are marked for local deselection only."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_slow_tests_and_the_marker_is_registered():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(m.startswith("slow:") for m in options["markers"]) and "--strict-markers" in options["addopts"]
    pytest_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if "pytest" in line]
    assert pytest_lines == ["python -m pytest -q"]  # no -m "not slow": CI keeps the kill-and-restart tests
    marked = {f: "@pytest.mark.slow" in (ROOT / "tests" / f).read_text() for f in ("test_checkpoint.py", "test_distributed.py")}
    assert marked == {"test_checkpoint.py": True, "test_distributed.py": True}
