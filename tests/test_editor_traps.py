"""Traps a new editor falls into, each with the message or behaviour that gets them out
(issue 14, section 2)."""

from __future__ import annotations

import shutil

import pytest

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


def test_new_writes_the_slug_so_a_title_edit_keeps_the_address(site):
    assert run_cli("new", "news", "Tập huấn kỹ năng", cwd=site.root).code == 0
    path = next((site.root / "content" / "news").glob("*/tap-huan-ky-nang.md"))
    text = path.read_text(encoding="utf-8")
    assert '\nslug: "tap-huan-ky-nang"\n' in text
    body = text.split("\n---\n", 1)[1]
    path.write_text(text.replace("draft: true\n", "").replace("Tập huấn kỹ năng", "Tập huấn kỹ năng sống")
                    .replace(body, "Bài đã viết xong.\n"), encoding="utf-8")
    assert site.build().code == 0
    assert site.exists("tin-tuc/tap-huan-ky-nang/index.html")
    assert "Tập huấn kỹ năng sống" in site.read("tin-tuc/tap-huan-ky-nang/index.html")


@pytest.mark.parametrize("kind, title", [("news", "Bài mới"), ("page", "Trang mới")])
def test_a_published_scaffold_placeholder_is_an_error(site, kind: str, title: str):
    assert site.build().code == 0
    before = site.tree_digest()
    assert run_cli("new", kind, title, cwd=site.root).code == 0
    path = max((site.root / "content").rglob("*.md"), key=lambda p: p.stat().st_mtime_ns)
    text = path.read_text(encoding="utf-8")
    assert run_cli("check", cwd=site.root).code == 0  # a draft may keep it
    published = text.replace("\ndraft: true\n", "\n")
    path.write_text(published, encoding="utf-8")
    body_line = published.split("\n").index("---", 1) + 2
    for run in (run_cli("check", cwd=site.root), run_cli("check", "--strict", cwd=site.root), site.build()):
        assert run.code == 1 and "Traceback" not in run.stderr + run.stdout
        assert f"{path.relative_to(site.root).as_posix()}:{body_line}:" in run.stdout + run.stderr
        assert "câu mẫu" in run.stdout + run.stderr
    assert site.tree_digest() == before


def test_every_scaffold_body_is_a_known_placeholder_or_never_published():
    from portal.commands.new import SCAFFOLDS
    from portal.content.model import SCAFFOLD_PLACEHOLDERS
    for scaffold in SCAFFOLDS.glob("*.md"):
        body = scaffold.read_text(encoding="utf-8").split("\n---\n", 1)[1].strip()
        assert any(placeholder in body for placeholder in SCAFFOLD_PLACEHOLDERS) or \
            (body.startswith("<!--") and body.endswith("-->")), scaffold.name


def test_a_new_document_publishes_no_placeholder(site):
    assert run_cli("new", "document", "12/KH-UBND", cwd=site.root).code == 0
    assert site.build().code == 0
    html = site.read("van-ban/12-kh-ubnd/index.html")
    assert "thay cho dòng này" not in html


@pytest.mark.parametrize("preview", [("check", "--drafts"), ("check", "--future"), ("check",),
                                     ("build", "--drafts", "--output", "preview")])
def test_a_build_after_a_preview_reuses_every_page(site, preview: tuple[str, ...]):
    site.write("content/news/2024/nhap.md", news("Bản nháp", draft="true"))
    assert run_cli("check", cwd=site.root).code == 0
    assert site.build("--offline").code == 0
    assert run_cli(*preview, cwd=site.root).code == 0
    shutil.rmtree(site.root / "site")  # from the cache alone, as CI with a kept .cache/ builds
    again = site.build("--offline", quiet=False)
    pages = again.stdout.split("Đã tạo ", 1)[1].split(" trang", 1)[0]
    assert again.code == 0 and f"({pages} dùng lại" in again.stdout, again.stdout


def test_two_errors_on_one_line_are_listed_in_the_same_order_on_every_run():
    """The log is a set: without a full sort key the order of ties followed the hashes."""
    import os
    import subprocess
    import sys
    code = ("from pathlib import Path; from portal.errors import ErrorLog; log = ErrorLog(Path('.'));"
            "[log.add(Path('a.md'), key, line=3, value=key) for key in ('b_key', 'a_key', 'c_key', 'd_key')];"
            "print([e.key for e in log.sorted()])")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert seen == {"['a_key', 'b_key', 'c_key', 'd_key']\n"}
