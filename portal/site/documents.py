"""The document library in the collection: the documents newest first, listed by type,
year and issuer, plans by year, and the links both ways between news items and the
documents they name (in `documents:` or by number in the text)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Callable

from ..errors import ErrorLog
from ..mentions import number_pattern, numbers_in
from ..models import Document, Library, Listing, NewsItem, Term, group_by_term
from ..urls import UrlScheme

Mentions = Callable[[NewsItem, re.Pattern], list[str]]


def numbers_in_body(item: NewsItem, pattern: re.Pattern) -> list[str]:
    """The known numbers an item's text mentions, read from its HTML."""
    return numbers_in(item.html, pattern)


def collect_library(documents: list[Document], news: tuple[NewsItem, ...], all_news: list[NewsItem],
                    urls: UrlScheme, plan_type: str, errors: ErrorLog,
                    mentions: Mentions = numbers_in_body) -> Library:
    """`news` are the published items; `all_news` (drafts and scheduled ones too) are
    checked for `documents:` entries that name no document. `mentions` finds the known
    numbers in an item's text (the pipeline's remembers them, so that an unchanged item's
    HTML need not be read)."""
    unique = _unique_numbers(sorted(documents, key=lambda d: d.path), errors)
    shelved = sorted(unique.values(), key=lambda d: (-d.issued.timestamp(), d.number))
    by_number = {d.number.casefold(): d for d in shelved}
    _check_named(all_news, by_number, errors)
    pattern = number_pattern(d.number for d in shelved)
    names = {item.url: _named(item, by_number, pattern, mentions) for item in news}
    named_by: dict[str, list[NewsItem]] = defaultdict(list)
    for item in news:
        for document in names[item.url]:
            named_by[document.url].append(item)
    plans = [d for d in shelved if d.type.name.casefold() == plan_type.casefold()]
    return Library(
        documents=tuple(shelved),
        by_type=group_by_term(shelved, lambda d: (d.type,)),
        by_year=_years(shelved, urls),
        by_issuer=group_by_term(shelved, lambda d: (d.issuer,)),
        plans_by_year=_years(plans, urls),
        named_by={url: tuple(items) for url, items in named_by.items()},
        names=names)


def _unique_numbers(documents: list[Document], errors: ErrorLog) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for document in documents:
        key = document.number.casefold()
        if key in found:
            errors.add(document.path, "duplicate_number", line=document.url_from[1], field="number",
                       value=document.number, other=found[key].path)
        else:
            found[key] = document
    return found


def _check_named(news: list[NewsItem], by_number: dict[str, Document], errors: ErrorLog) -> None:
    for item in news:
        for number in item.documents:
            if number.casefold() not in by_number:
                errors.add(item.path, "unknown_document", line=item.documents_line,
                           field="documents", value=number)


def _named(item: NewsItem, by_number: dict[str, Document], pattern: re.Pattern | None,
           mentions: Mentions) -> tuple[Document, ...]:
    """The documents a news item names: its `documents:` list, then numbers in its text."""
    named: dict[str, Document] = {}
    for number in item.documents:
        document = by_number.get(number.casefold())
        if document is not None:
            named.setdefault(document.url, document)
    for number in mentions(item, pattern) if pattern is not None else ():
        document = by_number.get(number.casefold())
        if document is not None:
            named.setdefault(document.url, document)
    return tuple(named.values())


def _years(documents: list[Document], urls: UrlScheme) -> tuple[Listing, ...]:
    """By year, newest year first."""
    def year_of(document: Document) -> tuple[Term]:
        year = str(document.year)
        return (Term(year, year, urls.document_year(year)),)

    by_year = group_by_term(documents, year_of)
    return tuple(sorted(by_year, key=lambda listing: -int(listing.term.slug)))
