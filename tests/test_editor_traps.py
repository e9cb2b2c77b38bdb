"""Traps a new editor falls into, each with the message or behaviour that gets them out
(issue 14, section 2)."""

from __future__ import annotations

from conftest import MINIMAL_CONFIG, news, run_cli, run_process


def test_a_tab_in_front_matter_says_tab_and_spaces_with_its_line(site):
    assert site.build().code == 0
    before = site.tree_digest()
    site.write("content/news/2024/tab.md", news("Bài có tab").replace("category:", "\tcategory:"))
    run = site.build()
    assert run.code != 0 and "Traceback" not in run.stderr
    assert "content/news/2024/tab.md:4:" in run.stderr and "tab" in run.stderr and "dấu cách" in run.stderr
    assert "cannot start any token" not in run.stderr and "violates indentation" not in run.stderr
    assert site.tree_digest() == before


def test_a_tab_in_config_says_tab_too(site):
    site.write("config.yaml", (site.root / "config.yaml").read_text(encoding="utf-8")
               .replace("  name: Cơ quan", "\tname: Cơ quan"))
    run = site.build()
    assert run.code != 0 and "Traceback" not in run.stderr
    assert "config.yaml:" in run.stderr and "tab" in run.stderr and "dấu cách" in run.stderr


def test_help_speaks_vietnamese_by_default_and_shows_the_build_options(site):
    run = run_process("--help", cwd=site.root)
    assert run.code == 0
    assert run.stdout.startswith("Cách dùng: build.py")
    assert "hiện hướng dẫn này rồi thoát" in run.stdout and "show this help" not in run.stdout
    # `python build.py --drafts` builds, so the top-level help lists what build takes.
    for option in ("--drafts", "--future", "--base-url", "--offline", "--output"):
        assert option in run.stdout, option


def test_every_command_help_follows_the_portal_language(site):
    for command in ("build", "new", "weather", "serve", "check"):
        run = run_cli(command, "--help", cwd=site.root)
        assert run.code == 0 and "Cách dùng:" in run.stdout and "Tuỳ chọn" in run.stdout, command
    site.write("config.yaml", MINIMAL_CONFIG + "language: en\n")
    for command in ("build", "check"):
        run = run_cli(command, "--source", str(site.root), "--help")
        assert run.code == 0 and run.stdout.startswith("usage: build.py") and "Options" in run.stdout
        assert "Tuỳ chọn" not in run.stdout


def test_help_works_with_a_broken_config(site):
    site.write("config.yaml", "title: [unclosed\n")
    run = run_cli("check", "--help", cwd=site.root)
    assert run.code == 0 and "Cách dùng:" in run.stdout
