"""`cms:` in config.yaml: the web editor at /admin/ (Decap CMS), which writes the same
Markdown files to the same repository as an editor with a text editor would.

The page loads one pinned Decap file, checked by its Subresource Integrity hash: from a
CDN by default (the hash below is the file npm ships, which tests/test_cms.py checks
against the npm-installed copy), or a copy the office keeps under static/ (`script:`),
whose hash the build computes. Which backend the forms commit through (a local proxy to
try it out, GitHub, GitLab) and whether changes go through review is the office's
choice; the forms themselves are made from the content schema (output/admin.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .paths import check_site_file
from .urls import origin_of, url_problem, usable_base_url

DECAP_VERSION = "3.16.3"
DECAP_CDN_SCRIPT = f"https://cdn.jsdelivr.net/npm/decap-cms@{DECAP_VERSION}/dist/decap-cms.js"
# sha384 of npm's decap-cms@3.16.3 dist/decap-cms.js (tests/test_cms.py recomputes it).
DECAP_CDN_INTEGRITY = "sha384-A/Gdn928CNLufmnGWGs9RM4Q9o8bSNLeJERqBFrBjwzL7FRpoLT3MPF8Tl0+Wd2p"
BACKENDS = ("local", "github", "gitlab")
# decap-server's address when started with `npx decap-server` (its default port).
LOCAL_PROXY = "http://localhost:8081/api/v1"
GITLAB = "https://gitlab.com"
# owner/name on GitHub; group/…/name on GitLab: letters, digits, . _ - between slashes.
_REPO = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+")
# A branch name git accepts and a YAML value cannot break: no spaces, no "..", no ":".
_BRANCH = re.compile(r"(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_./-]{0,99}")
_APP_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# The keys each backend reads besides the ones all share.
_OWN_KEYS = {"local": (), "github": ("repo", "branch", "base_url", "auth_endpoint"),
             "gitlab": ("repo", "branch", "base_url", "auth_endpoint", "app_id")}

Report = Callable[..., None]


@dataclass(frozen=True)
class CmsConfig:
    """`cms:`; `cms: false` is `enabled: false` (no /admin/ at all)."""

    enabled: bool = True
    backend: str = "local"  # local | github | gitlab
    repo: str = ""  # github: owner/name; gitlab: group/name
    branch: str = "main"
    base_url: str = ""  # github: the OAuth proxy's address; gitlab: the server (default gitlab.com)
    auth_endpoint: str = ""  # the path of the login on base_url, when not the backend's default
    app_id: str = ""  # gitlab: the OAuth application's id (PKCE: no secret anywhere)
    editorial_workflow: bool = False  # draft -> in review -> ready, as pull/merge requests
    local_url: str = LOCAL_PROXY  # decap-server's API, used when /admin/ is opened on this machine
    script: str = ""  # "": the pinned CDN copy; a site path under static/: the office's own copy

    @property
    def script_url(self) -> str:
        return self.script or DECAP_CDN_SCRIPT

    @property
    def server(self) -> str:
        """The Git host's address the backend talks to ("" for the local proxy only)."""
        if self.backend == "gitlab":
            return (self.base_url or GITLAB).rstrip("/")
        return "https://api.github.com" if self.backend == "github" else ""


def with_cms_switch(data: object) -> object:
    """`cms: false` (or `true`) as the mapping the schema reads."""
    if isinstance(data, dict) and isinstance(data.get("cms"), bool):
        return {**data, "cms": {"enabled": data["cms"]}}
    return data


def checked_cms(cms: CmsConfig, static_dir: Path, report: Report) -> CmsConfig:
    """The config's `cms:`, each wrong value reported on its line; a wrong section falls
    back to the local proxy, which can commit nothing until someone starts it."""
    if not cms.enabled:
        return cms
    if cms.backend not in BACKENDS:
        report(("cms", "backend"), "choice", value=cms.backend, choices=", ".join(BACKENDS))
        return CmsConfig()
    problems = [*_unused(cms), *_backend_problems(cms), *_address_problems(cms),
                *_script_problems(cms.script, static_dir)]
    for name, key, params in problems:
        report(("cms", name), key, **params)
    return CmsConfig() if problems else replace(cms, base_url=cms.base_url.rstrip("/"))


Problem = tuple[str, str, dict]


def _unused(cms: CmsConfig) -> list[Problem]:
    """A key the chosen backend ignores is a sign the office meant another."""
    defaults = CmsConfig()
    return [(name, "cms_unused", {"backend": cms.backend})
            for name in ("repo", "base_url", "auth_endpoint", "app_id")
            if getattr(cms, name) != getattr(defaults, name) and name not in _OWN_KEYS[cms.backend]]


def _backend_problems(cms: CmsConfig) -> list[Problem]:
    if cms.backend == "local":
        return []
    problems = []
    if not cms.repo:
        problems.append(("repo", "required", {}))
    elif not _REPO.fullmatch(cms.repo) or (cms.backend == "github" and cms.repo.count("/") != 1):
        problems.append(("repo", "cms_repo", {"value": cms.repo}))
    if not _BRANCH.fullmatch(cms.branch):
        problems.append(("branch", "cms_branch", {"value": cms.branch}))
    if cms.backend == "gitlab" and not cms.app_id:
        problems.append(("app_id", "required", {}))
    elif cms.app_id and not _APP_ID.fullmatch(cms.app_id):
        problems.append(("app_id", "cms_app_id", {"value": cms.app_id}))
    return problems


def _address_problems(cms: CmsConfig) -> list[Problem]:
    """Addresses go into the policy of /admin/ and the CMS's config: plain http(s) only."""
    problems = []
    if cms.base_url and not (cms.base_url.startswith("https://") and usable_base_url(cms.base_url)):
        problems.append(("base_url", "cms_address", {"value": cms.base_url}))
    if not (usable_base_url(cms.local_url) and origin_of(cms.local_url)):
        problems.append(("local_url", "cms_address", {"value": cms.local_url}))
    if cms.auth_endpoint and not re.fullmatch(r"[A-Za-z0-9_./-]{1,200}", cms.auth_endpoint):
        problems.append(("auth_endpoint", "cms_auth_endpoint", {"value": cms.auth_endpoint}))
    return problems


def _script_problems(script: str, static_dir: Path) -> list[Problem]:
    if not script:
        return []
    problem = url_problem(script) or check_site_file(script, static_dir)
    if problem:
        return [("script", problem, {"value": script})]
    return [] if script.endswith(".js") else [("script", "cms_script", {"value": script})]
