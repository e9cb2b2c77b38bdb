"""A build says what `check` says about links and images in what editors wrote: a broken
internal link, a link to a missing file and a missing image are warnings with their file
and line (exit 0, the site published all the same), errors for `check`, hidden by
`--quiet`; valid links of every kind say nothing (issue 14, section 2). Both come from
portal/links.py, held against the files the build knows it writes, never read back."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

from PIL import Image

from conftest import EPOCH, SMALL_SITE, SiteDir, make_site, news
from test_serve import serving

BROKEN = "content/news/2024/lien-ket-hong.md"
BROKEN_BODY = """\
Đoạn đầu của bài.

Xem [trang cũ](/gioi-thieu-cu/) để biết thêm.

![Ảnh hội nghị](/media/khong-co.jpg)

Tải [kế hoạch](/files/ke-hoach-2024.pdf) về máy.
"""
# The body starts on line 6 (after title, date, category and the two `---`).
EXPECTED = {  # line -> (the address, words of the message)
    8: ("/gioi-thieu-cu/", "không dẫn tới trang nào"),
    10: ("/media/khong-co.jpg", "không có ảnh /media/khong-co.jpg; hãy chép ảnh vào static/media/khong-co.jpg"),
    12: ("/files/ke-hoach-2024.pdf", "không có tệp /files/ke-hoach-2024.pdf"),
}
PAGE_BROKEN = "content/pages/lien-he.md"


def _png(width: int = 640, height: int = 400) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def broken_site(tmp_path: Path) -> SiteDir:
    return make_site(tmp_path, {
        **SMALL_SITE,
        BROKEN: news("Bài có liên kết hỏng", body=BROKEN_BODY),
        PAGE_BROKEN: "---\ntitle: Liên hệ\n---\nXem [tin đã xoá](../tin-tuc/tin-da-xoa/).\n",
    })


def warning_lines(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("content/")]


def test_broken_links_and_images_are_warnings_with_file_and_line(tmp_path: Path):
    site = broken_site(tmp_path)

    run = site.build(quiet=False)

    assert run.code == 0 and "Traceback" not in run.stderr
    lines = warning_lines(run)
    for line_number, (url, words) in EXPECTED.items():
        said = [line for line in lines if line.startswith(f"{BROKEN}:{line_number}: ")]
        assert len(said) == 1, run.stderr
        assert url in said[0] and words in said[0], said[0]
    assert any(line.startswith(f"{PAGE_BROKEN}:4: ") and "../tin-tuc/tin-da-xoa/" in line
               for line in lines), run.stderr
    assert len(lines) == 4, run.stderr
    # The site is published all the same, the page with the broken link included.
    assert "Đã tạo" in run.stdout
    assert "trang cũ" in site.read("tin-tuc/bai-co-lien-ket-hong/index.html")


def test_quiet_hides_the_warnings_as_it_hides_the_others(tmp_path: Path):
    site = broken_site(tmp_path)

    run = site.build()  # --quiet

    assert run.code == 0 and run.stderr == "" and run.stdout == ""
    assert site.exists("tin-tuc/bai-co-lien-ket-hong/index.html")


def test_check_reports_the_same_findings_as_errors(tmp_path: Path):
    site = broken_site(tmp_path)
    built = warning_lines(site.build(quiet=False))

    run = site.command("check", env={"SOURCE_DATE_EPOCH": EPOCH})

    assert run.code == 1
    for line in built:  # word for word: the same file, line and message
        assert line in run.stdout.splitlines(), (line, run.stdout)
    json_run = site.command("check", "--format", "json", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert '"level": "error"' in json_run.stdout and "check_missing_image" in json_run.stdout


def test_a_build_from_the_cache_warns_the_same_and_sees_a_link_mended(tmp_path: Path):
    site = broken_site(tmp_path)
    first = warning_lines(site.build(quiet=False))

    again = site.build(quiet=False)  # every page and every body's links from the cache

    assert warning_lines(again) == first and "dùng lại" in again.stdout
    # The body that links is unchanged; the page it wants appears: the warning goes.
    site.write("content/pages/gioi-thieu-cu.md", "---\ntitle: Giới thiệu cũ\n---\nTrang cũ.\n")
    mended = warning_lines(site.build(quiet=False))
    assert not any(f"{BROKEN}:8:" in line for line in mended) and len(mended) == 3


def test_an_unchanged_body_is_not_read_again_for_its_links(tmp_path: Path, monkeypatch):
    """Cheap: a build that renders a few pages does not fetch every body's HTML for its
    links; they are remembered by the file's digest."""
    from portal import link_memo
    from portal.pipeline import BuildOptions, build

    site = broken_site(tmp_path)
    options = BuildOptions(root=site.root, jobs=1, offline=True, search=False)
    first = build(options)
    read = []
    monkeypatch.setattr(link_memo, "links_from_html", lambda entry: read.append(entry.path) or ())
    site.write("content/news/2024/moi.md", news("Tin mới", body="[Hỏng](/khong-co/)"))

    again = build(options)

    assert read == ["content/news/2024/moi.md"]
    assert set(again.links) == set(first.links)  # the others' findings, from memory


