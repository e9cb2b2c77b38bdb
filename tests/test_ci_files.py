"""The CI templates an office turns on (they cannot run here): both build on push and
on a schedule, run `check` first, refresh the weather, cache `.cache/`, and publish the
built site to Pages."""

from __future__ import annotations

import yaml

from conftest import REPO


def test_github_workflow_checks_builds_caches_and_publishes_hourly():
    workflow = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true

    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert triggers["schedule"][0]["cron"].split()[1:] == ["*", "*", "*", "*"]  # every hour
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    runs = [step["run"] for step in steps if "run" in step]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    cache = steps[uses.index("actions/cache")]["with"]["path"].split()
    assert ".cache" in cache and "data/weather-cache.json" in cache
    assert workflow["jobs"]["build"]["if"] == "github.ref == 'refs/heads/main'"
    assert runs[0] == "python -m pip install -e ."
    assert runs[1] == "python build.py weather"  # first, so that build reuses check's pages
    assert runs[2] == "python build.py check --format github"
    assert runs[3].startswith("python build.py build")
    assert steps[-1] == {"uses": "actions/upload-pages-artifact@v3", "with": {"path": "site"}}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_gitlab_pages_job_checks_builds_into_public_and_caches():
    pipeline = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))

    pages = pipeline["pages"]
    assert {".cache/", "data/weather-cache.json"} <= set(pages["cache"]["paths"])
    script = pages["script"]
    assert script.index("python build.py weather") < script.index("python build.py check")
    build = [line for line in script if line.startswith("python build.py build")]
    assert len(build) == 1 and "--output public" in build[0]
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


def test_no_unprotected_job_writes_the_cache_the_publishing_job_reads():
    """A merge request's job runs unreviewed content and code: if it shared the publishing
    job's cache, it could put well-formed pages of its own making on the published site."""
    pipeline = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "cache" not in pipeline and "cache" not in pipeline.get("default", {})  # no shared one
    check, pages = pipeline["check"]["cache"]["key"], pipeline["pages"]["cache"]["key"]
    assert check != pages and "$CI_COMMIT_REF_SLUG" in check
    assert "$CI_COMMIT_REF" not in pages and "$CI_MERGE_REQUEST" not in pages  # no name a branch picks
    assert pipeline["pages"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]

    workflow = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    assert "pull_request" not in workflow[True] and "pull_request_target" not in workflow[True]
    build = workflow["jobs"]["build"]
    assert build["if"] == "github.ref == 'refs/heads/main'"  # a dispatch from another ref: no run
    cache = next(step["with"] for step in build["steps"]
                 if step.get("uses", "").startswith("actions/cache"))
    assert "${{ github.ref_name }}" in cache["key"]
    assert cache["restore-keys"].rstrip("-").endswith("${{ github.ref_name }}")
