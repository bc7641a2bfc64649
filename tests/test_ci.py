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


def test_ci_installs_chromium_quietly_before_the_readmes_two_commands():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    readme = (ROOT / "README.md").read_text()
    commands = ['pip install -e ".[test]" && python -m bench run --domain tabular --method simclr --imix',
                "python -m pytest -q"]
    assert lines[-2:] == commands and all(command in readme for command in commands)  # word for word
    install = next(i for i, line in enumerate(lines) if "apt-get install" in line)
    assert install < len(lines) - 2 and ">/dev/null" in " ".join(lines[install - 1:install + 2])  # quiet
    assert any("will skip" in line for line in lines)  # says so when it cannot
