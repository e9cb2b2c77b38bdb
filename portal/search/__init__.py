"""Site search: what is indexed (plan), Pagefind and how it is run (pagefind), the
indexed copies of the pages (copy), the index written into the site (index) and its
cached bundles (bundles). The pipeline calls `index_site` and renders `search_page`."""

from .index import SearchOutcome, index_site
from .plan import search_page

__all__ = ["SearchOutcome", "index_site", "search_page"]
