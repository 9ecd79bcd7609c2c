"""The simulator's launcher runs on the Python it claims (stdlib only, 3.11+)."""

from __future__ import annotations

import ast
import re

from .conftest import ROOT

LAUNCHER = ROOT / "simulator" / "launcher.py"


def test_launcher_parses_on_the_python_it_claims() -> None:
    source = LAUNCHER.read_text(encoding="utf-8")
    claim = re.search(r"Python (\d+)\.(\d+)\+", source)
    assert claim is not None, "the launcher no longer says which Python it needs"
    version = (int(claim[1]), int(claim[2]))
    assert version == (3, 11)
    ast.parse(source, filename=str(LAUNCHER), feature_version=version)
