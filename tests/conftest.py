"""Shared fixtures: paths to the repository's data and the shared seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
SAMPLE = ROOT / "src" / "newsbrief" / "sample"
DATA = ROOT / "tests" / "data"

BRIEF_SPEC_KEYS = frozenset(
    """id url title source published authors language word_count read_time_minutes
    read_time_basis quotes summary summary_method entities image images paywalled genre
    statements relations""".split()
)
"""The keys of the Brief JSON in ../shared/SPEC.md."""


def seed(prefix: str) -> Path:
    """Path of a seed document, or skip when ../shared is not beside the checkout."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {prefix} not found: ../shared/seeds is absent (CI has it)")
    return found[0]


def run_cli(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real ``newsbrief`` command in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "newsbrief", *args],
        input=stdin,
        capture_output=True,
        env=full_env,
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


@pytest.fixture
def cli():
    return run_cli