def test_serve_kept_findings_are_a_fresh_builds_after_every_edit(tmp_path: Path):
    """`serve` keeps each body's findings while the files stay the same: after each edit
    they must be what a build from nothing finds."""
    from portal.pipeline import BuildOptions, Session, build
    from portal.writer import MemoryWriter

    site = broken_site(tmp_path)
    options = BuildOptions(root=site.root, jobs=1, offline=True, search=False)
    session, writer = Session(), MemoryWriter()
    edits = [
        ("content/news/2024/hoi-nghi.md", news("Hội nghị triển khai công tác trẻ em năm 2024",
                                              body="[Mới hỏng](/chua-co/)", tags="[trẻ em, tập huấn]")),
        ("content/pages/chua-co.md", "---\ntitle: Chưa có\n---\nĐã có.\n"),  # mends it
        (BROKEN, news("Bài có liên kết hỏng", body="Đã sửa hết.")),
        ("content/pages/gioi-thieu-cu.md", "---\ntitle: Giới thiệu cũ\n---\nTrang.\n"),
        ("content/pages/lien-he.md", "---\ntitle: Liên hệ\n---\n[Cũ](../gioi-thieu-cu/)\n"),
    ]
    for rel, text in [(None, None), *edits]:
        if rel:
            site.write(rel, text)
            session.changed = {rel}
        served = build(options, writer, session).links
        fresh = build(replace(options, use_cache=False), MemoryWriter()).links
        assert served == fresh, rel
    assert served == ()


def test_a_damaged_or_forged_memory_of_links_changes_nothing(tmp_path: Path):
    from portal.cache import seal, unseal

    site = broken_site(tmp_path)
    first = warning_lines(site.build(quiet=False))
    kept = {path: json.loads(unseal(path.read_bytes()))
            for path in (site.root / ".cache" / "links").rglob("*") if path.is_file()}
    findings = next(path for path, value in kept.items() if isinstance(value, list))
    memo, genuine = next((path, value) for path, value in kept.items()
                         if isinstance(value, dict) and BROKEN in value)
    digest = genuine[BROKEN][0]
    assert genuine[BROKEN][1:] == ["a", "/gioi-thieu-cu/", "img", "/media/khong-co.jpg",
                                   "a", "/files/ke-hoach-2024.pdf"]
    said = kept[findings]

    def sealed(value: object) -> bytes:
        return seal(json.dumps(value, ensure_ascii=False).encode("utf-8"))

    # Sealed as the engine seals, with the right digest, but not what the engine writes:
    # a terminal's control sequence, raw or escaped, a number, a tag of its own.
    forged_links = [b"garbage", *(sealed({**genuine, BROKEN: kept}) for kept in (
        [digest, "a", "/\x9b31mdo/"], [digest, "a", "/\x1b[31m/"], [digest, "a", 7],
        [digest, "script", "/x/"]))]
    forged_findings = [b"garbage", sealed([[*said[0][:3], ["url", "\x9b31m"]]]),
                       sealed([[said[0][0], "8", *said[0][2:]]]), sealed([[*said[0][:2], "other", []]])]
    for forged in forged_links:
        findings.write_bytes(b"garbage")  # so that the links are looked at again
        memo.write_bytes(forged)
        run = site.build(quiet=False)
        assert warning_lines(run) == first, forged
        assert "\x9b" not in run.stderr and "\x1b" not in run.stderr
    for forged in forged_findings:
        findings.write_bytes(forged)
        run = site.build(quiet=False)
        assert warning_lines(run) == first, forged
        assert "\x9b" not in run.stderr


