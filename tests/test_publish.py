"""Publishing: each build brings the spare tree (the site before last, `.site.spare`) up
to date instead of writing every file anew. Whatever state that tree is in, the
published site must equal a from-scratch build, and a failed build must leave it alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import SMALL_SITE, SiteDir, make_site, news

# A site big enough that pages are rendered by worker processes (200 or more to render).
MANY_NEWS = {f"content/news/tin-{n:03}.md": news(f"Tin số {n}", f"2024-03-{n % 28 + 1:02} 08:00",
                                                  body=f"Nội dung tin số {n}.")
             for n in range(120)}


# --- helpers -------------------------------------------------------------------------------

def contents(folder: Path) -> dict[str, bytes | None]:
    """Every file (path -> bytes) and folder (path -> None) under `folder`."""
    found: dict[str, bytes | None] = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        found[rel] = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
    return found


def fresh_build(site: SiteDir, tmp_path: Path, cli_process: bool = False) -> Path:
    """The site built from scratch into a new folder, without the cache."""
    out = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    run = site.build("--no-cache", "--output", str(out), cli_process=cli_process)
    assert run.code == 0, run.stderr
    return out


def assert_same_as_fresh(site: SiteDir, tmp_path: Path, step: str = "") -> None:
    assert_same(site, contents(fresh_build(site, tmp_path)), step)


def assert_same(site: SiteDir, expected: dict[str, bytes | None], step: str = "") -> None:
    built = contents(site.root / "site")
    assert sorted(built) == sorted(expected), step
    assert built == expected, step


def assert_both_trees_same_as_fresh(site: SiteDir, tmp_path: Path, *args: str, step: str = "",
                                    cli_process: bool = False) -> None:
    """Build twice, once into each of the two trees: each time the site is what a fresh
    build of the same sources makes (made once: the sources do not change in between)."""
    expected = contents(fresh_build(site, tmp_path, cli_process))
    for _ in range(2):
        build_ok(site, *args, cli_process=cli_process)
        assert_same(site, expected, step)


def build_ok(site: SiteDir, *args: str, cli_process: bool = False) -> None:
    run = site.build(*args, cli_process=cli_process)
    assert run.code == 0, run.stderr


@pytest.fixture
def built(tmp_path: Path) -> SiteDir:
    """The small site with a static file, built three times with a change each time (a
    build that changes nothing swaps nothing): `.site.spare` is then a tree that a build
    has already brought up to date once."""
    site = make_site(tmp_path, SMALL_SITE)
    for shade in ("navy", "teal", "navy"):
        site.write("static/css/extra.css", f"body {{ color: {shade}; }}\n")
        build_ok(site)
    assert (site.root / ".site.spare").is_dir()
    return site


# --- the site after many incremental builds equals a fresh one -----------------------------

def add_item(site: SiteDir) -> None:
    site.write("content/news/2024/moi.md", news("Tin mới", "2024-07-01"))


def edit_title(site: SiteDir) -> None:
    retitled = news("Hội nghị sơ kết", tags="[trẻ em, tập huấn]")
    site.write("content/news/2024/hoi-nghi.md", retitled)


def delete_item(site: SiteDir) -> None:
    (site.root / "content/news/2023/binh-dang.md").unlink()


def change_static_file(site: SiteDir) -> None:
    site.write("static/css/extra.css", "body { color: red; }\n")


def delete_static_file(site: SiteDir) -> None:
    (site.root / "static/css/extra.css").unlink()


def change_template(site: SiteDir) -> None:
    """Every page's key changes: all are rendered again and replace the older files."""
    robots = site.root / "templates/robots.txt"
    robots.write_text(robots.read_text() + "# v2\n")


@pytest.mark.parametrize("changes", [
    [add_item, edit_title, delete_item, change_static_file, delete_static_file, change_template],
    [change_template, delete_item, add_item],
], ids=["one-by-one", "template-first"])
def test_incremental_builds_equal_a_fresh_build(built: SiteDir, tmp_path: Path, changes):
    for change in [*changes, lambda site: None]:
        change(built)
        assert_both_trees_same_as_fresh(built, tmp_path, step=getattr(change, "__name__", ""))


def test_unchanged_files_are_left_in_place(built: SiteDir):
    # Static files are written, not linked from the cache, so each tree has its own inode.
    first = os.stat(built.root / "site/css/extra.css").st_ino
    build_ok(built)
    build_ok(built)
    assert os.stat(built.root / "site/css/extra.css").st_ino == first


def test_a_page_url_that_becomes_a_folder_and_back(built: SiteDir, tmp_path: Path):
    built.write("static/gioi-thieu", "a file where the page's folder was\n")
    built.write("content/pages/gioi-thieu.md", "---\ntitle: Giới thiệu\nslug: ve-toi\n---\nX\n")
    assert_both_trees_same_as_fresh(built, tmp_path)
    (built.root / "static/gioi-thieu").unlink()
    built.write("content/pages/gioi-thieu.md", SMALL_SITE["content/pages/gioi-thieu.md"])
    assert_both_trees_same_as_fresh(built, tmp_path)


