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

    assert {".cache/", "data/weather-cache.json"} <= set(pipeline["cache"]["paths"])
    pages = pipeline["pages"]
    script = pages["script"]
    assert script.index("python build.py weather") < script.index("python build.py check")
    build = [line for line in script if line.startswith("python build.py build")]
    assert len(build) == 1 and "--output public" in build[0]
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
