"""Every portal publishes /favicon.ico and links an icon from every page (issue 13,
section 7): browsers ask for /favicon.ico whatever a page links, and a 404 there is an
error in the console on every page (Lighthouse's best practices, 0.96 before).

No `favicon:` in config: the theme's icon (templates/assets/favicon.svg, linked) and its
templates/favicon.ico. With `favicon:`: that file is linked, and /favicon.ico is the
portal's own static/favicon.ico, the configured .ico, the configured picture drawn as an
icon, or else the theme's.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from conftest import MINIMAL_CONFIG, REPO, SMALL_SITE, SiteDir, assert_clean_output, assert_refused, make_site

THEME_ICO = (REPO / "templates" / "favicon.ico").read_bytes()
ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)"([^>]*)>')
GPS_PLACE = b"GPS-HOME-OF-A-CHILD"


def icon_links(site: SiteDir) -> dict[str, list[tuple[str, str]]]:
    """Every page a citizen reads, with the icons it links (href, other attributes). The
    editors' CMS page (admin/, its own frame, not indexed) is not one: a browser there
    asks for /favicon.ico, which the tests below prove is published."""
    pages = sorted(page for page in (site.root / "site").rglob("*.html")
                   if not page.relative_to(site.root / "site").as_posix().startswith("admin/"))
    assert pages
    return {page.relative_to(site.root / "site").as_posix(): ICON_LINK.findall(page.read_text(encoding="utf-8"))
            for page in pages}


def ico_sizes(data: bytes) -> set[tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as icon:
        assert icon.format == "ICO"
        return set(icon.info["sizes"])


def picture(size: tuple[int, int], colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    """A picture as a phone or an editor's tool saves it: with EXIF and a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825)[0x001B] = GPS_PLACE  # GPSProcessingMethod
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    assert GPS_PLACE in out.getvalue()
    return out.getvalue()


def build(site: SiteDir) -> None:
    run = site.build("--offline")
    assert run.code == 0, run.stderr


def test_without_a_favicon_in_config_the_theme_icon_is_published_and_linked_from_every_page(tmp_path: Path):
    site = make_site(tmp_path, SMALL_SITE)
    build(site)

    assert site.exists("favicon.ico")
    assert (site.root / "site" / "favicon.ico").read_bytes() == THEME_ICO
    assert ico_sizes(THEME_ICO) == {(16, 16), (32, 32), (48, 48)}
    links = icon_links(site)
    assert "404.html" in links and "index.html" in links
    for page, icons in links.items():
        assert icons[0] == ("/favicon.ico", ' sizes="32x32"'), page
        svg, kind = icons[1]
        assert re.fullmatch(r"/assets/favicon\.[0-9a-f]{10}\.svg", svg) and kind == ' type="image/svg+xml"', page
        assert len(icons) == 2, page
    published_svg = (site.root / "site" / svg.lstrip("/")).read_text(encoding="utf-8")
    assert published_svg == (REPO / "templates" / "assets" / "favicon.svg").read_text(encoding="utf-8")
    assert published_svg.startswith("<svg") and "<text" not in published_svg  # a drawing, no name


