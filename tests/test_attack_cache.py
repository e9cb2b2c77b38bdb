"""Attack suite, issue 10 item 4: `.cache/` is data, not trusted.

CI restores `.cache/` from earlier runs and anything can write there, so each case
damages or forges the cache of a portal built once, then builds again and checks: exit
0, no traceback, and `site/` byte for byte what a `--no-cache` build of the same sources
makes (a damaged entry is a miss, made again and replaced, never published); forged
Markdown output is sanitized like fresh Markdown; the cache shares no file with `site/`;
a cache folder that is a link is not used, and nothing outside the portal is read,
written or deleted.

Most cases start from a fresh checkout (no `site/`, no spare tree, the cache kept), as a
CI run does: otherwise the pages already in place would be kept and the cache not read.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from conftest import SMALL_SITE, SiteDir, assert_clean_output, copy_site, make_site, run_cli
from portal.cache import seal, unseal

FORGED_BODY = "<p>x</p><script>alert(1)</script>"
OUTSIDE_SECRET = b"outside-secret-" + uuid.uuid4().hex.encode()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("built"), SMALL_SITE)
    run = build(site)
    assert run.code == 0, run.stderr
    assert list(entries(site, "search/bundles")), "no search bundle cached: is pagefind installed?"
    return site


@pytest.fixture
def built(built_once: SiteDir, tmp_path: Path) -> SiteDir:
    """The portal built once, a copy of its own for each test to damage."""
    return copy_site(built_once, tmp_path)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the portal, holding files named like cache entries (which pruning
    would delete) and a secret (which must never be published)."""
    folder = tmp_path / "outside"
    for rel in ("keep.txt", "ab/" + "ab" * 20, "ab/" + "ab" * 20 + ".1.tmp", "secret.html",
                "bundles/" + "cd" * 20 + "/manifest", "tails/ef/" + "ef" * 20):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(OUTSIDE_SECRET + b" " + rel.encode())
    return folder


def build(site: SiteDir, *args: str):
    return run_cli("build", "--source", str(site.root), "--quiet", *args)


def fresh_checkout(site: SiteDir) -> None:
    """What a CI run starts from: the sources and the restored cache, no built tree."""
    for name in ("site", ".site.spare", ".site.staging"):
        shutil.rmtree(site.root / name, ignore_errors=True)


