"""Pictures that suit a phone on mobile data (issue 13, section 1): every image in static/
is published upright, without a byte of its metadata, in a few widths in WebP and in its
own format, with `srcset`, `sizes` and its real size on the page, and a 1200-wide JPEG
for share previews; the work is cached, and the cache is not trusted.

The photos are made here with Pillow as a camera makes them: large, stored sideways with
an EXIF orientation, with a GPS position, an XMP packet, a comment and an ICC profile.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from conftest import SiteDir, assert_refused, copy_site, made_once, make_site, news

# Where the camera was: a child's home, in the portals' case. None of it may be published.
GPS = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 9.0)}
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="21,1.7N"/></rdf:RDF></x:xmpmeta>')
MAKER = "CameraMakerSecret"
# Bytes that only the sources hold: the EXIF header, the camera's name, the XMP packet,
# the comment, and the name of an ICC profile.
METADATA = (b"Exif\x00\x00", MAKER.encode(), b"GPSLatitude", b"adobe:ns:meta", b"CommentSecret", b"desc\x00")
# EXIF orientation -> how the stored picture is turned from the upright one (the inverse
# of what a viewer does to show it).
STORED = {1: None, 3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
RED, BLUE = (220, 30, 30), (30, 90, 200)
NEWS = "content/news/2024/anh.md"


def upright_picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Blue with a red top-left corner: where the corner is shows which way is up."""
    picture = Image.new(mode, (width, height), BLUE + ((255,) if mode == "RGBA" else ()))
    ImageDraw.Draw(picture).rectangle([0, 0, width // 4, height // 4], fill=RED)
    return picture


def camera_photo(width: int, height: int, orientation: int = 6, fmt: str = "JPEG") -> bytes:
    """A `width`×`height` photo as a phone stores it: turned by `orientation`, with
    EXIF (camera, orientation, GPS), XMP, a comment and an ICC profile."""
    stored = upright_picture(width, height)
    if STORED[orientation] is not None:
        stored = stored.transpose(STORED[orientation])
    exif = Image.Exif()
    exif[0x010F], exif[0x0112], exif[0x8825] = MAKER, orientation, GPS
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    extra = {"comment": b"CommentSecret"} if fmt == "JPEG" else {}
    stored.save(out, fmt, exif=exif, icc_profile=icc, xmp=XMP, **extra)
    return out.getvalue()


def transparent_png(width: int, height: int) -> bytes:
    """A logo: half transparent, with EXIF and GPS in an eXIf chunk and the XMP as text."""
    picture = upright_picture(width, height, "RGBA")
    ImageDraw.Draw(picture).rectangle([0, height // 2, width, height], fill=(0, 0, 0, 0))
    exif = Image.Exif()
    exif[0x010F], exif[0x8825] = MAKER, GPS
    from PIL.PngImagePlugin import PngInfo
    text = PngInfo()
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    picture.save(out, "PNG", exif=exif, pnginfo=text)
    return out.getvalue()


def plain_jpeg(width: int, height: int, trailing: bytes = b"") -> bytes:
    out = io.BytesIO()
    upright_picture(width, height).save(out, "JPEG")
    return out.getvalue() + trailing


def png_header(width: int, height: int) -> bytes:
    """A PNG of a hundred bytes that says it is `width`×`height`: decoding it would ask
    for gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(64))) + chunk(b"IEND", b""))


PORTAL = {
    NEWS: news("Lớp học bơi có ảnh chụp", image="/media/2024/chup.jpg",
               image_alt="Các em nhỏ học bơi", body="""
                   Nội dung bài viết có ảnh.

                   ![Biểu trưng trong suốt](/media/2024/logo.png "Biểu trưng")

                   ![Ảnh nhỏ](/media/2024/nho.jpg)

                   ![Ảnh ở trang khác](https://example.org/anh.jpg)
                   """),
    "content/news/2024/khong-bia.md": news("Bài không có ảnh bìa", "2024-04-11 08:00", body="""
                   Mở đầu.

                   ![Ảnh đầu tiên của bài](/media/2024/logo.png)

                   ![Ảnh thứ hai](/media/2024/nho.jpg)
                   """),
    "static/media/2024/chup.jpg": camera_photo(2400, 1600, orientation=6),
    "static/media/2024/logo.png": transparent_png(1000, 500),
    "static/media/2024/nho.jpg": camera_photo(120, 80, orientation=3),
    # Published as it is, but cleaned: nothing shows it.
    "static/media/khong-dung.webp": camera_photo(700, 500, orientation=8, fmt="WEBP"),
}


def build_portal(folder: Path) -> str:
    site = make_site(folder, PORTAL)
    run = site.build()
    assert run.code == 0, run.stderr
    return str(site.root)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SiteDir:
    return SiteDir(Path(made_once(tmp_path_factory, "images-portal", build_portal)))


def published(site: SiteDir, url: str) -> Image.Image:
    picture = Image.open(site.root / "site" / url.lstrip("/"))
    picture.load()
    return picture


def srcset(tag: str, kind: str = "srcset") -> list[tuple[str, int]]:
    value = re.search(rf'\s{kind}="([^"]*)"', tag).group(1)
    return [(url, int(width.rstrip("w"))) for url, width in (part.split() for part in value.split(", "))]


def picture_tags(html: str) -> list[tuple[str, str]]:
    """Each <picture>: its WebP <source> (or "") and its <img>."""
    return re.findall(r"<picture>\s*(<source [^>]*>)?\s*(<img [^>]*>)\s*</picture>", html)


def cover_of(site: SiteDir, slug: str = "lop-hoc-boi-co-anh-chup") -> tuple[str, str]:
    html = site.read(f"tin-tuc/{slug}/index.html")
    figure = re.search(r'<figure class="cover">(.*?)</figure>', html, re.S).group(1)
    return picture_tags(figure)[0]


# --- widths, formats, sizes ------------------------------------------------------------------

def test_a_camera_photo_is_published_in_every_width_below_its_own_in_webp_and_jpeg(built: SiteDir):
    source, img = cover_of(built)
    assert 'type="image/webp"' in source
    webp, jpeg = srcset(source), srcset(img)
    assert [width for _, width in webp] == [480, 960, 1600]
    assert [width for _, width in jpeg] == [480, 960, 1600, 2400]
    assert jpeg[-1][0] == "/media/2024/chup.jpg"  # the cleaned original, at its own address
    for (url, width), fmt in [*((r, "WEBP") for r in webp), *((r, "JPEG") for r in jpeg)]:
        picture = published(built, url)
        assert picture.format == fmt and picture.size == (width, round(width * 1600 / 2400)), url
    assert 'sizes="' in source and 'sizes="' in img


def test_the_photo_is_turned_upright_as_the_camera_said(built: SiteDir):
    _, img = cover_of(built)
    assert 'width="2400" height="1600"' in img  # stored 1600×2400, sideways
    for url, _ in srcset(img)[:1] + srcset(img)[-1:]:
        picture = published(built, url).convert("RGB")
        width, height = picture.size
        assert _near(picture.getpixel((5, 5)), RED), url  # the red corner is top left
        assert _near(picture.getpixel((width - 5, height - 5)), BLUE), url


def test_the_cover_is_fetched_first_and_the_body_pictures_lazily(built: SiteDir):
    html = built.read("tin-tuc/lop-hoc-boi-co-anh-chup/index.html")
    _, cover = cover_of(built)
    assert 'fetchpriority="high"' in cover and "loading=" not in cover
    body = html.split('<div class="body">', 1)[1]
    pictures = picture_tags(body)
    assert len(pictures) == 2 and all('loading="lazy"' in img for _, img in pictures)


def test_without_a_cover_the_first_body_picture_is_not_lazy(built: SiteDir):
    body = built.read("tin-tuc/bai-khong-co-anh-bia/index.html").split('<div class="body">', 1)[1]
    (_, first), (_, second) = picture_tags(body)
    assert 'fetchpriority="high"' in first and "loading=" not in first
    assert 'loading="lazy"' in second


def test_a_png_keeps_its_transparency_and_a_small_picture_is_never_enlarged(built: SiteDir):
    body = built.read("tin-tuc/lop-hoc-boi-co-anh-chup/index.html").split('<div class="body">', 1)[1]
    (logo_source, logo), (small_source, small) = picture_tags(body)
    assert [w for _, w in srcset(logo_source)] == [480, 960, 1000]
    assert [w for _, w in srcset(logo)] == [480, 960, 1000] and srcset(logo)[-1][0] == "/media/2024/logo.png"
    assert 'width="1000" height="500"' in logo
    assert 'alt="Biểu trưng trong suốt"' in logo and 'title="Biểu trưng"' in logo  # kept from the body
    for url, _ in srcset(logo_source) + srcset(logo):
        picture = published(built, url)
        assert picture.mode in ("RGBA", "LA") or "transparency" in picture.info, url
        assert picture.convert("RGBA").getpixel((1, picture.height - 2))[3] == 0, url
    assert srcset(small) == [("/media/2024/nho.jpg", 120)] and srcset(small_source)[0][1] == 120
    assert 'width="120" height="80"' in small


def test_a_picture_from_another_site_stays_as_written(built: SiteDir):
    html = built.read("tin-tuc/lop-hoc-boi-co-anh-chup/index.html")
    tag = re.search(r'<img [^>]*src="https://example.org/anh.jpg"[^>]*>', html).group(0)
    assert 'alt="Ảnh ở trang khác"' in tag and 'loading="lazy"' in tag and "srcset" not in tag


def test_listings_show_the_480_wide_rendition(built: SiteDir):
    html = built.read("tin-tuc/index.html")
    card = re.search(r'<article class="card">\s*<picture>(.*?)</picture>', html, re.S).group(1)
    assert re.search(r'<source type="image/webp" srcset="/media/2024/chup\.480\.[0-9a-f]{10}\.webp">', card)
    assert re.search(r'src="/media/2024/chup\.480\.[0-9a-f]{10}\.jpg"', card)


def test_shares_show_a_1200_wide_jpeg_with_its_size(built: SiteDir):
    html = built.read("tin-tuc/lop-hoc-boi-co-anh-chup/index.html")
    meta = dict(re.findall(r'<meta property="(og:image[a-z:]*)" content="([^"]*)"', html))
    assert re.fullmatch(r"https://example\.gov\.vn/media/2024/chup\.1200\.[0-9a-f]{10}\.jpg", meta["og:image"])
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "800")
    share = published(built, meta["og:image"].removeprefix("https://example.gov.vn"))
    assert share.format == "JPEG" and share.size == (1200, 800)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    article = next(part for part in ld if part["@type"] == "NewsArticle")
    assert article["image"] == {"@type": "ImageObject", "url": meta["og:image"], "width": 1200, "height": 800}


# --- privacy ---------------------------------------------------------------------------------

def test_the_sources_do_carry_the_metadata_the_site_must_not():
    for name in ("static/media/2024/chup.jpg", "static/media/khong-dung.webp"):
        assert MAKER.encode() in PORTAL[name] and b"GPSLatitude" in PORTAL[name], name
    assert b"eXIf" in PORTAL["static/media/2024/logo.png"] and b"GPSLatitude" in PORTAL["static/media/2024/logo.png"]


def test_no_published_byte_carries_exif_gps_xmp_comments_or_icc(built: SiteDir):
    files = [path for path in (built.root / "site").rglob("*") if path.is_file()]
    for path in files:
        data = path.read_bytes()
        for marker in METADATA:
            assert marker not in data, (path, marker)
    pictures = [path for path in files if path.suffix in (".jpg", ".png", ".webp")]
    assert len(pictures) >= 20  # every rendition of four pictures, the unused one included
    for path in pictures:
        with Image.open(path) as picture:
            assert not picture.getexif(), path
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(picture.info), path


def test_a_picture_nothing_shows_is_published_cleaned_at_its_address(built: SiteDir):
    picture = published(built, "/media/khong-dung.webp")
    assert picture.format == "WEBP" and picture.size == (700, 500)  # upright (orientation 8)
    assert _near(picture.convert("RGB").getpixel((5, 5)), RED)


def test_a_wide_webp_is_published_whole_at_its_address_and_in_narrower_widths(tmp_path: Path):
    site = make_site(tmp_path, {
        NEWS: news("Bài có ảnh WebP", image="/media/rong.webp", image_alt="Ảnh rộng"),
        "static/media/rong.webp": camera_photo(2000, 1000, orientation=1, fmt="WEBP")})
    assert site.build().code == 0
    source, img = cover_of(site, "bai-co-anh-webp")
    assert not source  # WebP is the picture's own format: no other to fall back on
    assert [width for _, width in srcset(img)] == [480, 960, 1600, 2000]
    assert srcset(img)[-1][0] == "/media/rong.webp"
    assert published(site, "/media/rong.webp").size == (2000, 1000)


def swapped_primaries_profile() -> bytes:
    """An RGB profile whose red is sRGB's blue and the reverse (sRGB's own, its red and blue
    primaries swapped and its name changed): a picture in it must be converted, not merely
    stripped of it, or its colours change."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", icc[128:132])[0]
    entries = {bytes(icc[132 + 12 * i:136 + 12 * i]): 136 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    icc[red:red + 8], icc[blue:blue + 8] = icc[blue:blue + 8], icc[red:red + 8]
    name = icc.find("sRGB".encode("utf-16-be"))
    icc[name:name + 8] = "Wide".encode("utf-16-be")
    return bytes(icc)


def test_colours_in_another_profile_are_converted_to_srgb_and_the_profile_dropped(tmp_path: Path):
    out = io.BytesIO()
    upright_picture(600, 400).save(out, "JPEG", quality=95, icc_profile=swapped_primaries_profile())
    site = make_site(tmp_path, {"static/media/rong.jpg": out.getvalue()})
    assert site.build().code == 0
    picture = published(site, "/media/rong.jpg")
    assert "icc_profile" not in picture.info
    assert _near(picture.getpixel((5, 5)), (RED[2], RED[1], RED[0]))  # what the profile meant: blue


# --- the cache -------------------------------------------------------------------------------

def _picture_files(site: SiteDir, output: str = "site") -> dict[str, bytes]:
    return {path.relative_to(site.root / output).as_posix(): path.read_bytes()
            for path in (site.root / output / "media").rglob("*") if path.is_file()}


def _encodings(monkeypatch: pytest.MonkeyPatch) -> list:
    from portal.output import photo
    calls, encode = [], photo.encode
    monkeypatch.setattr(photo, "encode", lambda *args: calls.append(args) or encode(*args))
    return calls


def test_a_rebuild_takes_every_picture_from_the_cache_with_the_same_bytes(built: SiteDir, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    copy = copy_site(built, tmp_path)
    calls = _encodings(monkeypatch)
    run = copy.build("--output", str(copy.root / "fresh"))  # a new tree: nothing to keep in place
    assert run.code == 0, run.stderr
    assert calls == []
    assert _picture_files(copy, "fresh") == _picture_files(built)


def test_a_tampered_cache_entry_is_made_again_not_published(built: SiteDir, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    from portal.cache import seal, unseal
    copy = copy_site(built, tmp_path)
    entries = [path for path in (copy.root / ".cache" / "images").rglob("*") if path.is_file()]
    assert entries
    for number, entry in enumerate(entries):
        payload = unseal(entry.read_bytes())
        with Image.open(io.BytesIO(payload)) as picture:
            size, fmt = picture.size, picture.format
        if number % 2:  # damaged: fails its checksum
            entry.write_bytes(entry.read_bytes()[:-10])
        else:  # forged: a well-formed entry of the right size and format, with GPS in it
            forged = io.BytesIO()
            exif = Image.Exif()
            exif[0x8825] = GPS
            Image.new("RGB", size, (0, 255, 0)).save(forged, fmt, exif=exif)
            entry.write_bytes(seal(forged.getvalue()))
    calls = _encodings(monkeypatch)
    run = copy.build("--output", str(copy.root / "fresh"))
    assert run.code == 0, run.stderr
    assert calls  # made again
    assert _picture_files(copy, "fresh") == _picture_files(built)


# --- bad images: located errors, the previous site untouched --------------------------------

BAD = {
    "corrupt": ("hong.jpg", b"\xff\xd8\xff\xe0 this is not a picture at all" * 20, "không đọc được ảnh"),
    "cut short": ("cat.jpg", plain_jpeg(900, 600)[:3000], "không đọc được ảnh"),
    "not what its name says": ("gia.jpg", b"GIF89a" + bytes(200), "không đọc được ảnh"),
    "HEIC from a phone": ("iphone.heic", b"\x00\x00\x00\x18ftypheic" + bytes(100), "định dạng HEIC"),
    "a GIF named .png": ("dong.png", None, "định dạng GIF"),
    "a decompression bomb": ("bom.png", png_header(30000, 30000), "900000000 điểm ảnh"),
}


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.fixture
def good(tmp_path: Path) -> SiteDir:
    site = make_site(tmp_path, {NEWS: news("Bài có ảnh", image="/media/2024/tot.jpg", image_alt="Ảnh tốt"),
                                "static/media/2024/tot.jpg": plain_jpeg(600, 400)})
    assert site.build().code == 0
    return site


@pytest.mark.parametrize("case", BAD)
def test_a_bad_cover_is_an_error_at_its_field_and_the_site_is_untouched(good: SiteDir, case: str):
    name, data, says = BAD[case]
    before = good.tree_digest()
    good.write(f"static/media/2024/{name}", data if data is not None else _gif())
    good.write(NEWS, news("Bài có ảnh", image=f"/media/2024/{name}", image_alt="Ảnh hỏng"))
    run = good.build()
    assert_refused(run, codes=(1,), names=(f"{NEWS}:5: image:",), says=(f"/media/2024/{name}", says))
    assert good.tree_digest() == before


def test_a_bad_picture_in_a_body_is_an_error_at_its_line(good: SiteDir):
    before = good.tree_digest()
    good.write("static/media/2024/hong.jpg", BAD["corrupt"][1])
    good.write(NEWS, news("Bài có ảnh", body="Mở đầu.\n\n![Ảnh](/media/2024/hong.jpg)\n"))
    run = good.build()
    assert_refused(run, codes=(1,), names=(f"{NEWS}:8: không đọc được ảnh /media/2024/hong.jpg",))
    assert good.tree_digest() == before


def test_a_bad_picture_nothing_shows_is_an_error_on_the_file(good: SiteDir):
    before = good.tree_digest()
    good.write("static/media/cu/hong.png", b"\x89PNG\r\n\x1a\n broken")
    run = good.build()
    assert_refused(run, codes=(1,), names=("static/media/cu/hong.png",), says=("không đọc được ảnh",))
    assert good.tree_digest() == before


def test_errors_are_in_english_on_an_english_portal(tmp_path: Path):
    site = make_site(tmp_path, {"static/media/bom.png": png_header(30000, 30000)},
                     config="title: Test portal\nbase_url: https://example.gov.vn/\nlanguage: en\n")
    run = site.build()
    assert_refused(run, codes=(1,), names=("static/media/bom.png",), says=("900000000 pixels", "smaller"))


def test_a_link_out_of_the_portal_is_neither_read_nor_published(good: SiteDir, tmp_path: Path):
    outside = tmp_path / "ngoai.jpg"
    outside.write_bytes(camera_photo(800, 600))
    before = good.tree_digest()
    cached = good.tree_digest(".cache/images")
    link = good.root / "static" / "media" / "2024" / "ngoai.jpg"
    link.symlink_to(outside)
    good.write(NEWS, news("Bài có ảnh", image="/media/2024/ngoai.jpg", image_alt="Ảnh ngoài"))
    run = good.build()
    assert_refused(run, codes=(1,), names=(f"{NEWS}:5: image:", "static/media/2024/ngoai.jpg"),
                   says=("symlink",))
    assert good.tree_digest() == before
    assert good.tree_digest(".cache/images") == cached  # nothing was made of it


# --- `check` ---------------------------------------------------------------------------------

def test_check_warns_of_heavy_narrow_and_undescribed_pictures_and_refuses_a_cover_without_alt(tmp_path: Path):
    heavy = plain_jpeg(1200, 800, trailing=bytes(5 * 1024 * 1024))  # junk after the picture
    site = make_site(tmp_path, {
        NEWS: news("Bài có ảnh nặng", image="/media/nang.jpg", image_alt="Ảnh nặng",
                   summary="Một câu tóm tắt đủ dài để không bị cảnh báo là quá ngắn.",
                   body="Mở đầu.\n\n![](/media/hep.jpg)\n"),
        "content/news/2024/khong-mo-ta.md": news("Bài có ảnh bìa không mô tả", image="/media/hep.jpg",
                                                 summary="Một câu tóm tắt đủ dài để không bị cảnh báo là quá ngắn."),
        "static/media/nang.jpg": heavy,
        "static/media/hep.jpg": plain_jpeg(300, 200),
    })
    run = site.command("check", "--format", "json")
    found = {(p["level"], p["file"], p["line"], p["code"]) for p in json.loads(run.stdout)}
    assert run.code == 1, run.stdout + run.stderr
    assert found == {
        ("error", "content/news/2024/khong-mo-ta.md", 5, "check_cover_without_alt"),
        ("warning", "content/news/2024/khong-mo-ta.md", 5, "check_image_narrow"),
        ("warning", NEWS, 5, "check_image_heavy"),
        ("warning", NEWS, 11, "check_image_without_alt"),  # ![](/media/hep.jpg)
        ("warning", NEWS, 11, "check_image_narrow"),
    }
    text = site.command("check").stdout
    assert "content/news/2024/khong-mo-ta.md:5: image_alt: ảnh bìa /media/hep.jpg chưa có lời mô tả" in text
    assert "image_alt: Các em nhỏ tham gia lớp học bơi" in text  # what to write


def _near(colour: tuple, wanted: tuple, slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, wanted))
