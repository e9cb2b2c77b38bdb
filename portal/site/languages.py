"""Pages in two languages: which English page translates which Vietnamese one
(`translation_of:`), and where each page's language links lead.

The header's "English" link leads to the English version of the page when it has one,
else to the portal's main English page: the English page first in the menu (by `menu`),
else the first by address. An English page links back ("Tiếng Việt") to the page it
translates, else to the home page.
"""

from __future__ import annotations

from ..config import SiteConfig
from ..errors import ErrorLog
from ..models import Page, Translations

ENGLISH, VIETNAMESE = "en", "vi"


def language_of(item: object, config: SiteConfig) -> str:
    """A page's or a news item's language: its own `lang:`, else the portal's."""
    return getattr(item, "lang", "") or config.language


def collect_translations(pages: tuple[Page, ...], config: SiteConfig, errors: ErrorLog) -> Translations:
    """Who translates whom; a `translation_of:` that names no Vietnamese page, or a page
    that already has its English version, is an error on that line."""
    by_slug = {page.slug: page for page in pages}
    english, original = {}, {}
    for page in pages:  # in address order: the first translation of a page keeps it
        if not page.translation_of:
            continue
        target = by_slug.get(page.translation_of)
        problem = _translation_problem(page, target, english, config)
        if problem:
            example = next((p.slug for p in pages if language_of(p, config) == VIETNAMESE), "gioi-thieu")
            errors.add(page.path, problem, line=page.lines.get("translation_of", 1),
                       field="translation_of", value=page.translation_of,
                       other="/" + english[target.url] if target and target.url in english else "",
                       example=f"translation_of: {example}")
            continue
        english[target.url], original[page.url] = page.url, target.url
    return Translations(english, original, _main_english(pages, config))


def _translation_problem(page: Page, target: Page | None, english: dict[str, str],
                         config: SiteConfig) -> str | None:
    if target is None or target is page:
        return "translation_missing"
    if language_of(target, config) != VIETNAMESE or language_of(page, config) == VIETNAMESE:
        return "translation_not_original"
    if target.url in english:
        return "translation_twice"
    return None


def _main_english(pages: tuple[Page, ...], config: SiteConfig) -> str | None:
    english = [page for page in pages if language_of(page, config) == ENGLISH]
    if config.language == ENGLISH or not english:
        return None  # an English portal needs no link to English
    first = min(english, key=lambda p: (p.menu is None, p.menu or 0, p.url))
    return first.url


def language_links(url: str, lang: str, translations: Translations, config: SiteConfig) -> dict:
    """What a page shows of the other language: `alternates` for <link hreflang> (only
    where the page has a translation; x-default is the Vietnamese one) and `switch`,
    the header's link (None when there is nowhere to go)."""
    if lang == ENGLISH:
        original = translations.original.get(url)
        switch = None if config.language == ENGLISH else {"lang": VIETNAMESE, "url": original or ""}
        pair = (original, url) if original else None
    else:
        translated = translations.english.get(url)
        target = translated or translations.main_english
        switch = {"lang": ENGLISH, "url": target} if target else None
        pair = (url, translated) if translated else None
    alternates = ((VIETNAMESE, pair[0]), (ENGLISH, pair[1]), ("x-default", pair[0])) if pair else ()
    return {"lang": lang, "alternates": alternates, "switch": switch}
