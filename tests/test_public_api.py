"""The public surface: ``__all__`` matches what the package exports, and every command is
documented in the README with working ``--help``."""

from __future__ import annotations

import re

import newsbrief
from newsbrief.cli import cli
from tests.conftest import ROOT


def test_all_lists_exactly_the_public_names() -> None:
    public = {n for n in vars(newsbrief) if not n.startswith("_") and n not in {"annotations"}}
    modules = {n for n in public if type(getattr(newsbrief, n)).__name__ == "module"}
    assert set(newsbrief.__all__) - {"__version__"} == public - modules - {"logging"}
    for name in newsbrief.__all__:
        assert hasattr(newsbrief, name)


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"newsbrief ([a-z]+)", readme))
    missing = set(cli.commands) - documented
    assert not missing, f"commands missing from README.md: {sorted(missing)}"


def test_every_setting_is_in_the_readme() -> None:
    from newsbrief.config import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        if s.env:
            assert s.env in readme, f"{s.env} is not documented in README.md"