def test_valid_links_of_every_kind_say_nothing(tmp_path: Path):
    site = make_site(tmp_path, {**SMALL_SITE, "static/files/ke-hoach.pdf": b"%PDF-1.4\n",
                                "static/media/hoi-nghi.png": _png()})
    assert site.build().code == 0
    css = next(p.name for p in (site.root / "site" / "assets").glob("*.css"))
    rendition = next(p.name for p in (site.root / "site" / "media").glob("hoi-nghi.*.webp"))
    body = f"""\
## Mục tiêu

[Trang chủ](/) [Tin tức](/tin-tuc/) [Giới thiệu](/gioi-thieu/) [Giới thiệu](../../gioi-thieu/)
[Hội nghị](/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/) [Mục tiêu](#muc-tieu)
[Tệp](/files/ke-hoach.pdf) [Ảnh](/media/hoi-nghi.png) [Cỡ nhỏ](/media/{rendition})
[Giao diện](/assets/{css}) [Biểu tượng](/favicon.ico) [Tin RSS](/feed.xml) [Sơ đồ](/sitemap.xml)
[Tìm kiếm](/tim-kiem/) [Bảo vệ](/chuyen-muc/bao-ve-cham-soc-tre-em/)
[Báo](https://baochinhphu.vn/) [Thư](mailto:tre-em@example.gov.vn) [Gọi](tel:111)

![Hội nghị](/media/hoi-nghi.png)
"""
    site.write("content/news/2024/dung.md", news("Bài có liên kết đúng", body=body))

    run = site.build(quiet=False, env={"SOURCE_DATE_EPOCH": EPOCH})

    assert run.code == 0 and warning_lines(run) == [], run.stderr
    checked = site.command("check", "--format", "json", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert "check_broken_link" not in checked.stdout and "check_missing" not in checked.stdout, checked.stdout


def test_an_address_urlsplit_cannot_read_is_no_traceback(tmp_path: Path):
    site = make_site(tmp_path, {**SMALL_SITE, BROKEN: news("Địa chỉ lạ", body=(
        '<a href="//[bad">một</a> [hai](http://[::1) [ba](/a%zz/) [bốn](/[x]/)'))})

    built, checked = site.build(quiet=False), site.command("check", env={"SOURCE_DATE_EPOCH": EPOCH})

    for run in (built, checked):
        assert "Traceback" not in run.stderr + run.stdout
        assert "/a%zz/" in run.stderr + run.stdout and "/[x]/" in run.stderr + run.stdout
        assert "[bad" not in run.stderr + run.stdout  # another host: not the build's to know
    assert built.code == 0 and checked.code == 1


def test_the_files_links_are_held_against_are_the_files_written(tmp_path: Path):
    """So that the build's list can never drift from what it writes (a new kind of page
    that the list forgot would make every link to it look broken)."""
    from portal.paths import MARKER
    from portal.pipeline import BuildOptions, build
    from portal.writer import MemoryWriter

    site = make_site(tmp_path, {**SMALL_SITE, "static/files/ke-hoach.pdf": b"%PDF-1.4\n",
                                "static/media/hoi-nghi.png": _png()})
    writer = MemoryWriter()

    result = build(BuildOptions(root=site.root, jobs=1, offline=True, use_cache=False), writer)

    assert result.files is not None
    written = set(writer.files) - {MARKER}
    search = {rel for rel in written if rel.startswith(result.files.folders)}
    assert search  # the search index was written, under the folder the list names
    assert written - search == set(result.files.names)


def test_serve_says_the_warnings_in_its_terminal(tmp_path: Path):
    site = make_site(tmp_path, SMALL_SITE)
    with serving(site) as served:
        site.write(BROKEN, news("Bài có liên kết hỏng", body=BROKEN_BODY))
        assert served.next_state()["errors"] == []  # a warning is no error: no overlay
    said = served.process.stderr.read()
    assert f"{BROKEN}:8: " in said and f"{BROKEN}:10: " in said and f"{BROKEN}:12: " in said
