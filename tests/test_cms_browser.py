"""The web editor at /admin/ in a real headless Chromium, with Decap CMS's local backend:
decap-server writes into a small portal, whose built site is served on 127.0.0.1;
tests/browser/cms.js fills the news and document forms as an editor would (a title
with diacritics, a category, tags, a related document, a photo; a document with an
attachment) and publishes. Then the files the proxy wrote must pass `check` and build
into the pages they describe.

Decap's pinned file and decap-server come from scripts/install_cms.sh
($PORTAL_CMS_HOME, default /opt/portal-cms); Chromium and playwright-core from the
judges, as for the other browser tests. The whole session runs once for the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from conftest import MINIMAL_CONFIG, made_once, make_site, needs_browser, news, run_driver, served_folder

from portal.cms import DECAP_CDN_SCRIPT

CMS_HOME = Path(os.environ.get("PORTAL_CMS_HOME", "/opt/portal-cms"))
DECAP_FILE = CMS_HOME / "decap-cms" / "dist" / "decap-cms.js"
PROXY = CMS_HOME / "node_modules" / "decap-server" / "dist" / "index.js"
DRIVER = Path(__file__).resolve().parent / "browser" / "cms.js"
needs_cms = pytest.mark.skipif(not DECAP_FILE.is_file() or not PROXY.is_file(),
                               reason=f"{CMS_HOME} is missing (scripts/install_cms.sh installs it)")

pytestmark = [needs_browser, needs_cms, pytest.mark.early]

TITLE = "Tập huấn kỹ năng bơi an toàn cho trẻ em Đồng Tháp"
SLUG = "tap-huan-ky-nang-boi-an-toan-cho-tre-em-dong-thap"
NUMBER = "45/QĐ-UBND"
DOCUMENT_SLUG = "45-qd-ubnd"
PORTAL = {
    "content/news/2024/day-boi.md": news("Dạy bơi cho trẻ em mùa hè", "2024-06-01 07:00",
                                         "Phòng chống đuối nước"),
    "content/documents/2023/606.md": ("---\nnumber: 606/KH-UBND\ntype: Kế hoạch\n"
                                      "title: Thực hiện công tác trẻ em năm 2023\n"
                                      "issuer: UBND tỉnh Hải Dương\nissued: 2023-03-07\n---\n"),
}
# The steps of each form, as an editor takes them; Decap's words are its Vietnamese ones.
WORDS = {"login": "Đăng nhập", "publish": "Công bố", "publish_now": "Công bố ngay",
         "choose_selected": "Lấy những cái đã chọn"}


def news_steps(photo: Path) -> list[dict]:
    return [
        {"field": "title", "fill": TITLE},
        {"field": "date", "fill": "2025-12-20T08:30"},
        {"field": "category", "choose": "đuối nước", "option": "Phòng chống đuối nước"},
        {"field": "tags", "fill": "trẻ em, bơi an toàn"},
        {"field": "documents", "choose": "606", "option": "606/KH-UBND"},
        {"field": "image", "upload": str(photo), "button": "Chọn một hình"},
        {"field": "image_alt", "fill": "Các em nhỏ học bơi trong bể"},
        {"field": "body", "type": "Lớp học bơi miễn phí cho 120 em trong dịp hè."},
    ]


def document_steps(attachment: Path) -> list[dict]:
    return [
        {"field": "number", "fill": NUMBER},
        {"field": "type", "choose": "Quyết định"},
        {"field": "title", "fill": "Công nhận xã, phường phù hợp với trẻ em"},
        {"field": "issuer", "fill": "UBND tỉnh Hải Dương"},
        {"field": "issued", "fill": "2025-11-03"},
        {"field": "files", "add": "đính kèm"},
        {"field": "path", "upload": str(attachment), "button": "Chọn một tập tin"},
        {"field": "title", "fill": "Toàn văn"},
    ]


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict:
    return made_once(tmp_path_factory, "cms-browser", edit_through_the_cms)


def edit_through_the_cms(folder: Path) -> dict:
    """The portal, its site served, the proxy started, both forms filled and published;
    what the proxy wrote, what `check` said of it and what the build made of it."""
    port = _free_port()
    config = MINIMAL_CONFIG + f"cms:\n  local_url: http://127.0.0.1:{port}/api/v1\n"
    site = make_site(folder, PORTAL, config=config)
    assert site.build().code == 0
    (folder / "photo.jpg").write_bytes(_jpeg())
    (folder / "quyet-dinh-45.pdf").write_bytes(b"%PDF-1.4\n% Quyet dinh 45\n%%EOF\n")
    before = {path for path in (site.root / "content").rglob("*.md")}
    plan = {"cdn": DECAP_CDN_SCRIPT, "script": str(DECAP_FILE), "words": WORDS, "items": [
        {"collection": "news", "steps": news_steps(folder / "photo.jpg")},
        {"collection": "documents", "steps": document_steps(folder / "quyet-dinh-45.pdf")}]}
    with _proxy(site.root, port), served_folder(site.root / "site") as base:
        report = run_driver(DRIVER, base, json.dumps(plan), timeout=240)
    written = sorted(p.relative_to(site.root).as_posix() for p in (site.root / "content").rglob("*.md")
                     if p not in before)
    # The news item is dated 2025-12-20; "now" for these builds is 2026-01-01.
    check, build = site.command("check"), site.build()
    return {"report": report, "written": written,
            "texts": {rel: (site.root / rel).read_text(encoding="utf-8") for rel in written},
            "static": sorted(p.relative_to(site.root).as_posix()
                             for p in (site.root / "static").rglob("*") if p.is_file()),
            "check": [check.code, check.stdout + check.stderr], "build": [build.code, build.stderr],
            "news_page": _read(site.root / "site" / "tin-tuc" / SLUG / "index.html"),
            "document_page": _read(site.root / "site" / "van-ban" / DOCUMENT_SLUG / "index.html")}


def _front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def _written(edited: dict, folder: str) -> tuple[str, dict]:
    [(rel, text)] = [(rel, text) for rel, text in edited["texts"].items() if rel.startswith(folder)]
    return rel, _front_matter(text)


def test_the_editor_ran_in_chromium_under_the_admin_policy_from_the_pinned_file(edited: dict):
    report = edited["report"]
    assert report["errors"] == [] and report["outside"] == []
    assert len(report["saved"]) == 2
    # The preview pane shows the portal's own (fingerprinted) stylesheet.
    assert any("/assets/theme." in href for href in report["preview_styles"]), report["preview_styles"]


def test_a_news_item_from_the_form_is_written_where_the_engine_reads_it(edited: dict):
    rel, meta = _written(edited, "content/news/")
    assert rel == f"content/news/2025/{SLUG}.md"
    assert meta["title"] == TITLE and meta["slug"] == SLUG  # the address, kept when the title changes
    assert meta["category"] == "Phòng chống đuối nước"
    assert meta["tags"] == ["trẻ em", "bơi an toàn"]
    assert meta["documents"] == ["606/KH-UBND"]
    assert meta["image"] == "/media/photo.jpg" and "static/media/photo.jpg" in edited["static"]
    assert str(meta["date"]).startswith("2025-12-20 08:30")
    # Fields left empty are not written (an empty `updated:` would be a wrong date).
    assert "updated" not in meta and "summary" not in meta
    assert "Lớp học bơi miễn phí cho 120 em" in edited["texts"][rel]


def test_a_document_from_the_form_has_its_attachment_under_static_files(edited: dict):
    rel, meta = _written(edited, "content/documents/")
    assert rel.endswith(f"/{DOCUMENT_SLUG}.md")
    assert meta["number"] == NUMBER and meta["type"] == "Quyết định" and meta["slug"] == DOCUMENT_SLUG
    assert meta["files"] == [{"path": "/files/quyet-dinh-45.pdf", "title": "Toàn văn"}]
    assert "static/files/quyet-dinh-45.pdf" in edited["static"]


def test_what_the_editor_saved_passes_check_and_builds(edited: dict):
    assert edited["check"][0] == 0, edited["check"][1]
    assert edited["build"][0] == 0, edited["build"][1]


def test_the_news_page_shows_what_the_form_said(edited: dict):
    page = edited["news_page"]
    assert TITLE in page and "Phòng chống đuối nước" in page and "bơi an toàn" in page
    assert "/van-ban/606-kh-ubnd/" in page  # the related document, linked
    assert "/media/photo" in page and "Các em nhỏ học bơi trong bể" in page


def test_the_document_page_lists_the_attachment(edited: dict):
    page = edited["document_page"]
    assert NUMBER in page and "Toàn văn" in page and "/files/quyet-dinh-45.pdf" in page


# --- the servers ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _proxy(root: Path, port: int) -> Iterator[None]:
    """decap-server on 127.0.0.1:`port`, writing into `root` (its file-system mode)."""
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(root), "LOG_LEVEL": "error"}
    process = subprocess.Popen([shutil.which("node") or "node", str(PROXY)], env=env, cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise AssertionError(f"decap-server did not start on port {port}")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _jpeg() -> bytes:
    """A real photo-sized JPEG (the engine reads and resizes it)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 120, 200)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
