"""`python build.py new news|page|document "…"`: a new file with its front matter at the
path the engine expects, valid from the start, never written over.

"Today" is SOURCE_DATE_EPOCH read in Asia/Ho_Chi_Minh: 2025-12-31 17:00 UTC is already
2026-01-01 in Hải Dương, so a file named for the UTC date would be in the wrong year.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import MINIMAL_CONFIG, BuildRun, SiteDir, make_site

NEW_YEAR_IN_HAI_DUONG = "1767200400"  # 2025-12-31 17:00 UTC = 2026-01-01 00:00 +07:00


def new(site: SiteDir, *args: str, cli_process: bool = False) -> BuildRun:
    """Run `build.py new ARGS --source ROOT` as an editor would."""
    return site.command("new", *args, env={"SOURCE_DATE_EPOCH": NEW_YEAR_IN_HAI_DUONG},
                        cli_process=cli_process)


def build(site: SiteDir, *args: str) -> BuildRun:
    return site.build(*args, env={"SOURCE_DATE_EPOCH": NEW_YEAR_IN_HAI_DUONG})


def front_matter(text: str) -> dict:
    assert text.startswith("---\n"), text
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture
def portal(tmp_path) -> SiteDir:
    return make_site(tmp_path)


@pytest.mark.parametrize("number, slug, kind", [
    ("606/KH-UBND", "606-kh-ubnd", "Kế hoạch"),
    ("25/2022/NQ-HĐND", "25-2022-nq-hdnd", "Nghị quyết"),
    ("45/QĐ-UBND", "45-qd-ubnd", "Quyết định"),
])
def test_new_document_is_named_for_its_number_and_builds(portal: SiteDir, number: str, slug: str, kind: str):
    run = new(portal, "document", number)

    assert run.code == 0, run.stderr
    path = portal.root / f"content/documents/2026/{slug}.md"
    assert f"content/documents/2026/{slug}.md" in run.stdout
    text = path.read_text(encoding="utf-8")
    fields = front_matter(text)
    assert fields["number"] == number
    assert fields["type"] == kind
    assert str(fields["issued"]) == "2026-01-01"
    done = build(portal)
    assert done.code == 0, done.stderr
    assert portal.exists(f"van-ban/{slug}/index.html")


def test_new_document_shows_every_field_filled_or_commented(portal: SiteDir):
    assert new(portal, "document", "606/KH-UBND").code == 0
    text = (portal.root / "content/documents/2026/606-kh-ubnd.md").read_text(encoding="utf-8")
    fields = front_matter(text)
    commented = {line.lstrip("# ").split(":")[0] for line in text.splitlines() if line.startswith("#")}

    for required in ("number", "type", "title", "issuer", "issued"):
        assert fields.get(required), required
    for optional in ("effective", "expires", "signer", "field", "files", "targets"):
        assert optional in fields or optional in commented, optional


def test_new_news_is_a_draft_dated_today_in_hai_duong(portal: SiteDir):
    run = new(portal, "news", "Hội nghị: tổng kết")

    assert run.code == 0, run.stderr
    text = (portal.root / "content/news/2026/hoi-nghi-tong-ket.md").read_text(encoding="utf-8")
    assert 'title: "Hội nghị: tổng kết"' in text.splitlines()
    fields = front_matter(text)
    assert fields["title"] == "Hội nghị: tổng kết"
    assert str(fields["date"]).startswith("2026-01-01")
    assert fields["draft"] is True
    assert fields["category"]


def test_new_news_builds_but_is_not_published_until_the_draft_line_goes(portal: SiteDir):
    assert new(portal, "news", "Hội nghị: tổng kết").code == 0

    run = build(portal)

    assert run.code == 0, run.stderr
    assert not portal.exists("tin-tuc/hoi-nghi-tong-ket/index.html")
    assert json.loads(portal.read("api/news.json")) == {"items": []}
    drafts = build(portal, "--drafts")
    assert drafts.code == 0, drafts.stderr
    assert "<h1>Hội nghị: tổng kết</h1>" in portal.read("tin-tuc/hoi-nghi-tong-ket/index.html")


def test_new_page_is_written_under_pages_and_builds(portal: SiteDir):
    run = new(portal, "page", "Hỏi đáp")

    assert run.code == 0, run.stderr
    fields = front_matter((portal.root / "content/pages/hoi-dap.md").read_text(encoding="utf-8"))
    assert fields["title"] == "Hỏi đáp" and fields["draft"] is True
    assert build(portal, "--drafts").code == 0
    assert "Hỏi đáp" in portal.read("hoi-dap/index.html")


@pytest.mark.parametrize("kind, title, rel", [
    ("news", "Hội nghị: tổng kết", "content/news/2026/hoi-nghi-tong-ket.md"),
    ("page", "Hỏi đáp", "content/pages/hoi-dap.md"),
    ("document", "606/KH-UBND", "content/documents/2026/606-kh-ubnd.md"),
])
def test_new_never_writes_over_an_existing_file(portal: SiteDir, kind: str, title: str, rel: str):
    assert new(portal, kind, title).code == 0
    edited = (portal.root / rel).read_text(encoding="utf-8") + "\nĐoạn biên tập viên đã viết.\n"
    (portal.root / rel).write_text(edited, encoding="utf-8")

    again = new(portal, kind, title)

    assert again.code == 1
    assert rel in again.stderr
    assert "Traceback" not in again.stderr
    assert (portal.root / rel).read_text(encoding="utf-8") == edited


def test_new_with_an_unknown_kind_is_misuse(portal: SiteDir):
    run = new(portal, "video", "Hội nghị", cli_process=True)  # exit 2 as the shell sees it
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert not (portal.root / "content").exists()


@pytest.mark.parametrize("title", ["Yes", "No", "null", "1.10"])
def test_new_news_keeps_any_title_as_written(portal: SiteDir, title: str):
    assert new(portal, "news", title).code == 0

    run = build(portal, "--drafts")

    assert run.code == 0, run.stderr
    pages = list((portal.root / "site/tin-tuc").glob("*/index.html"))
    assert [f"<h1>{title}</h1>" in p.read_text(encoding="utf-8") for p in pages] == [True]


_FIELD_LINE = re.compile(r"^#? ?([a-z_]+):")


@pytest.mark.parametrize("kind, title", [("news", "Hội nghị"), ("page", "Hỏi đáp"),
                                         ("document", "606/KH-UBND")])
def test_every_field_has_a_comment_that_says_what_it_is(portal: SiteDir, kind: str, title: str):
    assert new(portal, kind, title).code == 0
    path = next((portal.root / "content").rglob("*.md"))
    lines = path.read_text(encoding="utf-8").split("---\n")[1].splitlines()

    fields = [(i, m.group(1)) for i, m in ((i, _FIELD_LINE.match(l)) for i, l in enumerate(lines)) if m]
    assert len(fields) >= 4
    for index, name in fields:
        above = lines[index - 1] if index else ""
        assert above.startswith("# ") and not _FIELD_LINE.match(above), f"{name} has no comment"


def test_new_news_is_dated_in_the_config_time_zone(tmp_path):
    config = MINIMAL_CONFIG + "timezone: America/New_York\n"
    site = make_site(tmp_path, config=config)

    assert new(site, "news", "Town hall").code == 0

    # 2025-12-31 17:00 UTC is 12:00 in New York: still 2025 there
    text = (site.root / "content/news/2025/town-hall.md").read_text(encoding="utf-8")
    assert "date: 2025-12-31 12:00" in text
