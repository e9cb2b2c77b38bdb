"""The pages of the document library: each document, the listings (all, by type, by
year, by issuer), the plans, the filter index, and the open-data JSON files."""

from __future__ import annotations

from dataclasses import dataclass

from ..fingerprint import Fingerprinted
from .paging import paginate
from ..models import Library, RenderJob, Site


def library_pages(site: Site) -> list[RenderJob]:
    library, urls, per_page = site.library, site.urls, site.config.per_page
    if not library.documents:  # no section to show; the open-data files still list nothing
        return _data_files(site)
    jobs = [_document_page(site, document) for document in library.documents]
    shelves = _shelves(library)
    jobs += paginate(library.documents, urls.documents_list, "documents.html",
                     {"term": None, "kind": "all", "shelves": shelves}, per_page)
    for kind, listings, url_of in (("type", library.by_type, urls.document_type),
                                   ("year", library.by_year, urls.document_year),
                                   ("issuer", library.by_issuer, urls.document_issuer)):
        for shelf in listings:
            jobs += paginate(shelf.items, lambda n, s=shelf.term.slug, u=url_of: u(s, n),
                             "documents.html", {"term": shelf.term, "kind": kind,
                                                "shelves": shelves}, per_page)
    jobs.append(RenderJob(urls.plans_page(), "plans.html", {"plans_by_year": library.plans_by_year}))
    jobs += _data_files(site)
    return jobs


def _shelves(library: Library) -> dict[str, tuple[tuple, ...]]:
    """What the browsing box of every listing shows: each type, year and issuer (its
    term) with its number of documents; not the documents, which change more often."""
    return {kind: tuple((shelf.term, len(shelf.items)) for shelf in listings)
            for kind, listings in (("by_type", library.by_type), ("by_year", library.by_year),
                                   ("by_issuer", library.by_issuer))}


def _document_page(site: Site, document) -> RenderJob:
    news = site.library.named_by.get(document.url, ())
    return RenderJob(document.url, "document.html", {"doc": document, "news": news})


@dataclass(frozen=True)
class OpenData(Fingerprinted):
    """A JSON file of the site, made from `rows` only when it is written: its key needs
    the rows' fingerprints (kept by each item), not ten thousand records hashed anew."""

    kind: str  # "filter" (the filter form's index), "news" or "documents" (open data)
    rows: tuple  # documents; (item, its documents); (document, the news naming it)
    base: str  # the filter index's site path, or the open data's absolute base_url

    def payload(self) -> list | dict:
        if self.kind == "filter":
            return filter_index(self.rows, self.base)
        if self.kind == "news":
            return {"items": [news_record(item, documents, self.base) for item, documents in self.rows]}
        return {"items": [document_record(document, news, self.base) for document, news in self.rows]}


def _data_files(site: Site) -> list[RenderJob]:
    """JSON for the filter form and for the province's open-data portal."""
    library, base = site.library, site.config.base_url
    files = {
        site.urls.documents_index(): OpenData("filter", library.documents, site.config.base_path),
        "api/news.json": OpenData("news", tuple((item, library.names.get(item.url, ()))
                                                for item in site.news), base),
        "api/documents.json": OpenData("documents", tuple((d, library.named_by.get(d.url, ()))
                                                          for d in library.documents), base),
    }
    return [RenderJob(url, "data.json", {"data": data}) for url, data in files.items()]


def filter_index(documents: tuple, base_path: str) -> list[dict]:
    """Short keys keep it small on slow connections: number, title, type, year, issuer, url."""
    return [{"n": d.number, "t": d.title, "k": d.type.name, "y": d.year, "i": d.issuer.name,
             "u": base_path + d.url, "d": d.issued.strftime("%d/%m/%Y"), "s": d.status}
            for d in documents]


def news_record(item, documents: tuple, base: str) -> dict:
    return {
        "title": item.title, "url": base + item.url, "date": item.date.isoformat(),
        "category": item.category.name, "tags": [tag.name for tag in item.tags],
        "summary": item.summary, "author": item.author or None, "source": item.source or None,
        "image": base + item.image.lstrip("/") if item.image else None,
        "documents": [d.number for d in documents],
    }


def document_record(document, news: tuple, base: str) -> dict:
    def day(value):
        return value.date().isoformat() if value else None

    return {
        "number": document.number, "type": document.type.name, "title": document.title,
        "issuer": document.issuer.name, "issued": day(document.issued),
        "effective": day(document.effective), "expires": day(document.expires),
        "status": document.status, "signer": document.signer or None,
        "field": document.domain or None, "url": base + document.url,
        "files": [{"title": f.title, "url": base + f.path.lstrip("/"), "type": f.kind,
                   "size": f.size} for f in document.files],
        "targets": [{"label": t.label, "value": t.value} for t in document.targets],
        "news": [base + item.url for item in news],
    }
