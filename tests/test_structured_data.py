"""Structured data and share previews (issue 13, section 4), read as a search engine or a
social network reads them: the JSON-LD extracted with extruct, the OpenGraph <meta>s."""

from __future__ import annotations

import json
import re
from pathlib import Path

import extruct
import pytest

from conftest import MINIMAL_CONFIG, SMALL_SITE, made_once, make_site, news
from test_attack_headers import build_sample

pytestmark = pytest.mark.early  # shares the sample portal built once for the run

SCHEMA = "https://schema.org"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(made_once(tmp_path_factory, "headers-sample", build_sample))


def json_ld(html: str) -> dict[str, dict]:
    """The page's JSON-LD objects by @type, as extruct finds them."""
    found = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    flat = [part for entry in found for part in (entry if isinstance(entry, list) else [entry])]
    return {part["@type"]: part for part in flat}


def open_graph(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta property="((?:og|article):[a-z_:]+)" content="([^"]*)"', html))


def first_page(root: Path, section: str) -> str:
    """The HTML of the first item page under `section` (news or documents)."""
    pages = sorted(path for path in (root / section).glob("*/index.html")
                   if not path.parent.name.startswith(("trang", "loai", "nam", "co-quan")))
    return pages[0].read_text(encoding="utf-8")


def test_home_page_describes_the_agency(sample: Path):
    found = json_ld((sample / "index.html").read_text(encoding="utf-8"))
    agency = found["GovernmentOrganization"]
    assert agency["@context"].rstrip("/") == SCHEMA
    for key in ("name", "address", "telephone", "email", "url"):
        assert agency[key], key
    assert agency["alternateName"].startswith("Department of")  # organization.name_en
    assert found["WebSite"]["inLanguage"] == "vi"


def test_each_news_item_is_a_news_article_with_its_breadcrumb(sample: Path):
    for path in sorted((sample / "tin-tuc").glob("*/index.html")):
        if path.parent.name == "trang":
            continue
        found = json_ld(path.read_text(encoding="utf-8"))
        article = found["NewsArticle"]
        for key in ("headline", "datePublished", "author", "publisher", "inLanguage", "url"):
            assert article[key], (path, key)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", article["datePublished"])
        assert article["publisher"]["@type"] == "GovernmentOrganization"
        trail = found["BreadcrumbList"]["itemListElement"]
        assert [step["position"] for step in trail] == list(range(1, len(trail) + 1))
        assert trail[-1]["name"] == article["headline"] and trail[-1]["item"] == article["url"]


def test_each_document_is_legislation_with_its_files(sample: Path):
    pages = [path for path in (sample / "van-ban").glob("*/index.html")
             if '"Legislation"' in path.read_text(encoding="utf-8")]
    assert len(pages) >= 5
    forces = set()
    for path in pages:
        law = json_ld(path.read_text(encoding="utf-8"))["Legislation"]
        for key in ("name", "legislationIdentifier", "legislationType", "legislationDate",
                    "legislationPassedBy", "legislationLegalForce"):
            assert law[key], (path, key)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", law["legislationDate"])
        forces.add(law["legislationLegalForce"])
        for file in law.get("encoding", []):
            assert file["contentUrl"].startswith("https://") and file["encodingFormat"], file
    assert f"{SCHEMA}/InForce" in forces
    assert any(re.search(r'"encoding"', path.read_text(encoding="utf-8")) for path in pages)


def test_every_page_has_open_graph_for_shares(sample: Path):
    for path in sorted(sample.rglob("index.html")):
        if path.parent.name == "admin":  # the web editor: not a page to share
            continue
        graph = open_graph(path.read_text(encoding="utf-8"))
        assert graph.get("og:site_name") and graph.get("og:title") and graph.get("og:url"), path
        assert graph.get("og:locale") in ("vi_VN", "en_US"), path


def test_a_news_item_shares_as_an_article_with_its_time_and_picture(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/2024/anh.md": news("Bài có ảnh", image="/media/anh.png", image_alt="Ảnh hội nghị",
                                         updated="2024-04-13 09:00"),
        "content/news/2024/khong-anh.md": news("Bài không ảnh"),
        "static/media/anh.png": PNG_1x1,
        "static/media/chia-se.png": PNG_1x1,
    }, config=MINIMAL_CONFIG + "share_image: /media/chia-se.png\n")
    assert site.build().code == 0
    html = site.read("tin-tuc/bai-co-anh/index.html")
    graph = open_graph(html)
    assert graph["og:type"] == "article"
    assert graph["article:published_time"] == "2024-04-12T08:30:00+07:00"
    assert graph["article:modified_time"] == "2024-04-13T09:00:00+07:00"
    assert graph["og:image"].startswith("https://example.gov.vn/media/anh")
    article = json_ld(html)["NewsArticle"]
    assert article["dateModified"] == "2024-04-13T09:00:00+07:00"
    # An item with no picture, and every other page, shares the portal's image.
    for rel in ("tin-tuc/bai-khong-anh/index.html", "index.html"):
        assert open_graph(site.read(rel))["og:image"].startswith("https://example.gov.vn/media/chia-se")


def test_json_ld_cannot_be_closed_by_content(tmp_path: Path):
    """A title is data: whatever it holds, the script element ends where the engine ends it."""
    title = "</script><script>alert(1)</script> & <!--"
    site = make_site(tmp_path, {"content/news/2024/x.md": news(json.dumps(title), slug="x")})
    assert site.build().code == 0
    html = site.read("tin-tuc/x/index.html")
    assert "<script>alert(1)" not in html
    assert json_ld(html)["NewsArticle"]["headline"] == title


def test_the_same_sources_give_the_same_json_ld(tmp_path: Path):
    builds = []
    for name in ("one", "two"):
        site = make_site(tmp_path / name, SMALL_SITE)
        assert site.build().code == 0
        builds.append(re.findall(r'<script type="application/ld\+json">.*?</script>',
                                 site.read("tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/index.html")))
    assert builds[0] == builds[1] and builds[0]


def test_an_update_before_the_date_is_refused_with_its_line(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/2024/a.md": news("Bài", updated="2024-01-01")})
    run = site.build()
    assert run.code != 0 and "Traceback" not in run.stderr
    assert "content/news/2024/a.md:5: updated:" in run.stderr and "2024-01-01" in run.stderr


def test_a_share_image_missing_from_static_is_a_config_error(tmp_path: Path):
    site = make_site(tmp_path, SMALL_SITE, config=MINIMAL_CONFIG + "share_image: /media/khong-co.png\n")
    run = site.build()
    assert run.code != 0 and "Traceback" not in run.stderr
    assert "share_image" in run.stderr and "/media/khong-co.png" in run.stderr


# A valid 1×1 PNG: enough for the engine to publish and a share to point at.
# A whole 1×1 PNG: the build decodes every image (portal/output/images.py), and refuses a broken one.
PNG_1x1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")
