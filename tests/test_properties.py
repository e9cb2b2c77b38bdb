"""Random input against the parts that read data from people: the front-matter reader,
the slug function, the URL checker and a whole build of a random news file. The only
outcomes allowed are a result or a `ContentError` with a path; never another exception.
(The weather parser's random answers are in test_attack_weather.py.)
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from conftest import MINIMAL_CONFIG, REPO
from portal.content.discover import SourceFile
from portal.errors import BuildFailed, ErrorLog
from portal.urls import SAFE_SCHEMES, url_problem
from portal.content.parse import read_source
from portal.pipeline import BuildOptions, build
from portal.urls import slugify
from portal.writer import MemoryWriter

FIELDS = ("title", "date", "category", "tags", "summary", "image", "image_alt", "author",
          "source", "documents", "draft", "featured", "slug", "menu", "number", "type",
          "issuer", "issued", "effective", "expires", "signer", "files", "targets")
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=40),
                    st.sampled_from(["2024-04-12", "12/04/2024 08:30", "0001-01-01 00:00+05:00",
                                     "9999-12-31 23:59-05:00", "2019-02-30", "javascript:alert(1)",
                                     "/media/none.jpg", "../../etc/passwd", "606/KH-UBND"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["label", "value", "title", "url"]), inner,
                                        max_size=3), max_leaves=6)
FRONT_MATTER = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: f"---\n{t}\n---\nx\n".encode()))
@example(b"---\ntrue\n---\nx\n")  # front matter that is no mapping: true/false
def test_front_matter_reader_gives_an_entry_or_located_errors(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "content" / "news" / "a.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        errors = ErrorLog(root)
        entry = read_source(SourceFile(path, "news", "content/news/a.md"), errors)
    assert (entry is None) == bool(errors.errors)
    for error in errors.errors:
        assert error.path == "content/news/a.md"


@SETTINGS
@given(st.text(max_size=80))
def test_slugs_are_one_safe_path_segment(text: str):
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|", slug), slug


@SETTINGS
@given(st.text(max_size=30), st.sampled_from(["", " ", "\t", "\n", "\x00", "\x1f"]))
def test_accepted_urls_never_start_with_a_script_scheme(text: str, noise: str):
    url = noise + text
    if url_problem(url) is None:
        seen = re.sub(r"[\x00-\x20\x7f]", "", url)
        scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", seen)
        assert scheme is None or scheme.group(1).lower() in SAFE_SCHEMES
        assert not seen.startswith("//")


@SETTINGS
@given(st.text(max_size=30))
def test_script_schemes_are_refused_however_written(text: str):
    for scheme in ("javascript", "JaVaScRiPt", "java\tscript", " data", "vbscript"):
        assert url_problem(f"{scheme}:{text}") == "unsafe_url"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(FRONT_MATTER, st.text(max_size=200), st.sampled_from(["news", "documents", "pages"]))
@example({"title": "a", "date": "0001-01-01 00:00+05:00", "category": "b"}, "x", "news")
@example({"number": "1/KH", "type": "Kế hoạch", "title": "a", "issuer": "b", "signer": "c",
          "issued": "2024-01-01", "expires": "9999-12-31 23:59-05:00"}, "x", "documents")
@example({"title": "a", "date": "2024-01-01", "category": "b"}, "- " * 500, "news")
@example({"title": "a", "date": "2024-01-01", "category": "b", "image": "../../etc/passwd"}, "x", "news")
def test_a_random_content_file_builds_or_fails_with_located_errors(meta, body, kind):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "templates", root / "templates")
        (root / "config.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
        path = root / "content" / kind / "random.md"
        path.parent.mkdir(parents=True)
        text = yaml.safe_dump(meta, allow_unicode=True) if meta else "{}\n"
        path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8", errors="surrogatepass")
        options = BuildOptions(root=root, use_cache=False, search=False, offline=True, jobs=1)
        try:
            result = build(options, MemoryWriter())
        except BuildFailed as failure:
            assert failure.errors
            assert all(error.path for error in failure.errors)
        else:
            assert result.pages > 0
