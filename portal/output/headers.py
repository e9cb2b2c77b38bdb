"""The security headers the site ships, built from the config: a Content-Security-Policy
that every page carries in a <meta> and that `_headers` (with the rest) gives hosts that
read header files. docs/security-headers.md explains each choice and has the same
headers for nginx and Apache.

The policy lets the theme's own files do everything they do (scripts, styles, the search
index's worker and WebAssembly, the documents filter's fetch) and nothing else:
no inline script, no script from any other origin. `'self'` is the site's origin, so a
site under a sub-path (https://host/treem/) and `serve` (http://127.0.0.1:port/) work
with the same policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import SiteConfig, WeatherConfig
from ..urls import origin_of

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

    @property
    def meta_policy(self) -> str:
        return "; ".join(str(d) for d in self.policy)

    @property
    def header_policy(self) -> str:
        return "; ".join(str(d) for d in self.policy + self.header_only)

    @property
    def permissions_policy(self) -> str:
        return ", ".join(f"{feature}=()" for feature in self.features_off)


def security_headers(config: SiteConfig) -> SecurityHeaders:
    weather = live_weather_origin(config.weather)
    policy = (
        Directive("default-src", (SELF,)),
        Directive("script-src", (SELF, WASM)),
        Directive("style-src", (SELF,)),
        Directive("style-src-attr", (INLINE,)),
        Directive("img-src", (SELF, "https:")),  # bodies may show images from other sites
        Directive("connect-src", (SELF, weather) if weather else (SELF,)),
        Directive("worker-src", (SELF,)),
        Directive("object-src", (NONE,)),
        Directive("base-uri", (SELF,)),
        Directive("form-action", (SELF,)),
    )
    # Framing by other sites is how clickjacking starts; the site may frame itself.
    header_only = (Directive("frame-ancestors", (SELF,)),)
    return SecurityHeaders(policy, header_only, "strict-origin-when-cross-origin", FEATURES_OFF)


def live_weather_origin(weather: WeatherConfig) -> str | None:
    """The origin the live weather script fetches from, when the box has that script."""
    if not (weather.live and weather.provider != "none" and weather.locations):
        return None
    return origin_of(weather.endpoint)
