"""What a portal's config may name outside the site itself: a visitor-statistics service
the office runs or chose (`analytics:`), and the trust badges of the footer (`badges:`).

A static site cannot count its visitors, and a made-up number is worse than none: the
pages load the service's own script from its own origin (the security policy allows that
origin and no other), and the "Lượt xem" box shows only what GoatCounter's public counter
answers in the browser. With no `analytics:` the pages have no script and no box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable

from .paths import check_site_file
from .urls import origin_of, url_problem, usable_base_url

ANALYTICS_PROVIDERS = ("goatcounter", "matomo", "plausible", "umami")
PLAUSIBLE_SCRIPT = "https://plausible.io/js/script.js"
# The fields each provider reads; any other written under `analytics:` is a mistake.
_NEEDS = {"goatcounter": ("code", "url"), "matomo": ("url", "site_id"),
          "plausible": ("domain", "script"), "umami": ("url", "website_id")}
_GOATCOUNTER_CODE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SITE_ID = re.compile(r"[1-9][0-9]{0,9}")

Report = Callable[..., None]


@dataclass(frozen=True)
class Analytics:
    """`analytics:` in config.yaml; `provider: ""` (the default) is none."""

    provider: str = ""
    code: str = ""  # GoatCounter on goatcounter.com: https://<code>.goatcounter.com
    url: str = ""  # the service's own address: a self-hosted GoatCounter, Matomo, Umami
    site_id: str = ""  # Matomo: the site's number in Matomo
    domain: str = ""  # Plausible: the site's domain as Plausible knows it
    script: str = ""  # Plausible: its script's address, when self-hosted
    website_id: str = ""  # Umami: the website's id (a UUID)
    counter: bool = False  # GoatCounter: the "Lượt xem" box from its public counter

    @property
    def origin(self) -> str:
        """The one origin the pages load the script from and send counts to."""
        if self.provider == "goatcounter" and self.code:
            return f"https://{self.code}.goatcounter.com"
        address = (self.script or PLAUSIBLE_SCRIPT) if self.provider == "plausible" else self.url
        return origin_of(address) or ""

    @property
    def script_url(self) -> str:
        if self.provider == "plausible":
            return self.script or PLAUSIBLE_SCRIPT
        if self.provider == "matomo":
            return self.url.rstrip("/") + "/matomo.js"
        return self.origin + ("/count.js" if self.provider == "goatcounter" else "/script.js")

    @property
    def matomo_base(self) -> str:
        """Matomo's address, which may have a path (https://host/matomo/)."""
        return self.url.rstrip("/") + "/"

    @property
    def uses_pixel(self) -> bool:
        """Whether its script may count with an image (where the browser cannot beacon)."""
        return self.provider in ("goatcounter", "matomo")


@dataclass(frozen=True)
class Badge:
    """A trust badge in the footer, e.g. the "Tín nhiệm mạng" certificate."""

    image: str  # a site path under static/
    alt: str  # what the badge says, for those who cannot see it
    url: str = ""  # where it leads: the certificate's page (https only)


def checked_analytics(analytics: Analytics, report: Report) -> Analytics:
    """The config's `analytics:`, or none and an error for each wrong field."""
    unset = Analytics()
    written = [f.name for f in fields(Analytics)
               if f.name != "provider" and getattr(analytics, f.name) != getattr(unset, f.name)]
    if not analytics.provider:
        if written:
            report(("analytics", "provider"), "required")
        return Analytics()
    if analytics.provider not in ANALYTICS_PROVIDERS:
        report(("analytics", "provider"), "choice", value=analytics.provider,
               choices=", ".join(ANALYTICS_PROVIDERS))
        return Analytics()
    problems = [*_unused(analytics, written), *_PROVIDER_CHECKS[analytics.provider](analytics)]
    for name, key, params in problems:
        report(("analytics", name), key, provider=analytics.provider, **params)
    return Analytics() if problems else analytics


Problem = tuple[str, str, dict]


def _unused(analytics: Analytics, written: list[str]) -> list[Problem]:
    needs = _NEEDS[analytics.provider] + (("counter",) if analytics.provider == "goatcounter" else ())
    return [(name, "analytics_unused", {}) for name in written if name not in needs]


def _goatcounter(analytics: Analytics) -> list[Problem]:
    if analytics.code and analytics.url:
        return [("url", "analytics_code_or_url", {})]
    if analytics.code:
        ok = _GOATCOUNTER_CODE.fullmatch(analytics.code)
        return [] if ok else [("code", "analytics_code", {"value": analytics.code})]
    return _https("url", analytics.url) if analytics.url else [("code", "required", {})]


def _matomo(analytics: Analytics) -> list[Problem]:
    site_id = [] if _SITE_ID.fullmatch(analytics.site_id) else \
        [("site_id", "analytics_site_id" if analytics.site_id else "required", {"value": analytics.site_id})]
    return _https("url", analytics.url) + site_id


def _plausible(analytics: Analytics) -> list[Problem]:
    domain = [] if _DOMAIN.fullmatch(analytics.domain) else \
        [("domain", "analytics_domain" if analytics.domain else "required", {"value": analytics.domain})]
    return domain + (_https("script", analytics.script) if analytics.script else [])


def _umami(analytics: Analytics) -> list[Problem]:
    website = [] if _UUID.fullmatch(analytics.website_id) else \
        [("website_id", "analytics_website_id" if analytics.website_id else "required",
          {"value": analytics.website_id})]
    return _https("url", analytics.url) + website


_PROVIDER_CHECKS = {"goatcounter": _goatcounter, "matomo": _matomo, "plausible": _plausible,
                    "umami": _umami}


def _https(name: str, address: str) -> list[Problem]:
    """A plain https address (no query, no fragment, nothing a policy or an attribute
    could be broken with): the script comes from there."""
    if not address:
        return [(name, "required", {})]
    if not (address.startswith("https://") and usable_base_url(address)):
        return [(name, "analytics_url", {"value": address})]
    return []


def checked_badges(badges: tuple[Badge, ...], static_dir: Path, report: Report) -> tuple[Badge, ...]:
    """Badges whose picture is a file under static/ and whose link is https; a wrong one
    is reported and left out."""
    kept = []
    for index, badge in enumerate(badges):
        where = ("badges", str(index))
        problems = []
        if problem := url_problem(badge.image) or check_site_file(badge.image, static_dir):
            problems.append((where + ("image",), problem, {"value": badge.image}))
        if not badge.alt.strip():
            problems.append((where + ("alt",), "empty_value", {}))
        if badge.url and not _https_link(badge.url):
            problems.append((where + ("url",), "badge_url", {"value": badge.url}))
        for key_path, key, params in problems:
            report(key_path, key, **params)
        if not problems:
            kept.append(replace(badge, alt=badge.alt.strip()))
    return tuple(kept)


def _https_link(address: str) -> bool:
    """An https link to a plain host (Jinja escapes the rest of it in the attribute)."""
    return (address.startswith("https://") and origin_of(address) is not None
            and url_problem(address) is None and not any(ch.isspace() for ch in address))
