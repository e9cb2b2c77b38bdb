"""Bad content and config: the build stops with exit 1, says where and what to write,
and leaves the previous site alone.

Each case drops files from `tests/sites/invalid/` (one bad input per file, otherwise
valid) into a site that has already been built once, and builds again.
"""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import INVALID, MINIMAL_CONFIG, SMALL_SITE, BuildRun, SiteDir, make_site


@dataclass(frozen=True)
class Case:
    """A bad input and the error line the editor must see for it."""

    files: tuple[str, ...]  # under tests/sites/invalid/; see `_destination`
    line: int  # the line of the shown file the error points at
    field: str | None  # None when the problem is the whole file, not one field
    says: tuple[str, ...]  # key phrases of the message: what is wrong, what to write
    shown: tuple[str, ...] = ()  # the paths the error may name; default: the one file

    @property
    def id(self) -> str:
        return self.files[0].removesuffix("_a.md").rsplit(".", 1)[0]

    @property
    def paths(self) -> tuple[str, ...]:
        return self.shown or tuple(_destination(name) for name in self.files)


def _destination(fixture: str) -> str:
    """config_*.yaml replaces config.yaml, page_*.md is a page, doc_news_*.md a news item
    about documents, doc_*.md a document, anything else a news item."""
    if fixture.endswith(".yaml"):
        return "config.yaml"
    if fixture.startswith("page_"):
        return f"content/pages/{fixture}"
    if fixture.startswith("doc_") and not fixture.startswith("doc_news_"):
        return f"content/documents/{fixture}"
    return f"content/news/{fixture}"


CASES = [
    Case(("unclosed_yaml.md",), 2, None, ("YAML", "dấu ngoặc kép")),
    Case(("unclosed_list.md",), 5, None, ("YAML", "dấu ngoặc vuông")),
    Case(("not_mapping.md",), 2, None, ("tên: giá trị", "danh sách")),
    Case(("not_mapping_text.md",), 2, None, ("tên: giá trị", "title: Tiêu đề")),
    Case(("missing_title.md",), 1, "title", ("thiếu trường bắt buộc", "title: ")),
    Case(("missing_date.md",), 1, "date", ("thiếu trường bắt buộc", "date: 2024-04-12")),
    Case(("missing_category.md",), 1, "category", ("thiếu trường bắt buộc", "category: ")),
    Case(("impossible_date.md",), 3, "date", ("2019-02-30", "không hợp lệ", "2024-04-12")),
    Case(("wrong_type_tags.md",), 5, "tags", ("danh sách", "tags: [")),
    Case(("not_utf8.md",), 2, None, ("UTF-8", "lưu lại")),
    Case(("empty.md",), 1, None, ("tệp trống", "---")),
    Case(("missing_image.md",), 5, "image", ("không có tệp", "static/media/khong-co.jpg")),
    Case(("duplicate_url_a.md", "duplicate_url_b.md"), 5, "slug", ("/tin-tuc/trung-lap/", "slug:")),
    Case(("slug_dotdot.md",), 5, "slug", ("../../etc", "không được chứa")),
    Case(("slug_slash.md",), 5, "slug", ("a/b", "không được chứa")),
    Case(("no_front_matter.md",), 1, None, ("thiếu phần đầu", "---")),
    Case(("unclosed_front_matter.md",), 1, None, ("chưa có dòng ---", "thêm một dòng ---")),
    Case(("page_missing_title.md",), 1, "title", ("thiếu trường bắt buộc", "title: ")),
    Case(("page_reserved_slug.md",), 3, "slug", ("tin-tuc", "slug khác")),
    Case(("config_wrong_value.yaml",), 3, "per_page", ("từ 1 trở lên", "0")),
    Case(("config_wrong_language.yaml",), 3, "language", ("'fr'", "vi, en")),
    Case(("config_unknown_key.yaml",), 6, "hotline", ("không có khoá", "hotlines")),
    # Documents ("văn bản"): content/documents/, see `_destination`.
    Case(("doc_duplicate_number_a.md", "doc_duplicate_number_b.md"), 2, "number", ("trùng",)),
    Case(("doc_missing_number.md",), 1, "number", ("thiếu trường bắt buộc", "number: 606/KH-UBND")),
    Case(("doc_missing_type.md",), 1, "type", ("thiếu trường bắt buộc", "type: Kế hoạch")),
    Case(("doc_missing_issuer.md",), 1, "issuer", ("thiếu trường bắt buộc", "issuer: ")),
    Case(("doc_missing_issued.md",), 1, "issued", ("thiếu trường bắt buộc", "issued: 2023-03-07")),
    Case(("doc_missing_title.md",), 1, "title", ("thiếu trường bắt buộc", "title: ")),
    Case(("doc_expires_before_issued.md",), 7, "expires", ("2022-12-31", "2023-03-07", "sớm hơn")),
    Case(("doc_missing_attachment.md",), 7, "files", ("không có tệp", "static/files/khong-co.pdf")),
    Case(("doc_targets_not_list.md",), 7, "targets", ("danh sách", "{label, value}", "targets: [{label:")),
    Case(("doc_target_without_value.md",), 7, "targets", ("mục thứ 2", "{label, value}", "targets: [{label:")),
    Case(("doc_news_unknown_document.md",), 5, "documents", ("999/KH-UBND", "content/documents/",
                                                              'new document "999/KH-UBND"')),
]


def _params() -> list:
    return [pytest.param(case, id=case.id) for case in CASES]


