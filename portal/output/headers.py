"""The security headers the site ships, built from the config: a Content-Security-Policy
that every page carries in a <meta> and that `_headers` (with the rest) gives hosts that
read header files. docs/security-headers.md explains each choice and has the same
headers for nginx and Apache.

The policy lets the theme's own files do everything they do (scripts, styles, the search
index's worker and WebAssembly, the documents filter's fetch) and nothing else:
no inline script, no script from any other origin. `'self'` is the site's origin, so a
site under a sub-path (https://host/treem/) and `serve` (http://127.0.0.1:port/) work
with the same policy.

Two parts follow the portal's content and config. On a portal that shows a YouTube video
anywhere, `frame-src` allows the one origin its player comes from, and the header's
Permissions-Policy lets that player autoplay (the citizen pressed play) and go full screen:
site-wide rather than per page, because `_headers` gives every file one policy, and the
allowance is inert on pages without a player. With `analytics:`, the service's one origin
may give a script and receive counts; without it, nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import SiteConfig, WeatherConfig
from ..services import Analytics
from ..urls import origin_of
from ..video import YOUTUBE_EMBED_ORIGIN

SELF = "'self'"
NONE = "'none'"
# Pagefind compiles its WebAssembly search engine in the page or in its worker; this
# allows WebAssembly only, not eval() of JavaScript.
WASM = "'wasm-unsafe-eval'"
# Markdown tables align columns with style="text-align:…" on cells, the one style
# attribute the sanitizer lets through (content/markup.py). An attribute can neither run
# script nor select and leak page content as a <style> sheet can, so attributes are
# allowed while <style> elements and other sheets than the site's stay forbidden. Hashes
# of the few allowed values ('unsafe-hashes') would tie the policy to the sanitizer's
# exact spelling and block, with a console error, any other value it keeps.
INLINE = "'unsafe-inline'"
# Powerful browser features the portal never uses, turned off for it and anything it
# embeds. Only names Chromium knows: an unknown name is a console error on every page.
FEATURES_OFF = ("accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
                "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
                "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
                "xr-spatial-tracking")
# What the YouTube player needs, on a portal that has one: to start on the press of the
# poster (autoplay), to play protected streams, and the full screen (which is the page's
# own by default, and given to a frame by its `allow`).
PLAYER_FEATURES = ("autoplay", "encrypted-media")


@dataclass(frozen=True)
class Directive:
    name: str
    sources: tuple[str, ...]

    def __str__(self) -> str:
        return " ".join((self.name, *self.sources))


@dataclass(frozen=True)
class SecurityHeaders:
    """What templates put in each page's <meta> and in the header files."""

    policy: tuple[Directive, ...]  # in the <meta> and the header
    header_only: tuple[Directive, ...]  # directives a <meta> cannot carry
    referrer: str
    features_off: tuple[str, ...]
    features_framed: tuple[tuple[str, str], ...] = ()  # (feature, origin): the page's and that frame's
    admin: SecurityHeaders | None = None  # /admin/'s own (admin_policy), when the portal has one

    @property
    def meta_policy(self) -> str:
        return "; ".join(str(d) for d in self.policy)

    @property
    def header_policy(self) -> str:
        return "; ".join(str(d) for d in self.policy + self.header_only)

    @property
    def permissions_policy(self) -> str:
        allowed = {feature: f'(self "{origin}")' for feature, origin in self.features_framed}
        return ", ".join(f"{feature}={allowed.get(feature, '()')}"
                         for feature in sorted({*self.features_off, *allowed}))


def security_headers(config: SiteConfig, youtube: bool = False) -> SecurityHeaders:
    """The headers of a portal with this config; `youtube`: it shows a YouTube video."""
    weather, counts = live_weather_origin(config.weather), analytics_origins(config.analytics)
    frames = (Directive("frame-src", (YOUTUBE_EMBED_ORIGIN,)),) if youtube else ()
    policy = (
        Directive("default-src", (SELF,)),
        Directive("script-src", (SELF, WASM, *counts["script"])),
        Directive("style-src", (SELF,)),
        Directive("style-src-attr", (INLINE,)),
        # Bodies may show images from other sites.
        Directive("img-src", (SELF, "https:", *counts["img"])),
        Directive("connect-src", (SELF, *((weather,) if weather else ()), *counts["connect"])),
        *frames,
        Directive("worker-src", (SELF,)),
        Directive("object-src", (NONE,)),
        Directive("base-uri", (SELF,)),
        Directive("form-action", (SELF,)),
    )
    # Framing by other sites is how clickjacking starts; the site may frame itself.
    header_only = (Directive("frame-ancestors", (SELF,)),)
    framed = tuple((feature, YOUTUBE_EMBED_ORIGIN) for feature in PLAYER_FEATURES) if youtube else ()
    admin = admin_policy(config) if config.cms.enabled else None
    return SecurityHeaders(policy, header_only, "strict-origin-when-cross-origin", FEATURES_OFF, framed,
                           admin)


def analytics_origins(analytics: Analytics) -> dict[str, tuple[str, ...]]:
    """The sources each directive gains for the statistics service: its origin gives the
    script and takes the counts (a beacon, a fetch, or an image where neither works)."""
    origin = analytics.origin if analytics.provider else ""
    if not origin:
        return {"script": (), "connect": (), "img": ()}
    return {"script": (origin,), "connect": (origin,), "img": (origin,) if analytics.uses_pixel else ()}


def live_weather_origin(weather: WeatherConfig) -> str | None:
    """The origin the live weather script fetches from, when the box has that script."""
    if not (weather.live and weather.provider != "none" and weather.locations):
        return None
    return origin_of(weather.endpoint)


# /admin/, the web editor (Decap CMS, output/admin.py), is an application of its own and
# gets a policy of its own; every other page keeps the one above. Decap compiles the JSON
# schema of its config with `new Function` (ajv) and its widgets style themselves with
# <style> elements (emotion): without 'unsafe-eval' and inline styles it does not start.
# So its scripts are the site's and the one pinned file (by its full address, besides
# its integrity hash), it talks only to the portal, the local proxy and the Git host, and
# no site may frame it. Uploaded pictures are previewed from blob: and data: addresses.
EVAL = "'unsafe-eval'"


def admin_policy(config: SiteConfig) -> SecurityHeaders:
    cms = config.cms
    # The theme's admin.js, and Decap: the office's copy, or the one pinned file on the CDN.
    script = (SELF,) if cms.script else (SELF, cms.script_url)
    talks_to = tuple(dict.fromkeys(o for o in (origin_of(cms.local_url), origin_of(cms.server)) if o))
    policy = (
        Directive("default-src", (SELF,)),
        Directive("script-src", (*script, EVAL)),
        Directive("style-src", (SELF, INLINE)),
        Directive("img-src", (SELF, "https:", "blob:", "data:")),
        Directive("connect-src", (SELF, "blob:", *talks_to)),  # blob: an upload read back
        Directive("object-src", (NONE,)),
        Directive("base-uri", (SELF,)),
        Directive("form-action", (SELF,)),
    )
    return SecurityHeaders(policy, (Directive("frame-ancestors", (NONE,)),), "same-origin", FEATURES_OFF)
