"""Videos (issue 13, section 2): a YouTube link or a local .mp4 on a line of its own in a
body, or a news item's `video:` field.

The page shows a local poster and a play button, and asks no other site for anything
until the citizen presses play; then assets/video.js puts the player from
youtube-nocookie.com in its place, which the security policy frames only on a portal that
has a YouTube video. Without JavaScript the poster is a plain link to youtube.com. A local
.mp4 is a <video controls preload="none"> with a link. Editors' own <iframe> and <video>
are still stripped. Bad addresses are located errors, the previous site/ untouched.
"""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path

import pytest

from conftest import (SMALL_SITE, SiteDir, assert_refused, copy_site, made_once, make_site, needs_browser, news,
                      run_driver, served_folder)
from portal.content.markup import summary_of, to_html
from portal.video import Video, video_from, video_problem

DRIVER = Path(__file__).resolve().parent / "browser" / "video.js"
ARTICLE = "content/news/2024/le-phat-dong.md"
PAGE = "content/pages/video.md"
FIELD_ID, BODY_ID, SHORTS_ID = "M7lc1UVf-VE", "_bcdefghij-", "abcdefghijk"
PLAYER = "https://www.youtube-nocookie.com"
ARTICLE_BODY = f"""\
Lễ phát động tháng hành động vì trẻ em.

[Phóng sự: Lễ phát động](https://www.youtube.com/watch?v={BODY_ID}&t=42)

Đoạn phim của Sở:

/media/2024/clip.mp4

<iframe src="https://evil.example/frame"></iframe>
<video src="/media/2024/clip.mp4" autoplay></video>
<p>Còn tiếp.</p>
"""


def jpeg(width: int = 800, height: int = 450) -> bytes:
    from PIL import Image  # the images stage's library; a real picture for the poster
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 150)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def video_files() -> dict[str, str | bytes]:
    return {
        **SMALL_SITE,
        ARTICLE: news("Lễ phát động tháng hành động vì trẻ em", "2024-05-20 08:00",
                      video=f"https://youtu.be/{FIELD_ID}", image="/media/2024/bia.jpg",
                      image_alt="Các em nhỏ tại lễ phát động", body=ARTICLE_BODY),
        PAGE: f"---\ntitle: Video giới thiệu\n---\nhttps://www.youtube.com/shorts/{SHORTS_ID}\n",
        "static/media/2024/bia.jpg": jpeg(),
        "static/media/2024/clip.mp4": b"\x00\x00\x00\x18ftypmp42",
    }


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("video"), video_files())
    run = site.build("--offline")
    assert run.code == 0, run.stderr
    return site


@pytest.fixture
def built(built_once: SiteDir, tmp_path: Path) -> SiteDir:
    """The video portal built once, a copy of its own for each test that changes it."""
    return copy_site(built_once, tmp_path)


def article(site: SiteDir) -> str:
    return site.read("tin-tuc/le-phat-dong-thang-hanh-dong-vi-tre-em/index.html")


def policy_of(page: str) -> dict[str, list[str]]:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    return {name: sources for name, *sources in
            (part.split() for part in html.unescape(meta).split(";") if part.strip())}


def header_policy(site: SiteDir) -> tuple[dict[str, list[str]], str]:
    """The policy and the Permissions-Policy of `_headers`' rule for every file (`/*`)."""
    rule = site.read("_headers").split("\n/*\n", 1)[1]
    headers = dict(line.strip().split(": ", 1) for line in rule.splitlines()[:4])
    csp = {name: sources for name, *sources in
           (part.split() for part in headers["Content-Security-Policy"].split(";"))}
    return csp, headers["Permissions-Policy"]


# --- the addresses ---------------------------------------------------------------------------

