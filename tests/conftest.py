"""Shared fixtures: small real sites in a temp folder, built through the real CLI.

The CLI runs in the test's own process (`run_cli`: `portal.commands.cli.main`, with its
exit code and what it printed) unless a test asks for the real `python build.py` process
(`cli_process=True`): those end-to-end tests are the ones about the process itself (exit
codes as a shell sees them, a killed build, the environment it starts with).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import CodeType
from typing import Any, Callable, Iterator

import jinja2
import jinja2.filters
import jinja2.tests
import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).resolve().parent / "sites" / "invalid"

if str(REPO) not in sys.path:  # so that unit tests can import the engine without installing it
    sys.path.insert(0, str(REPO))

# Browser tests drive Debian's Chromium through the judges' playwright-core, from Node
# (tests/browser/*.js); scripts/test.sh installs both.
CHROMIUM = Path("/usr/bin/chromium")
PLAYWRIGHT = Path(os.environ.get("JUDGES_HOME", "/opt/judges")) / "node" / "node_modules" / "playwright-core"
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() or not PLAYWRIGHT.is_dir(),
    reason=f"{CHROMIUM} or {PLAYWRIGHT} is missing (scripts/test.sh installs them)")
BROWSER_ENV = {**os.environ, "PLAYWRIGHT_CORE": str(PLAYWRIGHT)}
EPOCH = "1767225600"  # 2026-01-01 00:00 UTC: "now" for builds unless a test says otherwise

MINIMAL_CONFIG = """\
title: Cổng thông tin thử nghiệm
base_url: https://example.gov.vn/
per_page: 2
organization:
  name: Cơ quan thử nghiệm
hotlines:
  - {number: "111", name: Tổng đài điện thoại quốc gia bảo vệ trẻ em, note: Miễn phí}
