"""The web editor at /admin/ (Decap CMS): its page and its `config.yml`, made by every
build from the portal's config (`cms:`, portal/cms.py), the content schema
(admin_forms.py) and what the content already uses (categories, document types), so
that the forms can never ask for what the build would refuse.

The config is data turned into YAML by `yaml.safe_dump` (keys in the order written,
deterministic), never text pasted into a template. The page is left out of the sitemap
(the pipeline plans it after the sitemap), of search (nothing on it is indexed) and
of robots (templates/robots.txt), says `noindex`, and has its own security policy
(headers.py `admin_policy`): Decap needs `eval` and inline styles, the rest of the site
does not.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import yaml

from ..cms import DECAP_CDN_INTEGRITY, CmsConfig
from ..models import RenderJob, Site
from ..urls import slugify
from .admin_forms import (MEDIA_FOLDER, MEDIA_PATH, Choices, FormField, document_form, news_form,
                          page_form)

ADMIN_PAGE, ADMIN_CONFIG = "admin/", "admin/config.yml"
# Offered with the types the content uses: the kinds of "văn bản" a department receives.
DOCUMENT_TYPES = ("Kế hoạch", "Quyết định", "Nghị quyết", "Chỉ thị", "Công văn", "Thông tư",
                  "Nghị định", "Luật", "Thông báo", "Báo cáo")


def admin_pages(site: Site, words: dict[str, str], static_dir: Path) -> list[RenderJob]:
    """/admin/ and /admin/config.yml; nothing with `cms: false`."""
    cms = site.config.cms
    if not cms.enabled:
        return []
    text = yaml.safe_dump(decap_config(site, words), allow_unicode=True, sort_keys=False, width=4096)
    page = {"cms_script": cms.script_url, "cms_integrity": _integrity(cms, static_dir)}
    return [RenderJob(ADMIN_PAGE, "admin.html", page),
            RenderJob(ADMIN_CONFIG, "admin_config.yml", {"decap_config": text})]


def decap_config(site: Site, words: dict[str, str]) -> dict:
    """Decap's configuration of this portal, as plain data."""
    config, cms = site.config, site.config.cms
    choices = Choices(tuple(listing.term.name for listing in site.categories), _document_types(site))
    workflow = {"publish_mode": "editorial_workflow"} if cms.editorial_workflow else {}
    return {
        "locale": config.language,
        "site_url": config.base_url,
        "display_url": config.base_url,
        "backend": _backend(cms),
        # Used only where /admin/ is opened on the editor's own machine (localhost,
        # 127.0.0.1) and decap-server answers there; elsewhere the backend above.
        "local_backend": {"url": cms.local_url},
        **workflow,
        "media_folder": MEDIA_FOLDER.lstrip("/"),
        "public_folder": MEDIA_PATH,
        "slug": {"encoding": "ascii", "clean_accents": True},
        "collections": [
            _collection("news", news_form(choices), words, identifier="title",
                        summary="{{title}}", sort=["date", "title", "category"], by_year=True),
            _collection("documents", document_form(choices), words, identifier="number",
                        summary="{{number}} – {{title}}", sort=["issued", "number", "title"], by_year=True),
            _collection("pages", page_form(), words, identifier="title", summary="{{title}}",
                        sort=["title"], by_year=False),
        ],
    }


def _backend(cms: CmsConfig) -> dict:
    if cms.backend == "github":
        return {"name": "github", "repo": cms.repo, "branch": cms.branch,
                **_given(base_url=cms.base_url, auth_endpoint=cms.auth_endpoint)}
    if cms.backend == "gitlab":
        # PKCE: the browser logs in with the application's id alone; no secret, no server.
        return {"name": "gitlab", "repo": cms.repo, "branch": cms.branch, "auth_type": "pkce",
                "app_id": cms.app_id, "base_url": cms.server, "api_root": f"{cms.server}/api/v4",
                **_given(auth_endpoint=cms.auth_endpoint)}
    return {"name": "proxy", "proxy_url": cms.local_url, "branch": cms.branch}


def _given(**values: str) -> dict:
    return {name: value for name, value in values.items() if value}


def _collection(name: str, form: tuple[FormField, ...], words: dict[str, str], identifier: str,
                summary: str, sort: list[str], by_year: bool) -> dict:
    """A folder of content files at the paths the engine and `new` use:
    content/news/<year>/<slug>.md (the item's year), content/documents/<year>/<slug>.md
    (the year it is entered), content/pages/<slug>.md. The file is named by the `slug:`
    written into it, so that the name, the field and the page's address agree."""
    return {
        "name": name, "label": words[f"cms_{name}"], "label_singular": words[f"cms_{name}_one"],
        "description": words[f"cms_{name}_description"],
        "folder": f"content/{name}", **({"path": "{{year}}/{{slug}}"} if by_year else {}),
        "create": True, "extension": "md", "format": "yaml-frontmatter",
        "media_folder": MEDIA_FOLDER, "public_folder": MEDIA_PATH,
        "slug": "{{fields.slug}}", "identifier_field": identifier, "summary": summary,
        "sortable_fields": sort,
        "fields": [_field(name, field, words) for field in form],
    }


def _field(collection: str, field: FormField, words: dict[str, str], within: str = "") -> dict:
    """A field with its label and Vietnamese (or the portal's language) hint."""
    key = f"cms_{collection}_{within}{field.name}"
    spec = {"name": field.name, "label": words[key], **field.widget}
    if words.get(f"{key}_hint"):
        spec["hint"] = words[f"{key}_hint"]
    if not field.required:
        spec["required"] = False  # Decap's default is required
    if "pattern" in spec:
        spec["pattern"] = [spec["pattern"], words["cms_slug_pattern"]]
    if field.parts:
        spec["fields"] = [_field(collection, part, words, f"{field.name}_") for part in field.parts]
    return spec


def _document_types(site: Site) -> tuple[str, ...]:
    """The types the library uses, then the usual ones it does not; one spelling each."""
    used = [listing.term.name for listing in site.library.by_type]
    seen, types = set(), []
    for name in (*used, site.config.plan_type, *DOCUMENT_TYPES):
        if slugify(name) not in seen:
            seen.add(slugify(name))
            types.append(name)
    return tuple(types)


def _integrity(cms: CmsConfig, static_dir: Path) -> str:
    """The Subresource Integrity of the script: the pinned CDN file's, or the hash of the
    office's own copy under static/ (config.py checked that it is a file there)."""
    if not cms.script:
        return DECAP_CDN_INTEGRITY
    digest = hashlib.sha384((static_dir / cms.script.lstrip("/")).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")
