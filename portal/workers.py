"""What the stages that fork worker processes (markup, render) share."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Hide the parent's objects from the garbage collector of forked workers.

    Without this, every full collection in a worker walks (and so copies) the whole
    inherited heap: on 10,000 items that doubled the cost of Markdown conversion.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
