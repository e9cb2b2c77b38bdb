"""`python build.py check`: everything the build validates, plus internal links, #anchors,
images and attachments in what editors wrote, duplicate titles on one day and summary
lengths; nothing written to site/; exit 1 on errors, warnings only with --strict.

The fixture sites in tests/sites/check/ each have known faults (or none).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EPOCH, REPO, BuildRun, SiteDir, make_site, news

CHECK_SITES = Path(__file__).resolve().parent / "sites" / "check"

# (file, line, code) of every fault in tests/sites/check/faults
FAULT_ERRORS = {
    ("content/news/2024/hoi-nghi.md", 11, "check_broken_link"),  # /gioi-thieu-cu/
    ("content/news/2024/hoi-nghi.md", 11, "check_missing_anchor"),  # #muc-tieu on its own page
    ("content/news/2024/hoi-nghi.md", 13, "check_missing_image"),  # /media/khong-co.jpg
    ("content/news/2024/hoi-nghi.md", 15, "check_missing_file"),  # /files/ke-hoach-2024.pdf
    ("content/news/2024/hoi-nghi.md", 15, "check_missing_anchor"),  # #lich-hoc on another page
    ("content/pages/gioi-thieu.md", 5, "check_broken_link"),  # ../tin-tuc/tin-da-xoa/
}
FAULT_WARNINGS = {
    ("content/news/2024/hoi-nghi-ban-sao.md", 2, "check_duplicate_title"),
    ("content/news/2024/hoi-nghi.md", 5, "check_summary_short"),
    ("content/news/2024/boi-an-toan.md", 5, "check_summary_long"),
}


def fixture_site(tmp_path: Path, name: str) -> SiteDir:
    site = SiteDir(tmp_path / name)
    shutil.copytree(CHECK_SITES / name, site.root)
    shutil.copytree(REPO / "templates", site.root / "templates")
    return site


def check(site: SiteDir, *args: str, cli_process: bool = False) -> BuildRun:
    """`build.py check --source ROOT ARGS`, on 2026-01-01."""
    return site.command("check", *args, env={"SOURCE_DATE_EPOCH": EPOCH}, cli_process=cli_process)


def found(run: BuildRun) -> set[tuple[str, str, int, str]]:
    return {(p["level"], p["file"], p["line"], p["code"]) for p in json.loads(run.stdout)}


def test_a_clean_site_passes_even_strictly_and_nothing_is_written(tmp_path: Path):
    site = fixture_site(tmp_path, "clean")

    run = check(site, "--strict", cli_process=True)  # exit 0 as the shell sees it

    assert run.code == 0, run.stdout + run.stderr
    assert "Không có lỗi nào" in run.stdout
    assert not site.exists("")
    assert not any(p.name.startswith(".site") for p in site.root.iterdir())


def test_every_fault_is_found_with_its_file_and_line(tmp_path: Path):
    run = check(fixture_site(tmp_path, "faults"), "--format", "json")

    assert run.code == 1, run.stderr
    assert found(run) == {("error", *f) for f in FAULT_ERRORS} | {("warning", *f) for f in FAULT_WARNINGS}


def test_text_names_the_file_line_and_what_to_write(tmp_path: Path):
    run = check(fixture_site(tmp_path, "faults"))

    assert run.code == 1
    lines = run.stdout.splitlines()
    assert lines[0] == "Lỗi (phải sửa trước khi đăng):"
    assert any(line.startswith("content/news/2024/hoi-nghi.md:11: liên kết tới /gioi-thieu-cu/")
               for line in lines)
    assert any("static/media/khong-co.jpg" in line and line.startswith("content/news/2024/hoi-nghi.md:13:")
               for line in lines)
    assert "#muc-tieu-chinh" in run.stdout  # the anchor message shows what a heading's id is
    assert lines[-1] == "Có 6 lỗi và 3 cảnh báo."
    assert "Traceback" not in run.stderr


def test_github_format_prints_annotations(tmp_path: Path):
    run = check(fixture_site(tmp_path, "faults"), "--format", "github")

    assert run.code == 1
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == len(FAULT_ERRORS) + len(FAULT_WARNINGS)
    assert "::error file=content/pages/gioi-thieu.md,line=5::liên kết tới ../tin-tuc/tin-da-xoa/" in run.stdout
    assert any(a.startswith("::warning file=content/news/2024/boi-an-toan.md,line=5,title=summary::")
               for a in annotations)
    assert all("\n" not in a and "%0A" not in a.split("::")[1] for a in annotations)


def test_warnings_alone_pass_unless_strict(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/a.md": news("Tập huấn kỹ năng sống", body="Ngắn."),
    })

    relaxed, strict = check(site), check(site, "--strict")

    assert relaxed.code == 0, relaxed.stdout
    assert "Có 0 lỗi và 1 cảnh báo." in relaxed.stdout
    assert strict.code == 1
    assert "content/news/a.md: summary: tóm tắt chỉ có 5 ký tự" in strict.stdout


def test_build_errors_are_check_errors_in_every_format(tmp_path: Path):
    site = fixture_site(tmp_path, "build_error")

    text, github, data = check(site), check(site, "--format", "github"), check(site, "--format", "json")

    assert text.code == github.code == data.code == 1
    assert "content/news/thieu-ngay.md:1: date: thiếu trường bắt buộc" in text.stdout
    assert "::error file=content/news/thieu-ngay.md,line=1,title=date::thiếu trường bắt buộc" in github.stdout
    assert found(data) == {("error", "content/news/thieu-ngay.md", 1, "required")}
    assert not site.exists("")


def test_check_leaves_an_existing_site_alone(tmp_path: Path):
    site = fixture_site(tmp_path, "faults")
    (site.root / "content/news/2024/hoi-nghi-ban-sao.md").unlink()
    assert site.build().code == 0
    before = site.tree_digest()

    assert check(site).code == 1
    assert site.tree_digest() == before


def test_messages_follow_the_config_language(tmp_path: Path):
    site = fixture_site(tmp_path, "faults")
    config = site.root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")

    run = check(site, "--format", "json")

    messages = {p["code"]: p["message"] for p in json.loads(run.stdout)}
    assert messages["check_missing_image"].startswith("there is no image /media/khong-co.jpg")
    assert messages["check_summary_long"].startswith("the summary is 409 characters long")


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_an_unknown_option_is_misuse(tmp_path: Path, fmt: str):
    run = check(fixture_site(tmp_path, "clean"), "--format", fmt, "--no-such-option")
    assert run.code == 2
