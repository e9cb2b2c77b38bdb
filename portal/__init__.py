"""A static site generator for government program portals.

The pipeline lives in `pipeline.build`; `commands.cli.main` is the command line.
"""

__version__ = "0.1.0"
