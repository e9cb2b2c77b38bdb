"""A small site whose whole output is committed: any change to what the engine or the
theme writes shows up here as a diff to review. Refresh with tests/refresh_golden.py."""

from __future__ import annotations

from pathlib import Path

from refresh_golden import GOLDEN, build_golden, golden_view


def test_golden_site_output_is_unchanged(tmp_path: Path) -> None:
    build_golden(tmp_path / "site")

    built, expected = golden_view(tmp_path / "site"), golden_view(GOLDEN / "expected")
    assert sorted(built) == sorted(expected)
    changed = [name for name in expected if built[name] != expected[name]]
    assert not changed, f"output differs from tests/golden/expected: {changed}; " \
                        "if intended, run python tests/refresh_golden.py and review the diff"