@pytest.mark.parametrize("address, expected", [
    (f"https://www.youtube.com/watch?v={FIELD_ID}", Video(youtube_id=FIELD_ID)),
    (f"https://youtube.com/watch?feature=share&v={FIELD_ID}&t=1m", Video(youtube_id=FIELD_ID)),
    (f"http://m.youtube.com/watch?v={FIELD_ID}", Video(youtube_id=FIELD_ID)),
    (f"https://youtu.be/{FIELD_ID}?si=abc", Video(youtube_id=FIELD_ID)),
    (f"https://www.youtube.com/shorts/{SHORTS_ID}", Video(youtube_id=SHORTS_ID)),
    (f"https://www.youtube.com/embed/{BODY_ID}", Video(youtube_id=BODY_ID)),
    ("/media/2024/clip.mp4", Video(file="/media/2024/clip.mp4")),
    ("/media/Le-Hoi.MP4", Video(file="/media/Le-Hoi.MP4")),
    ("https://youtu.be/short", None), (f"https://www.youtube.com/watch?v={FIELD_ID}x", None),
    (f"https://evil.example/watch?v={FIELD_ID}", None), (f"javascript:alert('{FIELD_ID}')", None),
    ("https://www.youtube.com/@kenhtreem", None), ("/media/../../etc/x.mp4", None),
    ("/media/clip.mp4?x=1", None), ("media/clip.mp4", None), ("/media/clip.webm", None),
])
def test_which_addresses_name_a_video(address: str, expected: Video | None):
    assert video_from(address) == expected


def test_a_youtube_address_with_a_bad_id_is_told_apart_from_a_wrong_address():
    assert video_problem("https://youtu.be/abc") == "video_youtube_id"
    assert video_problem("https://www.youtube.com/watch?v=") == "video_youtube_id"
    assert video_problem("https://vimeo.com/12345") == "video_address"


def test_only_a_line_of_its_own_is_a_video_and_the_link_stays_in_the_markup():
    body = to_html(f"Xem https://youtu.be/{FIELD_ID} nhé.\n\n- https://youtu.be/{FIELD_ID}\n\n"
                   f"```\nhttps://youtu.be/{FIELD_ID}\n```\n\nhttps://youtu.be/{FIELD_ID}\n")
    assert body.count('class="video-line"') == 1
    assert f'<p class="video-line"><a href="https://www.youtube.com/watch?v={FIELD_ID}">' in body


# --- the built pages -------------------------------------------------------------------------

def test_a_video_field_shows_the_cover_as_its_poster_with_a_link_to_youtube(built_once: SiteDir):
    page = article(built_once)
    lead = page[page.index("<h1>"):page.index('<div class="body">')]
    assert f'href="https://www.youtube.com/watch?v={FIELD_ID}"' in lead
    assert f'data-youtube="{FIELD_ID}"' in lead
    poster = re.search(r'class="video-poster"[^>]*>(?:<picture>.*?)?<img[^>]* src="([^"]+)"', lead, re.S).group(1)
    assert poster.startswith("/media/2024/bia")  # the cover (or a variant of it), local
    assert '<figure class="cover">' not in lead  # the video takes the cover's place


def test_a_body_video_line_is_a_poster_titled_by_its_link_words(built_once: SiteDir):
    body = article(built_once).split('<div class="body">', 1)[1]
    player = re.search(r'<a class="video-play" href="([^"]+)" data-youtube="([^"]+)" data-title="([^"]+)"', body)
    assert player.groups() == (f"https://www.youtube.com/watch?v={BODY_ID}", BODY_ID,
                               "Phóng sự: Lễ phát động")
    assert body.count("/assets/video.") == 0, "the lead video brought the script already"


def test_a_page_without_a_picture_gets_the_themes_poster_with_the_title(built_once: SiteDir):
    page = built_once.read("video-gioi-thieu/index.html")
    assert '<span class="video-poster video-poster-plain"></span>' in page
    assert '<span class="video-title">Video giới thiệu</span>' in page
    assert page.count('src="/assets/video.') == 1


def test_nothing_on_a_video_page_comes_from_another_site(built_once: SiteDir):
    for page in (article(built_once), built_once.read("video-gioi-thieu/index.html")):
        sources = re.findall(r'\ssrc="([^"]*)"', page)
        assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources), sources
        body = page[page.index("<body"):]  # the head's policy names the player's origin
        assert "<iframe" not in body and "youtube-nocookie" not in body


