"""Loading the config: read `config.yaml` into a typed, validated `SiteConfig`."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from . import schema
from .errors import ErrorLog
from .paths import check_site_file
from .cms import CmsConfig, checked_cms, with_cms_switch
from .services import Analytics, Badge, checked_analytics, checked_badges
from .urls import (BUILT_IN_PATHS, DOCUMENT_FOLDERS, UrlScheme, is_segment, origin_of, slugify,
                   url_problem, usable_base_url)
from .yamlload import error_key, error_line, error_problem, load_yaml_with_lines

LANGUAGES = ("vi", "en")
WEATHER_PROVIDERS = ("open-meteo", "file", "none")


@dataclass(frozen=True)
class Organization:
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    editor_in_chief: str = ""
    name_en: str = ""  # the agency's English name, on the English pages and in JSON-LD
    logo: str = ""  # a site path under static/: the agency's logo in JSON-LD


@dataclass(frozen=True)
class Hotline:
    number: str
    name: str = ""
    note: str = ""


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Location:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class WeatherConfig:
    provider: str = "none"
    endpoint: str = "https://api.open-meteo.com/v1/forecast"
    locations: tuple[Location, ...] = ()
    max_age_hours: float = 6.0
    live: bool = False  # the browser refreshes the box from the endpoint (progressive)
    file: str = "data/weather.json"  # the `file` provider's readings
    refresh_minutes: float = 30.0  # a build reuses readings younger than this
    timeout_seconds: float = 3.0  # per attempt; there is one retry


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Cổng thông tin"
    description: str = ""
    base_url: str = "http://localhost/"
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    organization: Organization = field(default_factory=Organization)
    theme_of_year: str = ""
    hotlines: tuple[Hotline, ...] = (Hotline("111", "Tổng đài điện thoại quốc gia bảo vệ trẻ em"),)
    weather: WeatherConfig = field(default_factory=WeatherConfig)
    per_page: int = 20
    feed_items: int = 20
    related_items: int = 5
    neighbour_items: int = 5
    sidebar_items: int = 5  # latest news and latest documents in the sidebar
    search_shard_pages: int = 2500  # pages per part of the search index (see portal/search/plan.py)
    links: tuple[Link, ...] = ()
    analytics: Analytics = field(default_factory=Analytics)  # a visitor-statistics service (services.py)
    cms: CmsConfig = field(default_factory=CmsConfig)  # the web editor at /admin/ (cms.py)
    badges: tuple[Badge, ...] = ()  # trust badges in the footer
    favicon: str = ""  # a site path under static/, e.g. /favicon.svg; "": the theme's icon
    share_image: str = ""  # a site path under static/: the share preview of pages without a picture
    plan_type: str = "Kế hoạch"  # documents of this type are plans, listed with their targets
    urls: UrlScheme = field(default_factory=UrlScheme)
    extra: dict = field(default_factory=dict)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: "/" or e.g. "/treem/"."""
        after_host = self.base_url.split("://", 1)[-1]
        path = after_host[after_host.find("/"):] if "/" in after_host else "/"
        return path if path.endswith("/") else path + "/"


def load_config(root: Path, errors: ErrorLog, base_url: str | None = None) -> SiteConfig:
    """Read `root/config.yaml`; problems go to `errors`, defaults stand in for them."""
    path = root / "config.yaml"
    if not path.is_file():
        errors.add(path, "config_missing", root=root)
        return SiteConfig()
    data_bytes = path.read_bytes()
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        errors.add(path, "not_utf8", line=data_bytes[:error.start].count(b"\n") + 1,
                   offset=error.start)
        return SiteConfig()
    try:
        data, lines = load_yaml_with_lines(text)
    except yaml.YAMLError as error:
        errors.add(path, error_key(error, text), line=error_line(error),
                   field=getattr(error, "field", None) or None, problem=error_problem(error))
        return SiteConfig()

    def report(key_path: tuple[str, ...], key: str, **params: object) -> None:
        errors.add(path, key, line=_nearest_line(lines, key_path), field=".".join(key_path), **params)

    config = schema.build(SiteConfig, with_cms_switch(data), (), report) or SiteConfig()
    if base_url:
        config = replace(config, base_url=base_url)
    config = replace(config, base_url=config.base_url if config.base_url.endswith("/") else config.base_url + "/")
    config = _check_values(config, report)
    config = replace(config, links=_safe_links(config.links, report),
                     favicon=_checked_file(("favicon",), config.favicon, root / "static", report),
                     share_image=_checked_file(("share_image",), config.share_image, root / "static", report),
                     organization=replace(config.organization, logo=_checked_file(
                         ("organization", "logo"), config.organization.logo, root / "static", report)),
                     urls=_checked_urls(config.urls, _written_keys(data, "urls"), report),
                     analytics=checked_analytics(config.analytics, report),
                     badges=checked_badges(config.badges, root / "static", report),
                     cms=checked_cms(config.cms, root / "static", report))
    return config


def _safe_links(links: tuple[Link, ...], report: schema.Report) -> tuple[Link, ...]:
    """Links that can only lead somewhere (no `javascript:` or `data:`): they are on
    every page. An unsafe one is reported and left out."""
    kept = []
    for index, link in enumerate(links):
        problem = url_problem(link.url)
        if problem:
            report(("links", str(index), "url"), problem, value=link.url)
        else:
            kept.append(link)
    return tuple(kept)


