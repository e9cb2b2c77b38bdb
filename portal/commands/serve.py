"""`python build.py serve`: build, serve the site on 127.0.0.1, rebuild on change, reload
the browser.

The site is served from memory, like `hugo server`: nothing is written to the output
folder, which stays what the last `build` made. Each rebuild is the same `build()` as
the command line's, handed a `Session` it keeps between builds: the models, their
fingerprints and the rendered bodies stay in memory, the files watchdog names are read
again (with any whose size or time moved), and only the pages whose key changed are
rendered; the others are spliced or kept. A failed build leaves the last good site
being served; its errors go to the terminal and, as an overlay, to every open tab. The
live-reload script is added to HTML responses as they are sent.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..config import load_config
from ..errors import BuildFailed, ErrorLog
from .livereload import LiveServer, StateBoard
from ..locale import Locale, load_locale
from ..pipeline import BuildOptions, Session, build
from ..writer import MemoryWriter

WATCHED_FOLDERS = ("content", "templates", "static", "data")
WATCHED_FILES = ("config.yaml",)


@dataclass(frozen=True)
class ServeOptions:
    build: BuildOptions
    port: int = 8000
    poll: bool = False  # watchdog's polling observer, for network drives without inotify
    debounce: float = 0.2  # editors save several files at once; one rebuild for all
    verbose: bool = False  # the time of each stage after each build


class Changes:
    """Source changes reported by watchdog's thread, waited for by the builder."""

    def __init__(self) -> None:
        self._event = threading.Condition()
        self._last: float | None = None
        self._paths: set[str] = set()

    def note(self, paths: list[str]) -> None:
        with self._event:
            self._last = time.monotonic()
            self._paths.update(paths)
            self._event.notify_all()

    def wait_quiet(self, debounce: float) -> set[str]:
        """The paths that changed, once something changed and then nothing for `debounce`
        seconds."""
        with self._event:
            while self._last is None:
                self._event.wait(0.5)  # a timeout keeps Ctrl-C responsive
            while (left := self._last + debounce - time.monotonic()) > 0:
                self._event.wait(left)
            self._last = None
            paths, self._paths = self._paths, set()
            return paths


class SourceWatcher(FileSystemEventHandler):
    """Notes changes to the portal's sources, ignoring the output, `.cache/`, dot-files
    and editors' backup files; starts watching a watched folder that appears later."""

    def __init__(self, root: Path, output: Path, changes: Changes, watch: Callable[[Path], None]):
        self.root, self.output = root.resolve(), output.resolve()
        self.changes, self.watch = changes, watch

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime moves with every file in it; the file's event counts
        paths = [event.src_path, getattr(event, "dest_path", "")]
        relevant = [rel for rel in map(self._relative, filter(None, paths)) if rel and _is_source(rel)]
        if not relevant:
            return
        if event.is_directory and event.event_type == "created" and len(relevant[0].parts) == 1:
            self.watch(self.root / relevant[0])
        self.changes.note([rel.as_posix() for rel in relevant])

    def _relative(self, path: str | bytes) -> Path | None:
        # The folder resolved, not the file: a file that became a link (to anywhere) is
        # a change to the portal, to be reported by the rebuild.
        given = Path(os.fsdecode(path))
        absolute = given.parent.resolve() / given.name
        if absolute == self.output or self.output in absolute.parents:
            return None
        try:
            return absolute.relative_to(self.root)
        except ValueError:
            return None


def _is_source(rel: Path) -> bool:
    if any(part.startswith(".") for part in rel.parts) or rel.name.endswith(("~", ".swp", ".tmp")):
        return False
    return rel.parts[0] in WATCHED_FOLDERS or rel.as_posix() in WATCHED_FILES


def serve(options: ServeOptions) -> int:
    """Build, serve and rebuild until Ctrl-C or SIGTERM; 0 when stopped that way."""
    config_errors = ErrorLog(options.build.root)
    config = load_config(options.build.root, config_errors, options.build.base_url)
    locale = load_locale(config.language)
    board = StateBoard()
    writer, session = MemoryWriter(), Session()
    try:
        server = LiveServer(options.port, lambda: writer.files, config.base_path, board, locale)
    except OSError as error:
        print(locale.say("serve_port_busy", port=str(options.port), problem=error.strerror),
              file=sys.stderr)
        return 1
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    changes = Changes()
    observer = _start_watching(options, changes)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        _rebuild(options.build, writer, session, board, locale, options.verbose)
        serving.start()
        print(locale.say("serve_listening", url=server.url), flush=True)
        rebuild = replace(options.build, progress=False)  # one line each
        while True:
            session.changed = changes.wait_quiet(options.debounce)
            _rebuild(rebuild, writer, session, board, locale, options.verbose)
    except KeyboardInterrupt:
        print(locale.say("serve_stopped"), flush=True)
    finally:
        board.stop()
        observer.stop()
        if serving.is_alive():
            server.shutdown()  # waits for serve_forever, so only once it runs
        server.server_close()
        observer.join(timeout=5)
        signal.signal(signal.SIGTERM, previous_term)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl-C does


def _start_watching(options: ServeOptions, changes: Changes):
    observer = PollingObserver(timeout=0.5) if options.poll else Observer()
    root = options.build.root

    def watch(folder: Path) -> None:
        observer.schedule(handler, str(folder), recursive=True)

    handler = SourceWatcher(root, options.build.output_dir, changes, watch)
    for name in WATCHED_FOLDERS:
        if (root / name).is_dir():
            watch(root / name)
    observer.schedule(handler, str(root), recursive=False)  # config.yaml, new folders
    observer.start()
    return observer


def _rebuild(options: BuildOptions, writer: MemoryWriter, session: Session, board: StateBoard,
             locale: Locale, verbose: bool) -> None:
    """Build once into memory; report the outcome in the terminal and to the browsers."""
    try:
        result = build(options, writer, session)
    except BuildFailed as failure:
        words = failure.locale or locale
        title = words.say("serve_failed", count=len(failure.errors))
        lines = tuple(words.format_error(error) for error in failure.errors)
        print("\n".join((title, *lines)), file=sys.stderr, flush=True)
        board.post(title, lines)
        return
    except Exception:  # an engine bug: say so, and keep serving the last good site
        trace = traceback.format_exc()
        print(trace, file=sys.stderr, flush=True)
        board.post(locale.say("serve_crashed"), (trace.strip().splitlines()[-1],))
        return
    for line in result.warning_lines():  # e.g. the weather service; the site is built all the same
        print(line, file=sys.stderr, flush=True)
    for line in result.timing_lines() if verbose else ():
        print(line)
    print(time.strftime("%H:%M:%S ") + result.summary(), flush=True)
    board.post()
