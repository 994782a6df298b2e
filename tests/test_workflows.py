"""The GitHub Actions workflows parse, run the shards as a matrix and render once, and CI runs .ci/run."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_every_workflow_is_valid_yaml_with_jobs_and_steps():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"publish.yml", "test.yml"}
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["jobs"] and True in data  # `on:` loads as the key True in YAML 1.1
        for job in data["jobs"].values():
            assert job["runs-on"] and job["steps"]
            assert all(("run" in s) != ("uses" in s) for s in job["steps"])


def test_publish_runs_every_shard_in_a_matrix_and_renders_once_from_their_notebooks():
    flow = _load("publish.yml")
    count = int(flow["env"]["SHARDS"])
    execute, render, deploy = flow["jobs"]["execute"], flow["jobs"]["render"], flow["jobs"]["deploy"]
    assert execute["strategy"]["matrix"]["shard"] == list(range(1, count + 1))
    assert "SHARD=${{ matrix.shard }}/${{ env.SHARDS }}" in _runs(execute)
    assert "_build/shards/${{ matrix.shard }}-of-${{ env.SHARDS }}.txt" in _runs(execute)
    assert "actions/upload-artifact" in _uses(execute)
    assert render["needs"] == "execute" and deploy["needs"] == "render"
    assert "actions/download-artifact" in _uses(render)
    assert "build --no-execute --require-fresh" in _runs(render)
    assert "actions/upload-pages-artifact" in _uses(render) and "actions/deploy-pages" in _uses(deploy)
    assert "--shard" not in _runs(render) and "make book" not in _runs(render)


def test_ci_runs_the_test_command_through_ci_run():
    flow = _load("test.yml")
    assert any(".ci/run" in step.get("run", "") for job in flow["jobs"].values() for step in job["steps"])
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_make_book_passes_a_shard_through():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(if $(SHARD),--shard $(SHARD),)" in makefile
