"""Attack suite, issue 10 items 1 and 6 (end): links that leave the portal, and pages
that would replace static files.

Git stores symlinks, so an editor's commit can hold `static/env.txt -> /proc/self/environ`.
Each bad input is planted in a portal built once already; the build must refuse it
(exit 1, the file named, no traceback), leave `site/` as it was, and publish nothing
from outside the portal. A link that stays inside the portal is fine.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from conftest import (SMALL_SITE, SiteDir, assert_clean_output, assert_refused, copy_site, make_site,
                      news, run_cli)

OUTSIDE_SECRET = b"outside-secret-" + uuid.uuid4().hex.encode()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("built"), SMALL_SITE)
    assert build(site).code == 0
    return site


@pytest.fixture
def built(built_once: SiteDir, tmp_path: Path) -> SiteDir:
    """The small site built once, a copy of its own for each test to plant links in."""
    return copy_site(built_once, tmp_path)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the portal, holding a file that must never be published."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(OUTSIDE_SECRET + b"\n")
    (folder / "tin.md").write_text(news("Tin từ ngoài cổng", body=OUTSIDE_SECRET.decode()),
                                   encoding="utf-8")
    return folder


def build(site: SiteDir):
    return run_cli("build", "--source", str(site.root), "--quiet", "--offline")


def check(site: SiteDir):
    return run_cli("check", "--source", str(site.root))


def plant_link(site: SiteDir, rel: str, target: Path | str) -> None:
    path = site.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def assert_refused_untouched(site: SiteDir, before: str, run, names: tuple[str, ...],
                             *secrets: bytes) -> None:
    assert_refused(run, codes=(1,), names=names)
    assert site.tree_digest() == before
    assert_clean_output(site.root / "site", OUTSIDE_SECRET, *secrets)


def _passwd_line() -> bytes:
    try:
        return Path("/etc/passwd").read_bytes().split(b"\n")[0]
    except OSError:
        return b""


# --- links out of static/, content/ and the theme ---------------------------------------

@pytest.mark.skipif(not _passwd_line(), reason="no /etc/passwd to link to")
def test_static_file_linked_to_etc_passwd_is_refused(built: SiteDir):
    before = built.tree_digest()
    plant_link(built, "static/passwd.txt", "/etc/passwd")

    run = build(built)

    assert_refused_untouched(built, before, run, ("static/passwd.txt",), _passwd_line())
    assert "symlink" in run.stderr  # worded for an editor: what it is and what to do


def test_static_file_linked_to_the_environment_is_refused(built: SiteDir):
    """The build's own environment (CI secrets) through /proc/self/environ. Run as a
    separate process, so that the secret is really in that process's environ."""
    secret = "ci-token-" + uuid.uuid4().hex
    before = built.tree_digest()
    plant_link(built, "static/env.txt", "/proc/self/environ")

    run = built.build("--offline", env={"PORTAL_TEST_SECRET": secret}, cli_process=True)

    assert_refused_untouched(built, before, run, ("static/env.txt",), secret.encode())


@pytest.mark.parametrize("link, target", [
    ("static/media/kho", ""),  # a folder of static files
    ("content/news/2024/tin.md", "tin.md"),  # one news item
    ("content/news/2025", ""),  # a folder of news
    ("templates/assets/extra.css", "secret.txt"),  # a theme file
])
def test_link_out_of_the_portal_is_refused(built: SiteDir, outside: Path, link: str, target: str):
    before = built.tree_digest()
    plant_link(built, link, outside / target if target else outside)

    run = build(built)

    assert_refused_untouched(built, before, run, (link,))


def test_image_that_is_a_link_outside_is_refused(built: SiteDir, outside: Path):
    before = built.tree_digest()
    plant_link(built, "static/media/anh.jpg", outside / "secret.txt")
    built.write("content/news/2024/anh.md", news("Tin có ảnh", image="/media/anh.jpg"))

    run = build(built)

    assert_refused_untouched(built, before, run,
                             ("static/media/anh.jpg", "content/news/2024/anh.md"))
    line = next(line for line in run.stderr.splitlines() if "content/news/2024/anh.md" in line)
    assert ":5: image:" in line and "static/media/anh.jpg" in line