"""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject.toml): a worker more than there are cores. Many tests wait on
    something outside them (a server, Chromium, a build.py process, Pagefind); a third
    worker keeps a 2-core machine's cores busy meanwhile (the suite took ~10 s less
    than with two, measured; four was slower again)."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `early` first: their module's fixture is slow to make (conftest's
    `made_once`: a portal built with its search index, Chromium driven through it), and
    made at the start it runs while the other workers fill the cores; made last, it
    kept the workers that needed it waiting at the end of the run, with a core idle."""
    items.sort(key=lambda item: item.get_closest_marker("early") is None)


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str,
              make: Callable[[Path], Any]) -> Any:
    """`make(folder)`, made once for the whole run: what a module fixture gives that is
    slow to make (a portal built with its search index, what Chromium saw on it). Under
    xdist every worker that runs one of the module's tests runs its module fixtures again;
    here the first to ask makes it, in a folder all the run's workers share, and keeps
    its answer there as JSON, while the others wait for that answer and read it. A make
    that fails keeps nothing, and the next worker to ask tries again."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, shared by its workers
    answer = root / f"{name}.json"
    with FileLock(f"{answer}.lock"):
        if answer.is_file():
            return json.loads(answer.read_text(encoding="utf-8"))
        made = make(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)))
        answer.write_text(json.dumps(made), encoding="utf-8")
        return made


def news(title: str, date: str = "2024-04-12 08:30", category: str = "Bảo vệ chăm sóc trẻ em",
         body: str = "Nội dung bài viết.", **fields: str) -> str:
    """A news file's text; extra keyword arguments become front-matter lines as given."""
    lines = [f"title: {title}", f"date: {date}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + textwrap.dedent(body) + "\n"


@dataclass
class BuildRun:
    code: int
    stdout: str
    stderr: str


@dataclass
class SiteDir:
    root: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, *args: str, env: dict | None = None, quiet: bool = True,
              cli_process: bool = False) -> BuildRun:
        """`build.py build --source ROOT ARGS` as an editor or CI would run it, "now" being
        2026-01-01 unless `env` says otherwise; in this process unless `cli_process`. A build
        that forks workers (`--jobs` over 1, and 64 bodies or 200 pages) needs a process of
        its own: this one has xdist's threads, and a fork copies the locks they hold.

        `quiet=False` leaves out `--quiet`, so that stdout carries the summary line."""
        loudness = ["--quiet"] if quiet else []
        return self._run(["build", "--source", str(self.root), *loudness, *args],
                         {"SOURCE_DATE_EPOCH": EPOCH, **(env or {})}, cli_process)

    def command(self, *args: str, env: dict | None = None, cli_process: bool = False) -> BuildRun:
        """Another command of build.py (`weather`, `check`, …) on this site."""
        return self._run([*args, "--source", str(self.root)], env or {}, cli_process)

    def _run(self, argv: list[str], env: dict, cli_process: bool) -> BuildRun:
        """From the site's folder, as an editor would run it."""
        if cli_process:
            return run_process(*argv, env=env, cwd=self.root)
        return run_cli(*argv, epoch=None, env=env, cwd=self.root)

    def read(self, rel: str) -> str:
        return (self.root / "site" / rel).read_text(encoding="utf-8")

    def exists(self, rel: str) -> bool:
        return (self.root / "site" / rel).exists()

    def tree_digest(self, folder: str = "site") -> str:
        """One hash of every file under `folder`, to prove a failed build left it alone."""
        digest = hashlib.sha256()
        base = self.root / folder
        for path in sorted(base.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()


def make_site(tmp_path: Path, files: dict[str, str | bytes] | None = None,
              config: str = MINIMAL_CONFIG) -> SiteDir:
    """A site in `tmp_path` with the repo's theme, `config`, and `files` (path -> text)."""
    site = SiteDir(tmp_path / "portal")
    shutil.copytree(REPO / "templates", site.root / "templates")
    site.write("config.yaml", config)
    for rel, text in (files or {}).items():
        site.write(rel, text)
    return site


def copy_site(site: SiteDir, folder: Path) -> SiteDir:
    """A copy of `site` in `folder`: its sources and all a build left (site/, .cache/),
    links copied as links. A portal built already, for a test about content or the cache
    to change, without building it again: the cache is not tied to the portal's folder
    (the copy's next build reuses every page). The published trees are, though: their
    manifests in .cache/trees/ name each tree by its path and inode, so the copy's trees
    are unknown to its cache; tests about updating or replacing the published trees
    build their own portal."""
    copy = SiteDir(folder / "portal")
    shutil.copytree(site.root, copy.root, symlinks=True)
    return copy


# The `site` fixture's content; also built once per module where tests only read it.
SMALL_SITE = {
    "content/news/2024/hoi-nghi.md": news("Hội nghị triển khai công tác trẻ em năm 2024",
                                          tags="[trẻ em, tập huấn]"),
    "content/news/2024/boi-an-toan.md": news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00",
                                             "Phòng chống đuối nước", tags="[trẻ em, đuối nước]"),
    "content/news/2023/binh-dang.md": news("Tháng hành động vì bình đẳng giới", "2023-11-15",
                                           "Bình đẳng giới", tags="[bình đẳng giới]"),
    "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\nmenu: 1\n---\nVề chúng tôi.\n",
}


@pytest.fixture
def site(tmp_path: Path) -> SiteDir:
    """A valid small site: three news items in three categories and one page."""
    return make_site(tmp_path, SMALL_SITE)


# --- templates compiled once per test process --------------------------------------------

@dataclass(frozen=True)
class FoldedCall:
    """A filter or test Jinja called while compiling (to fold it on constants), and what
    it gave: the compiled code holds that result."""
    kind: str  # "filters" or "tests"
    name: str
    args: tuple
    kwargs: dict
    result: object

    def same_in(self, environment: jinja2.Environment) -> bool:
        function = getattr(environment, self.kind)[self.name]
        try:
            return function(*self.args, **self.kwargs) == self.result
        except Exception as error:  # noqa: BLE001 (Jinja leaves such a call unfolded)
            return isinstance(self.result, _Raised) and type(error) is self.result.kind


@dataclass(frozen=True)
class _Raised:
    kind: type


