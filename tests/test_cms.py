"""The web editor's configuration, in process (issue 14 section 1): /admin/config.yml is
made from the schema the engine validates, `cms:` in config.yaml chooses the backend
and the workflow, /admin/ is noindex, out of the sitemap and robots, with its own
policy, and a wrong `cms:` is an error on its line with the published site untouched.
The browser side is tests/test_cms_browser.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import zoneinfo
from pathlib import Path

import pytest
import yaml

from conftest import MINIMAL_CONFIG, SMALL_SITE, SiteDir, assert_refused, copy_site, make_site, news
from portal.cms import DECAP_CDN_INTEGRITY, DECAP_CDN_SCRIPT, DECAP_VERSION
from portal.content import model
from portal.content.discover import SourceFile
from portal.content.fields import FieldReader
from portal.content.markup import Converted
from portal.content.parse import RawEntry
from portal.errors import ErrorLog
from portal.urls import UrlScheme

REPO = Path(__file__).resolve().parent.parent
CMS_HOME = Path(os.environ.get("PORTAL_CMS_HOME", "/opt/portal-cms"))
CONFIG_LINES = MINIMAL_CONFIG.count("\n")
DOCUMENT = ("---\nnumber: 606/KH-UBND\ntype: Kế hoạch\ntitle: Công tác trẻ em năm 2023\n"
            "issuer: UBND tỉnh\nissued: 2023-03-07\n---\n")
PORTAL = {**SMALL_SITE, "content/documents/606.md": DOCUMENT}
COLLECTIONS = {"news": "news", "documents": "document", "pages": "page"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("cms"), PORTAL)
    assert site.build().code == 0
    return site


def admin_config(site: SiteDir) -> dict:
    return yaml.safe_load(site.read("admin/config.yml"))


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def engine_fields(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Every front-matter key the engine's reader asks for when it makes a `kind` model,
    read off the engine itself: True/False for required, or the keys of each item of a
    list of mappings (files, targets)."""
    asked: dict[str, object] = {}

    class Recording(FieldReader):
        def _get(self, name: str, required: bool) -> object:
            asked[name] = asked.get(name) is True or required
            return super()._get(name, required)

        def mappings(self, name: str, keys: tuple[str, ...]) -> list[dict]:
            found = super().mappings(name, keys)
            asked[name] = keys
            return found

    monkeypatch.setattr(model, "FieldReader", Recording)
    entry = RawEntry(SourceFile(tmp_path / "x.md", kind, "x.md"), {}, {}, "", 1, "digest")
    context = model.ModelContext(ErrorLog(tmp_path), zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"),
                                 tmp_path / "static", UrlScheme(),
                                 dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    model.MODEL_BUILDERS[kind](entry, Converted("", ""), context)
    return asked


@pytest.mark.parametrize("name", COLLECTIONS)
def test_every_form_is_the_schema_the_engine_validates(built: SiteDir, name: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    """Each key the engine reads is a field, with the engine's required flag; no field
    is one the engine would keep as `extra`; lists of mappings have the engine's keys."""
    engine = engine_fields(COLLECTIONS[name], tmp_path, monkeypatch)
    form = {f["name"]: f for f in collection(admin_config(built), name)["fields"] if f["name"] != "body"}
    assert set(form) == set(engine)
    for key, wanted in engine.items():
        if isinstance(wanted, tuple):
            assert [part["name"] for part in form[key]["fields"]] == list(wanted)
            assert all(part.get("required", True) for part in form[key]["fields"])
        else:
            assert form[key].get("required", True) is wanted, key
        assert form[key]["label"] and form[key]["widget"]


def test_fields_have_vietnamese_labels_hints_and_a_widget_for_their_kind(built: SiteDir):
    fields = {f["name"]: f for f in collection(admin_config(built), "news")["fields"]}
    assert fields["title"]["label"] == "Tiêu đề" and "hint" in fields["slug"]
    assert fields["date"]["widget"] == "datetime" and fields["date"]["format"] == "YYYY-MM-DD HH:mm"
    assert fields["tags"]["widget"] == "list" and fields["featured"]["widget"] == "boolean"
    assert fields["image"]["widget"] == "image" and fields["body"]["widget"] == "markdown"
    assert fields["body"]["sanitize_preview"] is True
    assert fields["slug"]["pattern"][0] == "^[a-z0-9]+(-[a-z0-9]+)*$"
    pages = {f["name"]: f for f in collection(admin_config(built), "pages")["fields"]}
    assert pages["menu"]["widget"] == "number" and pages["menu"]["value_type"] == "int"


def test_categories_and_document_types_in_use_are_the_choices(built: SiteDir):
    config = admin_config(built)
    news_fields = {f["name"]: f for f in collection(config, "news")["fields"]}
    assert news_fields["category"]["options"] == ["Bảo vệ chăm sóc trẻ em", "Bình đẳng giới",
                                                  "Phòng chống đuối nước"]
    types = {f["name"]: f for f in collection(config, "documents")["fields"]}["type"]["options"]
    assert types[0] == "Kế hoạch" and "Quyết định" in types and len(types) == len(set(types))
    related = news_fields["documents"]
    assert (related["widget"], related["collection"], related["value_field"], related["multiple"]) == \
        ("relation", "documents", "number", True)


def test_files_go_where_the_engine_looks_and_paths_it_accepts(built: SiteDir):
    config = admin_config(built)
    news_collection = collection(config, "news")
    assert (news_collection["folder"], news_collection["path"]) == ("content/news", "{{year}}/{{slug}}")
    assert news_collection["slug"] == "{{fields.slug}}"  # the file is named by the slug it holds
    assert news_collection["format"] == "yaml-frontmatter" and news_collection["extension"] == "md"
    assert (news_collection["media_folder"], news_collection["public_folder"]) == ("/static/media", "/media")
    assert "path" not in collection(config, "pages")
    files = {f["name"]: f for f in collection(config, "documents")["fields"]}["files"]["fields"][0]
    assert (files["widget"], files["media_folder"], files["public_folder"]) == ("file", "/static/files", "/files")


def test_a_portal_that_says_nothing_gets_the_local_backend(built: SiteDir):
    config = admin_config(built)
    assert config["backend"]["name"] == "proxy"
    assert config["local_backend"] == {"url": "http://localhost:8081/api/v1"}
    assert "publish_mode" not in config and config["locale"] == "vi"


@pytest.mark.parametrize("section, backend", [
    ("cms:\n  backend: github\n  repo: so-ldtbxh/cong-tre-em\n  base_url: https://auth.example.gov.vn\n"
     "  editorial_workflow: true\n",
     {"name": "github", "repo": "so-ldtbxh/cong-tre-em", "branch": "main",
      "base_url": "https://auth.example.gov.vn"}),
    ("cms:\n  backend: gitlab\n  repo: so/cong-tre-em\n  app_id: abc123\n  branch: trunk\n"
     "  editorial_workflow: true\n",
     {"name": "gitlab", "repo": "so/cong-tre-em", "branch": "trunk", "auth_type": "pkce", "app_id": "abc123",
      "base_url": "https://gitlab.com", "api_root": "https://gitlab.com/api/v4"}),
])
def test_backend_and_review_come_from_config(tmp_path: Path, section: str, backend: dict):
    site = make_site(tmp_path, PORTAL, MINIMAL_CONFIG + section)
    assert site.build().code == 0
    config = admin_config(site)
    assert config["backend"] == backend and config["publish_mode"] == "editorial_workflow"
    policy = _meta_policy(site.read("admin/index.html"))
    assert ("https://api.github.com" if backend["name"] == "github" else "https://gitlab.com") in policy


def test_cms_false_leaves_admin_out(tmp_path: Path):
    site = make_site(tmp_path, PORTAL, MINIMAL_CONFIG + "cms: false\n")
    assert site.build().code == 0
    assert not site.exists("admin") and "admin" not in site.read("robots.txt")
    assert "admin" not in site.read("_headers")


def test_admin_is_noindex_and_out_of_the_sitemap_robots_and_search(built: SiteDir):
    page = built.read("admin/index.html")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "data-pagefind" not in page
    assert "admin" not in built.read("sitemap.xml")
    assert "Disallow: /admin/" in built.read("robots.txt")
    assert "/admin/*\n" in built.read("_headers") and "X-Robots-Tag: noindex" in built.read("_headers")


def test_admin_has_its_own_policy_and_the_rest_of_the_site_keeps_its_own(built: SiteDir):
    admin = _meta_policy(built.read("admin/index.html"))
    assert "'unsafe-eval'" in admin and f"script-src 'self' {DECAP_CDN_SCRIPT} 'unsafe-eval'" in admin
    assert "connect-src 'self' blob: http://localhost:8081" in admin
    home = _meta_policy(built.read("index.html"))
    assert "'unsafe-eval'" not in home and "style-src 'self';" in home
    headers = built.read("_headers")
    assert f"Content-Security-Policy: {admin}; frame-ancestors 'none'" in headers


def test_admin_loads_the_pinned_decap_with_its_integrity_and_the_preview_script(built: SiteDir):
    page = built.read("admin/index.html")
    assert f'<script src="{DECAP_CDN_SCRIPT}" integrity="{DECAP_CDN_INTEGRITY}" crossorigin="anonymous">' in page
    assert f"decap-cms@{DECAP_VERSION}/" in DECAP_CDN_SCRIPT
    assert 'data-preview-style="/assets/theme.' in page and 'src="/assets/admin.' in page
    assert "<script>" not in page  # no inline script


def test_an_office_copy_of_decap_under_static_is_hashed_by_the_build(tmp_path: Path):
    copy = b"/* decap-cms.js, as an office keeps it */\n"
    site = make_site(tmp_path, {**PORTAL, "static/admin/decap-cms.js": copy},
                     MINIMAL_CONFIG + "cms:\n  script: /admin/decap-cms.js\n")
    assert site.build().code == 0
    wanted = "sha384-" + base64.b64encode(hashlib.sha384(copy).digest()).decode()
    page = site.read("admin/index.html")
    assert f'<script src="/admin/decap-cms.js" integrity="{wanted}"' in page
    assert "script-src 'self' 'unsafe-eval'" in _meta_policy(page)
    assert (site.root / "site" / "admin" / "decap-cms.js").read_bytes() == copy


def test_the_config_is_the_same_bytes_every_build(built: SiteDir, tmp_path: Path):
    again = copy_site(built, tmp_path)
    assert again.build("--no-cache").code == 0
    assert again.read("admin/config.yml") == built.read("admin/config.yml")


@pytest.mark.parametrize("section, line, field, says", [
    ("cms:\n  backend: svn\n", 2, "cms.backend", "svn"),
    ("cms:\n  backend: github\n", 1, "cms.repo", "repo:"),
    ("cms:\n  backend: github\n  repo: chỉ-một-tên\n", 3, "cms.repo", "chỉ-một-tên"),
    ("cms:\n  backend: github\n  repo: a/b\n  base_url: javascript:alert(1)\n", 4, "cms.base_url",
     "javascript:alert(1)"),
    ("cms:\n  backend: gitlab\n  repo: a/b\n", 1, "cms.app_id", "app_id"),
    ("cms:\n  backend: github\n  repo: a/b\n  app_id: x\n", 4, "cms.app_id", "github"),
    ("cms:\n  branch: \"main; rm -rf\"\n  backend: github\n  repo: a/b\n", 2, "cms.branch", "main; rm -rf"),
    ("cms:\n  local_url: \"http://localhost:8081/api'; script-src *\"\n", 2, "cms.local_url", "script-src"),
    ("cms:\n  script: /admin/khong-co.js\n", 2, "cms.script", "/admin/khong-co.js"),
    ("cms:\n  repository: a/b\n", 2, "cms.repository", "repo"),
    ("cms: có\n", 1, "cms", "'tên: giá trị'"),
])
def test_a_wrong_cms_section_is_refused_on_its_line_and_the_site_is_untouched(
        built: SiteDir, tmp_path: Path, section: str, line: int, field: str, says: str):
    portal = copy_site(built, tmp_path)
    before = portal.tree_digest()
    portal.write("config.yaml", MINIMAL_CONFIG + section)
    run = portal.build()
    assert_refused(run, (1,), says=(f"config.yaml:{CONFIG_LINES + line}: {field}:", says))
    assert portal.tree_digest() == before


def test_the_pinned_file_npm_ships_has_the_integrity_the_page_names():
    """The hash in portal/cms.py is the one of decap-cms@DECAP_VERSION's file on npm (as
    scripts/install_cms.sh unpacks it), and the install script pins the same version."""
    script = (REPO / "scripts" / "install_cms.sh").read_text(encoding="utf-8")
    assert f"DECAP=decap-cms@{DECAP_VERSION}" in script
    installed = CMS_HOME / "decap-cms"
    if not (installed / "dist" / "decap-cms.js").is_file():
        pytest.skip(f"{installed} is missing (scripts/install_cms.sh installs it)")
    assert json.loads((installed / "package.json").read_text())["version"] == DECAP_VERSION
    digest = hashlib.sha384((installed / "dist" / "decap-cms.js").read_bytes()).digest()
    assert DECAP_CDN_INTEGRITY == "sha384-" + base64.b64encode(digest).decode()


def test_english_portal_gets_english_forms(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/a.md": news("A meeting", category="Children")},
                     MINIMAL_CONFIG + "language: en\n")
    assert site.build().code == 0
    config = admin_config(site)
    assert config["locale"] == "en" and collection(config, "news")["label"] == "News"


def _meta_policy(page: str) -> str:
    start = page.index('http-equiv="Content-Security-Policy" content="') + len(
        'http-equiv="Content-Security-Policy" content="')
    return page[start:page.index('"', start)].replace("&#39;", "'")


def test_a_page_cannot_take_the_editors_address(tmp_path: Path):
    site = make_site(tmp_path, {"content/pages/a.md": "---\ntitle: Quản trị\nslug: admin\n---\nx\n"})
    assert_refused(site.build(), (1,), says=("content/pages/a.md:3: slug:", "/admin/"))