def test_worker_processes_update_the_spare_tree(tmp_path: Path):
    # Builds in processes of their own: workers are forked, and the test process has
    # xdist's threads (a fork may copy a lock one of them holds).
    site = make_site(tmp_path, MANY_NEWS)
    for _ in range(2):
        build_ok(site, "--jobs", "2", cli_process=True)
    site.write("templates/robots.txt", (site.root / "templates/robots.txt").read_text() + "# v2\n")
    (site.root / "content/news/tin-007.md").unlink()
    # every page is rendered again, by the workers, over older files
    assert_both_trees_same_as_fresh(site, tmp_path, "--jobs", "2", cli_process=True)


# --- failures and damage -------------------------------------------------------------------

def test_content_error_after_incremental_builds_leaves_the_site_alone(built: SiteDir):
    before = built.tree_digest()
    add_item(built)
    built.write("content/news/hong.md", "---\ntitle: Thiếu ngày\n---\nX\n")

    run = built.build()

    assert run.code == 1
    assert built.tree_digest() == before
    assert not (built.root / ".site.staging").exists()


def test_template_error_midway_leaves_the_site_alone_and_the_next_build_right(built: SiteDir,
                                                                               tmp_path: Path):
    before = built.tree_digest()
    built.write("static/css/extra.css", "body { color: green; }\n")  # written before the error
    news_template = (built.root / "templates/news.html").read_text()
    built.write("templates/news.html", "{% extends 'base.html' %}\n{% block content %}\n{{ x }\n"
                                       "{% endblock %}\n")

    assert built.build().code == 1
    assert built.tree_digest() == before
    assert not (built.root / ".site.staging").exists()

    built.write("templates/news.html", news_template)
    build_ok(built)
    assert_same_as_fresh(built, tmp_path)


def test_leftover_staging_folder_is_not_trusted(built: SiteDir, tmp_path: Path):
    staging = built.root / ".site.staging"
    shutil.copytree(built.root / "site", staging)
    (staging / "index.html").write_text("half written")
    (staging / "stray.html").write_text("from a killed build")
    shutil.rmtree(staging / "tin-tuc")
    (staging / "tin-tuc").write_text("a file where a folder goes")
    add_item(built)

    build_ok(built)

    assert_same_as_fresh(built, tmp_path)
    assert not staging.exists()


def test_killed_build_staging_is_reused(built: SiteDir, tmp_path: Path):
    os.rename(built.root / ".site.spare", built.root / ".site.staging")  # killed before publishing
    build_ok(built)
    assert_same_as_fresh(built, tmp_path)
    assert not (built.root / ".site.staging").exists()


def test_damaged_spare_tree_is_repaired(built: SiteDir, tmp_path: Path):
    spare = built.root / ".site.spare"
    outside = tmp_path / "outside"  # the folders of chuyen-muc/, empty, for a link to point at
    shutil.copytree(spare / "chuyen-muc", outside, ignore=lambda folder, names: [
        name for name in names if (Path(folder) / name).is_file()])
    with open(spare / "css/extra.css", "r+b") as css:  # same size, new bytes, in place
        css.write(b"BODY")
    (spare / "robots.txt").unlink()
    (spare / "404.html").unlink()
    (spare / "404.html").write_text("replaced by hand")
    (spare / "them-vao.html").write_text("added by hand")
    (spare / "tin-tuc" / "rong").mkdir()
    shutil.rmtree(spare / "chuyen-muc")
    (spare / "chuyen-muc").symlink_to(outside, target_is_directory=True)

    assert_both_trees_same_as_fresh(built, tmp_path)
    assert [path for path in outside.rglob("*") if path.is_file()] == []


def test_damaged_manifest_is_not_trusted(built: SiteDir, tmp_path: Path):
    for manifest in (built.root / ".cache" / "trees").rglob("*.json"):
        manifest.write_text("{not json")
    add_item(built)
    assert_both_trees_same_as_fresh(built, tmp_path)


def test_deleting_the_cache_still_gives_the_right_site(built: SiteDir, tmp_path: Path):
    shutil.rmtree(built.root / ".cache")
    edit_title(built)
    assert_both_trees_same_as_fresh(built, tmp_path)


def test_builds_without_cache_and_other_outputs_do_not_mix(built: SiteDir, tmp_path: Path):
    other = tmp_path / "public"
    build_ok(built, "--output", str(other))
    build_ok(built, "--no-cache")
    add_item(built)
    build_ok(built, "--output", str(other))
    build_ok(built)

    assert_same_as_fresh(built, tmp_path)
    assert contents(other) == contents(built.root / "site")
    assert len(list((built.root / ".cache" / "trees").iterdir())) == 2


def test_site_is_a_real_folder(built: SiteDir):
    assert (built.root / "site").is_dir() and not (built.root / "site").is_symlink()


# --- the memory writer -----------------------------------------------------------------------

def test_memory_writer_gets_the_same_files(built: SiteDir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    from portal.pipeline import BuildOptions, build
    from portal.writer import MemoryWriter

    writer = MemoryWriter()
    build(BuildOptions(root=built.root, jobs=1, use_cache=False), writer)

    on_disk = {rel: data for rel, data in contents(built.root / "site").items() if data is not None}
    # Static files are kept as the path to read them from: read each.
    assert {rel: writer.read(rel) for rel in writer.files} == on_disk