class CompiledTemplates:
    """Each build makes a new Jinja environment, which compiles every template again: half
    the time of a small site's build, and the test processes build hundreds of times from
    a few template sources. This keeps the code compiled from a source for the session.

    Compiling is not a function of the source alone: Jinja folds filters applied to
    constants (`{{ "feed.xml"|url }}`) with the environment's own filters, which the
    engine makes from the config (its base path, say). So each compiled code keeps the
    calls folded into it, and is used again only by an environment that has the same
    settings and whose filters give the same results for those calls; the portal's own
    filters that need Jinja's context are never folded, and a compile that calls one is
    not kept. Kept code is renamed for the template file that asks for it."""

    def __init__(self) -> None:
        self.kept: dict[tuple, list[tuple[CodeType, tuple[FoldedCall, ...]]]] = {}

    def compile(self, plain: Callable, environment: jinja2.Environment, source, name=None,
                filename=None, raw=False, defer_init=False):
        if raw or defer_init or not isinstance(source, str):
            return plain(environment, source, name, filename, raw, defer_init)
        key = (source, name, _settings(environment, name))
        for code, calls in self.kept.get(key, ()):
            if all(call.same_in(environment) for call in calls):
                return _renamed(code, filename or "<template>")
        calls: list[FoldedCall] = []
        with _recording(environment, calls) as foldable:
            code = plain(environment, source, name, filename, raw, defer_init)
        if foldable[0]:
            self.kept.setdefault(key, []).append((code, tuple(calls)))
        return code


def _settings(environment: jinja2.Environment, name: str | None) -> tuple:
    """What besides the source and the folded calls shapes the compiled code."""
    autoescape = environment.autoescape
    return (environment.block_start_string, environment.block_end_string,
            environment.variable_start_string, environment.variable_end_string,
            environment.comment_start_string, environment.comment_end_string,
            environment.line_statement_prefix, environment.line_comment_prefix,
            environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
            environment.keep_trailing_newline, tuple(sorted(environment.extensions)),
            environment.optimized, environment.finalize, environment.is_async,
            environment.sandboxed, environment.undefined, repr(sorted(environment.policies.items())),
            autoescape(name) if callable(autoescape) else autoescape,
            frozenset(environment.filters), frozenset(environment.tests))


@contextlib.contextmanager
def _recording(environment: jinja2.Environment, calls: list[FoldedCall]) -> Iterator[list[bool]]:
    """Record the calls of the environment's own (not Jinja's) filters and tests while
    it compiles; yields [whether the compiled code may be kept]."""
    foldable = [True]
    saved = environment.filters, environment.tests
    environment.filters = _recorders(environment.filters, jinja2.filters.FILTERS, "filters", calls,
                                     foldable)
    environment.tests = _recorders(environment.tests, jinja2.tests.TESTS, "tests", calls, foldable)
    try:
        yield foldable
    finally:
        environment.filters, environment.tests = saved


def _recorders(functions: dict, jinjas: dict, kind: str, calls: list[FoldedCall],
               foldable: list[bool]) -> dict:
    def recorder(name: str, function: Callable) -> Callable:
        @functools.wraps(function)  # keeps Jinja's pass_context & co. marks
        def record(*args, **kwargs):
            if hasattr(function, "jinja_pass_arg"):
                foldable[0] = False  # given Jinja's context: nothing to call again
                return function(*args, **kwargs)
            try:
                result = function(*args, **kwargs)
            except Exception as error:
                calls.append(FoldedCall(kind, name, args, kwargs, _Raised(type(error))))
                raise
            calls.append(FoldedCall(kind, name, args, kwargs, result))
            return result
        return record

    return {name: function if jinjas.get(name) is function else recorder(name, function)
            for name, function in functions.items()}