def test_a_configured_svg_is_linked_and_the_theme_ico_answers_for_favicon_ico(tmp_path: Path):
    site = make_site(tmp_path, {**SMALL_SITE, "static/logo/bieu-tuong.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
                     MINIMAL_CONFIG + "favicon: /logo/bieu-tuong.svg\n")
    build(site)

    for page, icons in icon_links(site).items():
        assert icons == [("/favicon.ico", ' sizes="32x32"'), ("/logo/bieu-tuong.svg", ' type="image/svg+xml"')], page
    assert (site.root / "site" / "favicon.ico").read_bytes() == THEME_ICO
    assert site.exists("logo/bieu-tuong.svg")


def test_a_configured_picture_becomes_favicon_ico_without_its_metadata(tmp_path: Path):
    # Wider than tall: the icon keeps its shape, centred on a transparent square.
    site = make_site(tmp_path, {**SMALL_SITE, "static/logo/so.png": picture((300, 150), (200, 30, 40))},
                     MINIMAL_CONFIG + "favicon: /logo/so.png\n")
    build(site)

    for page, icons in icon_links(site).items():
        assert icons == [("/favicon.ico", ' sizes="32x32"'), ("/logo/so.png", "")], page
    data = (site.root / "site" / "favicon.ico").read_bytes()
    assert ico_sizes(data) == {(16, 16), (32, 32), (48, 48)}
    assert GPS_PLACE not in data and b"PhoneMaker" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as icon:
        icon.size = (48, 48)
        drawn = icon.convert("RGBA")
    assert drawn.getpixel((24, 24)) == (200, 30, 40, 255)  # the picture, in the middle
    assert drawn.getpixel((24, 2))[3] == 0  # above it, nothing


def test_a_configured_ico_is_published_as_favicon_ico_too(tmp_path: Path):
    own = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 128, 0, 255)).save(own, format="ICO", sizes=[(32, 32)])
    site = make_site(tmp_path, {**SMALL_SITE, "static/logo/so.ico": own.getvalue()},
                     MINIMAL_CONFIG + "favicon: /logo/so.ico\n")
    build(site)

    assert (site.root / "site" / "favicon.ico").read_bytes() == own.getvalue()
    assert (site.root / "site" / "logo" / "so.ico").read_bytes() == own.getvalue()
    assert icon_links(site)["index.html"] == [("/favicon.ico", ' sizes="32x32"'), ("/logo/so.ico", "")]


@pytest.mark.parametrize("config", ["", "favicon: /favicon.ico\n"])
def test_the_portal_s_own_favicon_ico_in_static_is_kept(tmp_path: Path, config: str):
    own = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 0, 255, 255)).save(own, format="ICO", sizes=[(16, 16)])
    site = make_site(tmp_path, {**SMALL_SITE, "static/favicon.ico": own.getvalue()}, MINIMAL_CONFIG + config)
    build(site)

    assert (site.root / "site" / "favicon.ico").read_bytes() == own.getvalue()
    icons = icon_links(site)["index.html"]
    assert icons[0] == ("/favicon.ico", ' sizes="32x32"')
    assert len(icons) == (1 if config else 2)  # the theme's SVG when none is configured


def test_the_icons_follow_a_site_under_a_sub_path(tmp_path: Path):
    site = make_site(tmp_path, SMALL_SITE, MINIMAL_CONFIG.replace("https://example.gov.vn/",
                                                                  "https://example.gov.vn/treem/"))
    build(site)

    icons = icon_links(site)["index.html"]
    assert icons[0][0] == "/treem/favicon.ico" and icons[1][0].startswith("/treem/assets/favicon.")


def test_a_rebuild_gives_the_same_favicon_and_leaves_it_in_place(tmp_path: Path):
    site = make_site(tmp_path, {**SMALL_SITE, "static/logo/so.png": picture((64, 64), (10, 90, 160))},
                     MINIMAL_CONFIG + "favicon: /logo/so.png\n")
    build(site)
    first = (site.root / "site" / "favicon.ico").read_bytes()
    build(site)
    assert (site.root / "site" / "favicon.ico").read_bytes() == first


def test_a_folder_named_favicon_ico_in_static_is_refused_and_the_site_untouched(tmp_path: Path):
    site = make_site(tmp_path, SMALL_SITE)
    build(site)
    before = site.tree_digest()
    site.write("static/favicon.ico/anh.png", picture((8, 8), (0, 0, 0)))

    run = site.build("--offline")

    assert_refused(run, codes=(1,), names=("static/favicon.ico/anh.png",), says=("/favicon.ico",))
    assert site.tree_digest() == before


def test_a_theme_icon_that_is_a_link_outside_the_portal_is_refused_unread(tmp_path: Path):
    secret = b"outside-secret-of-the-favicon"
    (tmp_path / "secret.ico").write_bytes(secret)
    site = make_site(tmp_path, SMALL_SITE)
    build(site)
    before = site.tree_digest()
    (site.root / "templates" / "favicon.ico").unlink()
    os.symlink(tmp_path / "secret.ico", site.root / "templates" / "favicon.ico")

    run = site.build("--offline")

    assert_refused(run, codes=(1,), names=("templates/favicon.ico",), says=("symlink",))
    assert site.tree_digest() == before
    assert_clean_output(site.root / "site", secret)