def test_a_local_mp4_is_a_video_with_controls_that_loads_nothing_until_played(built_once: SiteDir):
    page = article(built_once)
    assert page.count("<video ") == 1  # the editor's own <video> is gone
    tag = re.search(r"<video [^>]*>", page).group(0)
    assert 'controls' in tag and 'preload="none"' in tag and 'src="/media/2024/clip.mp4"' in tag
    assert "autoplay" not in tag
    assert '<a href="/media/2024/clip.mp4">' in page  # the text link, for every browser


def test_raw_iframes_and_videos_typed_in_a_body_are_still_stripped(built_once: SiteDir):
    page = article(built_once)
    assert "evil.example" not in page and "<iframe" not in page
    assert "Còn tiếp." in page


def test_a_body_that_opens_with_a_video_is_summed_up_by_its_first_words():
    body = to_html(f"https://youtu.be/{FIELD_ID}\n\nTrẻ em được học bơi miễn phí.\n")
    assert summary_of(body) == "Trẻ em được học bơi miễn phí."


def test_a_site_under_a_sub_path_links_its_mp4_there(built: SiteDir):
    assert built.build("--offline", "--base-url", "https://example.gov.vn/treem/").code == 0
    page = article(built)
    assert 'src="/treem/media/2024/clip.mp4"' in page and 'href="/treem/media/2024/clip.mp4"' in page


# --- the policy ------------------------------------------------------------------------------

def test_the_policy_frames_the_youtube_player_on_a_portal_with_a_youtube_video(built_once: SiteDir):
    csp, permissions = header_policy(built_once)
    assert csp["frame-src"] == [PLAYER]
    for page in ("index.html", "tin-tuc/index.html", "video-gioi-thieu/index.html"):
        assert policy_of(built_once.read(page))["frame-src"] == [PLAYER], page
    features = dict(item.strip().split("=", 1) for item in permissions.split(","))
    assert features["autoplay"] == features["encrypted-media"] == f'(self "{PLAYER}")'
    assert features["camera"] == "()"


@pytest.mark.parametrize("files", [
    {}, {"static/media/clip.mp4": b"mp4", "content/pages/phim.md": "---\ntitle: Phim\n---\n/media/clip.mp4\n"},
    {"content/pages/ma.md": f"---\ntitle: Mã\n---\n```\nhttps://youtu.be/{FIELD_ID}\n```\n"},
], ids=["no video", "only a local mp4", "a link in code"])
def test_no_frame_src_and_no_autoplay_without_a_youtube_video(tmp_path: Path, files: dict):
    site = make_site(tmp_path, {**SMALL_SITE, **files})
    assert site.build("--offline").code == 0
    csp, permissions = header_policy(site)
    assert "frame-src" not in csp and "frame-src" not in policy_of(site.read("index.html"))
    assert "autoplay=()" in permissions


def test_a_draft_with_a_video_does_not_open_the_policy(tmp_path: Path):
    draft = news("Bản nháp", draft="true", video=f"https://youtu.be/{FIELD_ID}")
    site = make_site(tmp_path, {**SMALL_SITE, "content/news/2024/nhap.md": draft})
    assert site.build("--offline").code == 0
    assert "frame-src" not in header_policy(site)[0]


# --- in Chromium -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    return made_once(tmp_path_factory, "video-browser", build_and_drive)


def build_and_drive(folder: Path) -> dict:
    site = make_site(folder, video_files())
    assert site.build("--offline").code == 0
    with served_folder(site.root / "site") as base:
        return run_driver(DRIVER, base + "tin-tuc/le-phat-dong-thang-hanh-dong-vi-tre-em/", timeout=60)


@needs_browser
def test_no_other_site_is_asked_for_anything_before_play_is_pressed(seen: dict):
    before = seen["before"]
    assert before["foreign"] == []
    assert [poster["id"] for poster in before["posters"]] == [FIELD_ID, BODY_ID]
    assert before["posters"][0]["image"].startswith("http://127.0.0.1:")
    assert before["frames"] == []
    assert before["videos"] == [{"src": "/media/2024/clip.mp4", "preload": "none", "controls": True}]