def _renamed(code: CodeType, filename: str) -> CodeType:
    """`code` as compiled from `filename` (Jinja names templates by their code's file)."""
    consts = tuple(_renamed(const, filename) if isinstance(const, CodeType) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


@pytest.fixture(scope="session", autouse=True)
def templates_compiled_once() -> Iterator[None]:
    """Every Jinja environment of the session compiles through one CompiledTemplates."""
    compiled = CompiledTemplates()
    plain = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        return compiled.compile(plain, self, source, name, filename, raw, defer_init)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", compile)
        yield


# --- attack suites (tests/test_attack_*.py) ---------------------------------------------

def run_cli(*args: str, epoch: str | None = EPOCH, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> BuildRun:
    """Run `build.py ARGS` in this process (no interpreter start-up) as the command line
    would: its exit code and what it printed. `epoch` is SOURCE_DATE_EPOCH (None: as the
    environment has it); `env` and `cwd` are set for the call and put back after it. An
    exception that escapes the command line is what an editor would see as a traceback:
    it becomes code -1 and "Traceback" in stderr, so that attack tests can assert there is
    none."""
    from portal.commands.cli import main

    out, err = io.StringIO(), io.StringIO()
    overrides = {**({} if epoch is None else {"SOURCE_DATE_EPOCH": epoch}), **(env or {})}
    with _environment(overrides), contextlib.chdir(cwd or os.getcwd()), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:  # noqa: BLE001 (the point is to see it)
            err.write("Traceback (most recent call last):\n" + traceback.format_exc())
            code = -1
    return BuildRun(code, out.getvalue(), err.getvalue())


def run_process(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> BuildRun:
    """Run `python build.py ARGS` as a new process, as a shell or CI would."""
    done = subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=cwd)
    return BuildRun(done.returncode, done.stdout, done.stderr)


@contextlib.contextmanager
def _environment(overrides: dict[str, str]) -> Iterator[None]:
    """Set these environment variables for a while, then put every one back as it was;
    the C library is told of a new TZ (the clock's zone), before and after."""
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    if "TZ" in overrides:
        time.tzset()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if "TZ" in overrides:
            time.tzset()


def assert_refused(run: BuildRun, codes: tuple[int, ...] = (1, 2), names: tuple[str, ...] = (),
                   says: tuple[str, ...] = ()) -> None:
    """A bad input was refused as an editor should see it: the exit code, no traceback,
    and the message names each of `names` (files) and `says` (phrases)."""
    assert run.code in codes, (run.code, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout, run.stderr
    for text in (*names, *says):
        assert text in run.stderr + run.stdout, (text, run.stderr)


def assert_clean_output(folder: Path, *secrets: bytes) -> None:
    """Nothing from outside the portal in a built tree: no file holds any of `secrets`
    (bytes that only an outside file has), and no file in it is a link."""
    for path in folder.rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret not in data, (path, secret)


# --- local HTTP servers (weather sources; built sites for the browser tests) ---

@contextlib.contextmanager
def local_http_server(respond: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[int]:
    """A server on 127.0.0.1 whose every GET `respond` answers; yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            respond(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # shutdown() waits for the loop to look again: every 0.5 s by default, half a second
    # lost by each test that starts a server.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _QuietFileHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # keep pytest's output for failures
        pass


@contextlib.contextmanager
def served_folder(folder: Path) -> Iterator[str]:
    """`folder` served as static files on 127.0.0.1 (a built site, for the browser tests);
    yields its base URL, "http://127.0.0.1:PORT/"."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietFileHandler, directory=str(folder)))
    # poll_interval as in local_http_server: shutdown() would otherwise wait up to 0.5 s.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_driver(driver: Path, *args: str, timeout: float = 180, env: dict | None = None) -> dict:
    """The JSON a tests/browser/*.js driver prints, run with node under BROWSER_ENV (so that
    it finds playwright-core); a failed run or an "error" in its report fails the test with
    the driver's stdout and stderr."""
    node = shutil.which("node")
    assert node, "node (>= 20) is needed to drive Chromium"
    done = subprocess.run([node, str(driver), *args], capture_output=True, text=True, timeout=timeout,
                          env=BROWSER_ENV if env is None else env)
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    assert done.returncode == 0 and "error" not in report, done.stdout + done.stderr
    return report


def send_json(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Access-Control-Allow-Origin", "*")  # the live script fetches it
    handler.end_headers()
    handler.wfile.write(body)