def _checked_file(key_path: tuple[str, ...], path: str, static_dir: Path,
                  report: schema.Report) -> str:
    """A site path of a file under static/ (`favicon:`, `share_image:`), or "" and an error."""
    problem = (url_problem(path) or check_site_file(path, static_dir)) if path else None
    if problem:
        report(key_path, problem, value=path)
        return ""
    return path


def _written_keys(data: object, section: str) -> tuple[str, ...]:
    """The keys the editor wrote under `section:`, in the file's order."""
    values = data.get(section) if isinstance(data, dict) else None
    return tuple(str(key) for key in values) if isinstance(values, dict) else ()


def _checked_urls(urls: UrlScheme, written: tuple[str, ...], report: schema.Report) -> UrlScheme:
    """Each section's first path segment must be one slug of its own: "../x" would write
    outside site/, "." over the home page, and two sections sharing one would hide one.
    A bad value is reported and its default used, so that content is still checked.

    Values the editor left at their default are placed first, so that a clash is
    reported on the line the editor wrote."""
    defaults = UrlScheme()
    names = [f.name for f in fields(UrlScheme)]
    order = [name for name in names if name not in written] + [n for n in written if n in names]
    # segment -> what has it: "urls.news" for a section, "/api/" for the engine's own
    owners = {path: f"/{path}/" for path in BUILT_IN_PATHS}
    chosen: dict[str, str] = {}
    for name in order:
        value = getattr(urls, name)
        taken = owners if name != "page" else {
            **owners, **{folder: f"/{urls.documents}/{folder}/" for folder in DOCUMENT_FOLDERS}}
        if not is_segment(value) or value in taken:
            fallback = getattr(defaults, name)
            _report_segment(name, value, taken, fallback, report)
            value = fallback
        owners.setdefault(value, f"urls.{name}")
        chosen[name] = value
    if len(set(chosen.values())) < len(chosen):  # a default was taken too: all defaults
        return defaults
    return UrlScheme(**chosen)


def _report_segment(name: str, value: str, taken: dict[str, str], fallback: str,
                    report: schema.Report) -> None:
    slug = slugify(value)  # "Tin tức" -> "tin-tuc": what the editor most likely meant
    example = f"{name}: {slug if is_segment(slug) and slug not in taken else fallback}"
    if not is_segment(value):
        report(("urls", name), "url_segment", value=value, example=example)
    elif taken[value].startswith("urls."):
        report(("urls", name), "url_segment_twice", value=value, other=taken[value],
               example=example)
    else:
        report(("urls", name), "url_segment_reserved", value=value, where=taken[value],
               example=example)


def _check_values(config: SiteConfig, report: schema.Report) -> SiteConfig:
    """Report values of the right type but outside what is allowed; defaults replace them
    so that content can still be checked in the same run."""
    defaults = SiteConfig()
    fixes: dict[str, object] = {}
    if config.language not in LANGUAGES:
        report(("language",), "choice", value=config.language, choices=", ".join(LANGUAGES))
        fixes["language"] = defaults.language
    if config.weather.provider not in WEATHER_PROVIDERS:
        report(("weather", "provider"), "choice", value=config.weather.provider,
               choices=", ".join(WEATHER_PROVIDERS))
        fixes["weather"] = replace(config.weather, provider="none")
    fixes["weather"] = _check_weather(fixes.get("weather", config.weather), report)
    if not usable_base_url(config.base_url):
        report(("base_url",), "config_url", value=config.base_url)
        fixes["base_url"] = defaults.base_url
    for name in ("per_page", "feed_items", "related_items", "neighbour_items", "sidebar_items",
                 "search_shard_pages"):
        if getattr(config, name) is None or getattr(config, name) < 1:
            report((name,), "at_least", value=getattr(config, name), min=1)
            fixes[name] = getattr(defaults, name)
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        report(("timezone",), "config_timezone", value=config.timezone)
        fixes["timezone"] = defaults.timezone
    return replace(config, **fixes)


def _check_weather(weather: WeatherConfig, report: schema.Report) -> WeatherConfig:
    defaults = WeatherConfig()
    fixes: dict[str, object] = {}
    for name, low, high in (("max_age_hours", 0.1, 10_000), ("refresh_minutes", 0, 10_000),
                            ("timeout_seconds", 0.5, 10)):
        if not low <= getattr(weather, name) <= high:
            report(("weather", name), "between", value=getattr(weather, name), min=low, max=high)
            fixes[name] = getattr(defaults, name)
    if origin_of(weather.endpoint) is None:  # also what the security policy allows
        report(("weather", "endpoint"), "config_endpoint", value=weather.endpoint)
        fixes["endpoint"] = defaults.endpoint
    for location in weather.locations:
        if not (-90 <= location.lat <= 90 and -180 <= location.lon <= 180):
            report(("weather", "locations"), "config_coordinates", name=location.name,
                   lat=location.lat, lon=location.lon)
            fixes["locations"] = ()
    return replace(weather, **fixes)


def _nearest_line(lines: dict[tuple[str, ...], int], key_path: tuple[str, ...]) -> int | None:
    """The line of the key, or of its closest parent when the key itself is absent."""
    for end in range(len(key_path), 0, -1):
        if key_path[:end] in lines:
            return lines[key_path[:end]]
    return None
