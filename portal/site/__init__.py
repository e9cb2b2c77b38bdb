"""The site as a whole: the collection (published items, listings, the document library,
cross-links, URL collisions) and the plan of every page to render."""

from .collection import collect
from .pages import plan_pages

__all__ = ["collect", "plan_pages"]
