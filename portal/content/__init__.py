"""Read the content: find the source files (discover), read and split them (parse),
convert their Markdown to safe HTML (markup), build typed models (model, fields), and
keep the models of the last build by the bytes of their files (snapshot, codec)."""

from .discover import SourceFile, discover
from .markup import convert, html_loader
from .model import ModelContext, make_models
from .parse import parse_all, read_sources
from .snapshot import ModelSnapshot

__all__ = ["ModelContext", "ModelSnapshot", "SourceFile", "convert", "discover", "html_loader",
           "make_models", "parse_all", "read_sources"]