@needs_browser
def test_pressing_play_loads_the_player_from_youtube_nocookie_only(seen: dict):
    after = seen["after"]
    wanted = f"{PLAYER}/embed/{FIELD_ID}?autoplay=1"
    assert after["frames"] == [{"src": wanted, "title": "Lễ phát động tháng hành động vì trẻ em",
                                "allow": "autoplay; encrypted-media; fullscreen; picture-in-picture",
                                "focused": True}]
    assert after["foreign"] == [wanted]  # and nothing else, from no other site
    assert [poster["id"] for poster in after["posters"]] == [BODY_ID]  # the other waits


@needs_browser
def test_without_javascript_the_poster_is_a_plain_link_to_youtube(seen: dict):
    nojs = seen["nojs"]
    assert nojs["foreign"] == [] and nojs["frames"] == []
    assert nojs["posters"][0]["href"] == f"https://www.youtube.com/watch?v={FIELD_ID}"
    assert "Xem video (YouTube)" in nojs["posters"][0]["text"]


# --- bad addresses ---------------------------------------------------------------------------

def assert_refused_untouched(site: SiteDir, before: str, where: str, *says: str) -> None:
    run = site.build("--offline")
    assert_refused(run, codes=(1,), names=(where,), says=says)
    assert site.tree_digest() == before


@pytest.mark.parametrize("value, says", [
    ("https://vimeo.com/12345", "không phải video dùng được"),
    ("https://youtu.be/abc", "mã video không đúng"),
    (f"https://www.youtube.com/watch?v={FIELD_ID}0", "mã video không đúng"),
    ("/media/2024/khong-co.mp4", "không có tệp static/media/2024/khong-co.mp4"),
    ('"javascript:alert(1)"', "không phải video dùng được"),
    ("/media/2024/bia.jpg", "không phải video dùng được"),
])
def test_a_bad_video_field_is_refused_with_its_line(built: SiteDir, value: str, says: str):
    before = built.tree_digest()
    built.write("content/news/2024/sai.md", news("Tin video sai", video=value))
    assert_refused_untouched(built, before, "content/news/2024/sai.md:5: video:", says)


@pytest.mark.parametrize("line, says", [
    ("https://youtu.be/abc", "mã video không đúng"),
    ("[Phim](https://www.youtube.com/shorts/abc)", "mã video không đúng"),
    ("/media/2024/khong-co.mp4", "không có tệp static/media/2024/khong-co.mp4"),
])
def test_a_bad_video_line_in_a_body_is_refused_with_its_line(built: SiteDir, line: str, says: str):
    before = built.tree_digest()
    built.write("content/news/2024/sai.md", news("Tin video sai", body=f"Mở đầu.\n\n{line}\n"))
    assert_refused_untouched(built, before, "content/news/2024/sai.md:8:", says)


@pytest.mark.parametrize("where, text", [
    ("content/news/2024/sai.md:5: video:", news("Tin video ngoài", video="/media/ngoai.mp4")),
    ("content/news/2024/sai.md:8:", news("Tin video ngoài", body="Mở đầu.\n\n/media/ngoai.mp4\n")),
])
def test_an_mp4_that_links_out_of_the_portal_is_refused(built: SiteDir, tmp_path: Path, where: str,
                                                        text: str):
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"not the portal's")
    (built.root / "static" / "media").mkdir(parents=True, exist_ok=True)
    os.symlink(secret, built.root / "static" / "media" / "ngoai.mp4")
    before = built.tree_digest()
    built.write("content/news/2024/sai.md", text)
    assert_refused_untouched(built, before, where, "liên kết (symlink)")


def test_a_kept_item_whose_mp4_is_removed_is_refused_on_the_next_build(built: SiteDir):
    before = built.tree_digest()
    (built.root / "static" / "media" / "2024" / "clip.mp4").unlink()
    assert_refused_untouched(built, before, f"{ARTICLE}:15:", "không có tệp static/media/2024/clip.mp4")