@dataclass
class Refusal:
    """A site built once, then given a bad input and built again."""

    site: SiteDir
    digest_before: str
    run: BuildRun

    def error_lines(self, path: str) -> list[str]:
        return [line for line in self.run.stderr.splitlines() if line.startswith(path + ":")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> SiteDir:
    """The valid site, built once; each case works on a copy of the folder."""
    site = make_site(tmp_path_factory.mktemp("built"), SMALL_SITE)
    assert site.build().code == 0
    return site


@pytest.fixture(scope="module")
def refuse(built: SiteDir, tmp_path_factory):
    """Copy the built site, add a case's bad files, build again; each case runs once."""
    done: dict[tuple[str, ...], Refusal] = {}

    def run(*fixtures: str) -> Refusal:
        if fixtures not in done:
            site = SiteDir(tmp_path_factory.mktemp("bad") / "portal")
            shutil.copytree(built.root, site.root)
            digest = site.tree_digest()
            for name in fixtures:
                destination = site.root / _destination(name)
                destination.parent.mkdir(parents=True, exist_ok=True)  # content/documents/ is new
                shutil.copyfile(INVALID / name, destination)
            done[fixtures] = Refusal(site, digest, site.build())
        return done[fixtures]

    return run


def test_every_fixture_is_a_case():
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(f for c in CASES for f in c.files)


def test_fixture_not_utf8_really_is_not_utf8():
    data = (INVALID / "not_utf8.md").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Hội nghị" in unicodedata.normalize("NFC", data.decode("cp1258"))


@pytest.mark.parametrize("case", _params())
def test_bad_input_stops_the_build_and_keeps_the_site(case: Case, refuse):
    refused = refuse(*case.files)

    assert refused.run.code == 1, refused.run.stderr
    assert "Traceback" not in refused.run.stderr
    assert refused.site.tree_digest() == refused.digest_before
    assert not (refused.site.root / ".site.staging").exists()
    assert not (refused.site.root / ".site.old").exists()


@pytest.mark.parametrize("case", _params())
def test_message_names_file_line_field_and_what_to_write(case: Case, refuse):
    refused = refuse(*case.files)
    lines = [line for path in case.paths for line in refused.error_lines(path)]
    assert lines, f"no error names {case.paths}:\n{refused.run.stderr}"

    field = f" {case.field}:" if case.field else ""
    expected = [f"{path}:{case.line}:{field} " for path in case.paths]
    matching = [line for line in lines if line.startswith(tuple(expected))]
    assert matching, f"expected a line starting with {expected}, got:\n" + "\n".join(lines)
    for phrase in case.says:
        assert phrase in matching[0]


def test_duplicate_url_error_names_the_other_file(refuse):
    refused = refuse("duplicate_url_a.md", "duplicate_url_b.md")
    a, b = "content/news/duplicate_url_a.md", "content/news/duplicate_url_b.md"
    assert any(b in line for line in refused.error_lines(a)) or \
        any(a in line for line in refused.error_lines(b)), refused.run.stderr


def test_duplicate_number_error_names_both_files(refuse):
    refused = refuse("doc_duplicate_number_a.md", "doc_duplicate_number_b.md")
    a, b = "content/documents/doc_duplicate_number_a.md", "content/documents/doc_duplicate_number_b.md"
    said = [line for line in refused.error_lines(a) + refused.error_lines(b)
            if "606/KH-UBND" in line and "số ký hiệu riêng" in line]
    assert said, refused.run.stderr
    assert all(a in line and b in line for line in said), said


def test_slug_that_climbs_out_writes_nothing_outside(refuse):
    refused = refuse("slug_dotdot.md")
    assert not (refused.site.root.parent / "etc").exists()
    assert not (refused.site.root / "etc").exists()


def test_all_errors_of_one_run_are_reported_together_sorted_by_file(tmp_path: Path):
    site = make_site(tmp_path, SMALL_SITE, config=(INVALID / "config_wrong_value.yaml").read_text())
    bad = ["wrong_type_tags.md", "empty.md", "missing_image.md", "impossible_date.md", "slug_slash.md"]
    for name in bad:
        site.write(f"content/news/{name}", (INVALID / name).read_bytes())

    run = site.build()

    assert run.code == 1
    assert "Traceback" not in run.stderr
    assert not (site.root / "site").exists()
    named = [line.split(":", 1)[0] for line in run.stderr.splitlines()[1:] if line.strip()]
    assert named == ["config.yaml"] + sorted(f"content/news/{name}" for name in bad)
    assert "Có 6 lỗi" in run.stderr.splitlines()[0]


def test_errors_are_in_english_when_the_portal_is(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/impossible_date.md": (INVALID / "impossible_date.md").read_bytes(),
        "content/news/missing_title.md": (INVALID / "missing_title.md").read_bytes(),
    }, config=MINIMAL_CONFIG + "language: en\n")

    run = site.build()

    assert run.code == 1
    assert "content/news/impossible_date.md:3: date: '2019-02-30' is not a valid date" in run.stderr
    assert "write it as 2024-04-12" in run.stderr
    assert "content/news/missing_title.md:1: title: required field missing" in run.stderr
    assert "2 error(s)" in run.stderr
    assert "không hợp lệ" not in run.stderr and "thiếu" not in run.stderr


def test_category_that_makes_no_address_is_an_error(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/a.md": (
        "---\ntitle: Tin không có chuyên mục hợp lệ\ndate: 2024-04-12\ncategory: '!!!'\n---\nNội dung.\n")})

    run = site.build()

    assert run.code == 1
    assert "content/news/a.md:4: category:" in run.stderr