def entries(site: SiteDir, name: str) -> list[Path]:
    """Every file under `.cache/<name>/`."""
    folder = site.root / ".cache" / name
    return [Path(parent, file) for parent, _, files in os.walk(folder) for file in files]


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of a tree, links not followed, by its relative path."""
    found = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            path = Path(parent, name)
            found[path.relative_to(folder).as_posix()] = path.read_bytes() if not path.is_symlink() \
                else b"link to " + os.fsencode(os.readlink(path))
    return found


def inode_of(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def assert_built_as_without_cache(site: SiteDir) -> None:
    """Build (cache on), then compare `site/` with a `--no-cache` build of the same sources."""
    run = build(site)
    assert run.code == 0 and "Traceback" not in run.stderr + run.stdout, run.stderr
    with_cache = files_of(site.root / "site")
    run = build(site, "--no-cache")
    assert run.code == 0, run.stderr
    without_cache = files_of(site.root / "site")
    assert set(with_cache) == set(without_cache)
    differing = [rel for rel in with_cache if with_cache[rel] != without_cache[rel]]
    assert differing == []


def test_truncated_page_entries_are_made_again(built: SiteDir):
    pages = entries(built, "pages")
    for entry in pages:
        data = entry.read_bytes()
        entry.write_bytes(data[:len(data) // 2])
    fresh_checkout(built)

    assert_built_as_without_cache(built)
    assert all(unseal(entry.read_bytes()) is not None for entry in entries(built, "pages"))


@pytest.mark.parametrize("part", ["search/bundles", "search/tails"])
def test_garbage_search_entries_are_made_again(built: SiteDir, part: str):
    for entry in entries(built, part):
        entry.write_bytes(b"garbage \x00\xff" + entry.name.encode())
    fresh_checkout(built)
    shutil.rmtree(built.root / ".cache" / "pages")  # every page is written anew, as after new weather
    if part == "search/tails":  # tails are only read when a shard is indexed again
        shutil.rmtree(built.root / ".cache" / "search" / "bundles")

    assert_built_as_without_cache(built)


def test_a_bundle_file_missing_or_added_makes_the_bundle_a_miss(built: SiteDir):
    bundle = next((built.root / ".cache" / "search" / "bundles").iterdir())
    victim = sorted((bundle / "files").rglob("*.pf_fragment"))[0]
    victim.unlink()
    (bundle / "files" / "extra.js").write_text("alert(1)", encoding="utf-8")
    fresh_checkout(built)

    assert_built_as_without_cache(built)
    assert not any(b"alert(1)" in data for data in files_of(built.root / "site").values())


@pytest.mark.parametrize("make", [lambda html: b"\xff\xfe" + html, lambda html: seal(b"\xff\xfe" + html)],
                         ids=["raw", "sealed"])
def test_non_utf8_markup_entry_is_a_miss(built: SiteDir, make):
    for entry in entries(built, "markup"):
        entry.write_bytes(make(b"<p>x</p>"))

    assert_built_as_without_cache(built)


def test_forged_markup_entry_without_checksum_is_a_miss(built: SiteDir):
    for entry in entries(built, "markup"):
        entry.write_text(FORGED_BODY, encoding="utf-8")
    fresh_checkout(built)
    shutil.rmtree(built.root / ".cache" / "pages")

    assert_built_as_without_cache(built)


def test_forged_markup_entry_with_checksum_is_sanitized(built: SiteDir):
    """A well-formed entry passes its checksum (whoever writes the cache can make one): the
    sanitizer still removes the script, as it would from fresh Markdown."""
    for entry in entries(built, "markup"):
        entry.write_bytes(seal(FORGED_BODY.encode("utf-8")))
    fresh_checkout(built)
    shutil.rmtree(built.root / ".cache" / "pages")  # pages are rendered anew (new weather, say)

    run = build(built)

    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    published = files_of(built.root / "site")
    assert not [rel for rel, data in published.items() if b"<script>alert" in data]
    assert any(b"<p>x</p>" in data for data in published.values())  # the forged text, made safe


def test_editing_an_entry_in_place_does_not_change_the_site(built: SiteDir):
    cache_files = [path for path in (built.root / ".cache").rglob("*") if path.is_file()]
    site_files = [path for path in (built.root / "site").rglob("*") if path.is_file()]
    assert not {inode_of(path) for path in cache_files} & {inode_of(path) for path in site_files}
    before = built.tree_digest()

    for path in cache_files:  # in place: the same inode, new bytes
        with open(path, "r+b") as file:
            file.write(b"<script>alert(1)</script>")

    assert built.tree_digest() == before
    fresh_checkout(built)
    assert_built_as_without_cache(built)


@pytest.mark.parametrize("name", ["", "pages", "markup", "search", "search/bundles",
                                  "search/tails", "trees", "images", "links", "models"])
def test_a_cache_folder_linked_outside_is_not_used(built: SiteDir, outside: Path, name: str):
    linked = built.root / ".cache" / name
    shutil.rmtree(linked, ignore_errors=True)  # a portal without pictures has no images/ yet
    linked.symlink_to(outside, target_is_directory=True)
    before = files_of(outside)
    fresh_checkout(built)

    assert_built_as_without_cache(built)
    assert files_of(outside) == before  # nothing written, nothing deleted
    assert_clean_output(built.root / "site", OUTSIDE_SECRET)


def test_a_shard_or_entry_linked_outside_is_not_followed(built: SiteDir, outside: Path):
    """A link deeper in the cache: a shard folder, and an entry pointing at a file."""
    shards = sorted(path for path in (built.root / ".cache" / "pages").iterdir())
    shutil.rmtree(shards[0])
    shards[0].symlink_to(outside / "ab", target_is_directory=True)
    entry = entries(built, "markup")[0]
    entry.unlink()
    entry.symlink_to(outside / "secret.html")
    before = files_of(outside)
    fresh_checkout(built)

    assert_built_as_without_cache(built)
    assert files_of(outside) == before
    assert_clean_output(built.root / "site", OUTSIDE_SECRET)


def test_a_file_where_the_cache_folder_goes_is_not_fatal(built: SiteDir):
    shutil.rmtree(built.root / ".cache")
    (built.root / ".cache").write_text("not a folder", encoding="utf-8")
    fresh_checkout(built)

    assert_built_as_without_cache(built)
    assert (built.root / ".cache").read_text(encoding="utf-8") == "not a folder"


# --- the model snapshot (issue 11): kept models are data too ----------------------------------

def forge_models(site: SiteDir, change) -> int:
    """Rewrite every kept model through `change(name -> value map)`, sealed as the engine
    seals: what someone who can write the cache can do. Returns how many were changed."""
    from portal.content.codec import _FIELDS, _KINDS
    count = 0
    for entry in entries(site, "models"):
        part = json.loads(unseal(entry.read_bytes()))
        for kept in part.values():
            cls = _KINDS[kept[1][0]]
            names = [name for name, _ in _FIELDS[cls]]
            values = dict(zip(names, kept[1][2:]))
            change(values)
            kept[1][2:] = [values[name] for name in names]
            count += 1
        entry.write_bytes(seal(json.dumps(part, ensure_ascii=False).encode("utf-8")))
    return count


@pytest.mark.parametrize("garbage", [b"", b"\x00" * 64, "{\"a\": [1, 2]}".encode()],
                         ids=["empty", "zeros", "foreign json"])
def test_damaged_model_snapshot_is_a_miss(built: SiteDir, garbage: bytes):
    for entry in entries(built, "models"):
        entry.write_bytes(seal(garbage) if garbage.startswith(b"{") else garbage)
    fresh_checkout(built)

    assert_built_as_without_cache(built)


@pytest.mark.parametrize("changes", [
    {"url": "../../../outside/index"}, {"slug": "../x"}, {"title": "Tin\u0000giả"},
    {"title": 12}, {"date": "2024-01-01"}, {"date": ["2024-01-01T00:00:00", "Nowhere/Zone"]},
    {"extra": {"@dict": [["link_url", "javascript:alert(1)"]]}}, {"tags": "trẻ em"},
    {"url_from": ["title"]}, {"extra": {"@python": "os.system"}},
    # found by attacking the result: slugs no slugify makes, reserved page slugs, times
    # out of the engine's years or zones (a zone folder, a name too long for a file)
    {"slug": ".", "url": "./"}, {"slug": ".", "url": "tin-tuc/./"}, {"slug": "", "url": ""},
    {"slug": "tin-tuc", "url": "tin-tuc/"}, {"slug": "%2e%2e", "url": "%2e%2e/"},
    {"date": ["0001-01-01T00:00:00", [3600, False]]}, {"date": ["2024-01-01T00:00:00", "America"]},
    {"date": ["2024-01-01T00:00:00", "A" * 300]}, {"date": ["2024-01-01T00:00:00", [0.5, False]]},
    {"issued": ["9999-12-31T23:59:00", [-3600, False]]},
], ids=lambda changes: str(changes)[:30])
def test_forged_model_snapshot_is_a_miss(built: SiteDir, changes: dict):
    """Well-sealed models that no build of these sources wrote: a wrong type, an address
    that leaves the site or takes another's, a control character, an unsafe link, a time
    the engine never makes. Each is made again from its file; the site is what a build
    without cache makes."""
    def forge(values: dict) -> None:
        if set(changes) <= set(values):
            values.update(changes)

    assert forge_models(built, forge) > 0
    fresh_checkout(built)

    assert_built_as_without_cache(built)
    assert_clean_output(built.root / "site", b"javascript:alert", b"outside/index")


def test_a_kept_model_of_another_kind_is_a_miss(built: SiteDir):
    """A page's model kept under a news file's name (sealed, well-formed) is made again
    from the news file, not handed to the news collection."""
    from portal.content.codec import encode_model
    from portal.models import Page
    page = Page(path="", title="Trang giả", slug="trang-gia", url="trang-gia/", body="",
                digest="0" * 40)
    for entry in entries(built, "models"):
        part = json.loads(unseal(entry.read_bytes()))
        for rel, kept in part.items():
            if rel.startswith("content/news/"):
                forged = encode_model(Page(**{**page.__dict__, "path": rel}))
                kept[1] = forged
        entry.write_bytes(seal(json.dumps(part, ensure_ascii=False).encode("utf-8")))
    fresh_checkout(built)

    assert_built_as_without_cache(built)