def test_attachment_through_a_folder_link_outside_is_refused(built: SiteDir, outside: Path):
    before = built.tree_digest()
    plant_link(built, "static/files/kho", outside)
    built.write("content/documents/606.md",
                "---\nnumber: 606/KH-UBND\ntype: Kế hoạch\nissuer: UBND tỉnh\n"
                "title: Kế hoạch\nissued: 2024-03-01\n"
                "files:\n  - {path: /files/kho/secret.txt, title: Tệp}\n---\nX\n")

    run = build(built)

    assert_refused_untouched(built, before, run, ("static/files/kho", "content/documents/606.md"))
    assert "static/files/kho/secret.txt" in run.stderr


def test_favicon_that_is_a_link_outside_is_refused(built: SiteDir, outside: Path):
    before = built.tree_digest()
    plant_link(built, "static/icon.svg", outside / "secret.txt")
    config = built.root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "favicon: /icon.svg\n", encoding="utf-8")

    run = build(built)

    assert_refused_untouched(built, before, run, ("config.yaml", "favicon", "static/icon.svg"))


def test_link_into_the_portals_git_folder_is_refused(built: SiteDir):
    """Inside the portal's folder, but not its sources: `.git/config` may hold a token."""
    built.write(".git/config", b"[remote]\n\turl = https://ci:" + OUTSIDE_SECRET + b"@git/\n")
    before = built.tree_digest()
    plant_link(built, "static/git-config.txt", "../.git/config")
    plant_link(built, "static/media/git", "../../.git")

    run = build(built)

    assert_refused_untouched(built, before, run, ("static/git-config.txt", "static/media/git"))


def test_link_to_the_portals_own_folder_publishes_no_hidden_file(built: SiteDir):
    """`static/goc -> ..` holds itself: a loop, not walked; nothing of `.git` gets out."""
    built.write(".git/config", b"[remote]\n\turl = https://ci:" + OUTSIDE_SECRET + b"@git/\n")
    plant_link(built, "static/goc", "..")
    plant_link(built, "static/media/nguon", "../../content")  # a sibling: walked, once

    run = build(built)

    assert run.code == 0, run.stderr
    assert not built.exists("goc")
    assert built.exists("media/nguon/pages/gioi-thieu.md")
    assert_clean_output(built.root / "site", OUTSIDE_SECRET)


def test_check_reports_the_same_links(built: SiteDir, outside: Path):
    plant_link(built, "static/media/kho", outside)
    plant_link(built, "content/news/2024/tin.md", outside / "tin.md")
    before = built.tree_digest()

    run = check(built)

    assert_refused_untouched(built, before, run, ("static/media/kho", "content/news/2024/tin.md"))


def test_links_that_stay_inside_the_portal_are_followed(built: SiteDir):
    built.write("static/media/that/anh.gif", b"GIF89a inside")
    built.write("nhap/tin.md", news("Tin viết ở thư mục nháp", body="Nội dung từ thư mục nháp."))
    plant_link(built, "static/media/bi-danh", "that")  # a folder link
    plant_link(built, "static/ban-sao.gif", "media/that/anh.gif")  # a file link
    plant_link(built, "static/media/vong", "..")  # a loop back to static/
    plant_link(built, "content/news/2024/nhap.md", "../../../nhap/tin.md")

    run = build(built)

    assert run.code == 0, run.stderr
    assert built.exists("media/bi-danh/anh.gif") and built.exists("ban-sao.gif")
    assert (built.root / "site/ban-sao.gif").read_bytes() == b"GIF89a inside"
    assert "Nội dung từ thư mục nháp" in built.read("tin-tuc/tin-viet-o-thu-muc-nhap/index.html")
    assert_clean_output(built.root / "site", OUTSIDE_SECRET)  # and no link in the output


# --- pages that would replace static files ------------------------------------------------

@pytest.mark.parametrize("static, page", [
    ("static/index.html", "/index.html"),
    ("static/api/news.json", "/api/news.json"),
    ("static/tin-tuc/index.html", "/tin-tuc/index.html"),
    ("static/gioi-thieu", "/gioi-thieu/index.html"),  # a file where a page's folder goes
    ("static/tim-kiem/pagefind/pagefind.js", "tim-kiem/pagefind/"),  # the search bundle
])
def test_static_file_a_page_would_replace_is_refused(built: SiteDir, static: str, page: str):
    before = built.tree_digest()
    built.write(static, b"<p>the editor's own file</p>")

    run = build(built)

    assert_refused_untouched(built, before, run, (static, page))


def test_check_reports_a_static_file_a_page_would_replace(built: SiteDir):
    built.write("static/index.html", b"<p>the editor's own file</p>")

    run = check(built)

    assert_refused(run, codes=(1,), names=("static/index.html", "/index.html"))
