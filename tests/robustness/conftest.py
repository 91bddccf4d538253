"""The robustness suite: fuzzing, kill -9 durability, parallel projects, server limits.

Run by `bash scripts/test.sh` (step "robustness") with the SDK suites' venv, against the binary
it built; by hand: `target/sdk-venv/bin/python -m pytest tests/robustness` after `cargo build`.
Each module starts emulator processes of its own (harness.py). Environment:

- ROBUSTNESS_BIN: the emulator binary (default target/debug/descope-emulator)
- ROBUSTNESS_LOG_DIR: emulator logs and fuzz findings (default target/robustness-logs)
- ROBUSTNESS_SEED, ROBUSTNESS_CASES_PER_OP, ROBUSTNESS_WORKERS: the fuzzing budget
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_report_header(config):
    from harness import BIN, LOG_DIR

    return [f"robustness: emulator binary {BIN}, logs in {LOG_DIR}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """What each part did."""
    from harness import SUMMARY

    if SUMMARY:
        terminalreporter.section("robustness summary")
        for line in SUMMARY:
            terminalreporter.line(line)
