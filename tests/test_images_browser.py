"""The pictures as a browser takes them (issue 13, section 1), in headless Chromium
(tests/browser/pictures.js): the rendition `srcset` and `sizes` make it fetch on a phone
and on a desktop, no layout shift while they load, and the sample portal's article with
a 4000×3000 camera photo within its budget on a phone on mobile data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import made_once, make_site, needs_browser, news, run_driver, served_folder
from test_attack_headers import build_sample
from test_images import camera_photo

DRIVER = Path(__file__).resolve().parent / "browser" / "pictures.js"
ARTICLE = "/tin-tuc/lop-hoc-boi/"
SAMPLE_ARTICLE = "/tin-tuc/tap-huan-ky-nang-day-boi-an-toan-cho-giao-vien-va-huong-dan-vien-nam-2021/"
BUDGET = 150 * 1024  # bytes a phone fetches for the sample article: HTML, CSS, JS, pictures

pytestmark = [needs_browser, pytest.mark.early]

# Lighthouse's phone (a Moto G Power: 412 wide at 1.75), a 390-wide phone at 3, a desktop.
VIEWS = [{"label": "lighthouse phone", "width": 412, "height": 823, "scale": 1.75},
         {"label": "sharp phone", "width": 390, "height": 844, "scale": 3},
         {"label": "desktop", "width": 1366, "height": 768, "scale": 1}]


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return made_once(tmp_path_factory, "images-browser", build_and_look)


@pytest.fixture(scope="module")
def sample_seen(tmp_path_factory: pytest.TempPathFactory) -> dict:
    sample = Path(made_once(tmp_path_factory, "headers-sample", build_sample))
    return made_once(tmp_path_factory, "images-sample-browser",
                     lambda _: look(sample, [{**view, "path": SAMPLE_ARTICLE} for view in VIEWS[:2]]))


def build_and_look(folder: Path) -> dict:
    site = make_site(folder, {
        "content/news/2024/lop-hoc-boi.md": news("Lớp học bơi", image="/media/boi.jpg", image_alt="Lớp học bơi",
                                                 slug="lop-hoc-boi", body="Mở đầu.\n\n![Bể bơi](/media/be.jpg)\n"),
        "static/media/boi.jpg": camera_photo(3000, 2000, orientation=6),
        "static/media/be.jpg": camera_photo(1200, 900, orientation=1),
    })
    assert site.build().code == 0
    return look(site.root / "site", [{**view, "path": ARTICLE} for view in VIEWS])


def look(root: Path, views: list[dict]) -> dict:
    with served_folder(root) as base:
        return run_driver(DRIVER, base, json.dumps(views), timeout=120)


def _cover(reading: dict) -> dict:
    return reading["images"][0]


@pytest.mark.parametrize("label, width", [("lighthouse phone", 960), ("sharp phone", 1600), ("desktop", 960)])
def test_the_browser_fetches_the_webp_rendition_its_screen_needs(seen: dict, label: str, width: int):
    cover = _cover(seen[label])
    assert re.search(rf"/media/boi\.{width}\.[0-9a-f]{{10}}\.webp$", cover["current"]), cover
    fetched = [url for url in seen[label]["responses"] if "/media/boi" in url]
    assert fetched == [cover["current"]]  # one file of the photo, not the 3000-wide original


@pytest.mark.parametrize("label", ["lighthouse phone", "sharp phone", "desktop"])
def test_the_picture_keeps_its_own_shape_and_nothing_moves(seen: dict, label: str):
    cover = _cover(seen[label])
    width, height = cover["box"]
    assert abs(height - width * 2000 / 3000) <= 1  # 3:2 as the photo, not a 16:9 box
    assert seen[label]["layout_shift"] == 0


def test_a_sample_article_with_a_camera_photo_fits_a_phone_on_mobile_data(sample_seen: dict):
    for label, reading in sample_seen.items():
        cover = _cover(reading)
        assert re.search(r"\.(960|1600)\.[0-9a-f]{10}\.webp$", cover["current"]), (label, cover)
        total = sum(reading["responses"].values())
        assert total <= BUDGET, (label, total, reading["responses"])
