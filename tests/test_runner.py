"""Running many notebook jobs in parallel: outcomes in job order, failures contained, stamps set."""
import json
from pathlib import Path

import nbformat
import pytest

from livingreview.book import fingerprints
from livingreview.book import runner
from livingreview.book.execute import Job


@pytest.fixture
def template(tmp_path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("x = 0")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny"),
        parameters,
        nbformat.v4.new_code_cell(
            "if x < 0:\n    raise ValueError(f'negative x: {x}')\nprint(x * 2)"
        ),
    ]
    path = tmp_path / "template.ipynb"
    nbformat.write(nb, path)
    return path


def _printed(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "".join(nb["cells"][-1]["outputs"][0]["text"])


def test_jobs_run_in_parallel_and_outcomes_keep_job_order(tmp_path, template):
    out = tmp_path / "chapters"
    jobs = [Job(template, out / f"n{x}.ipynb", {"x": x}) for x in (3, -1, 5)]
    old_failed = out / "n-1.ipynb"
    old_failed.parent.mkdir()
    old_failed.write_text("previous good output", encoding="utf-8")
    lines = []

    outcomes = runner.run_jobs(jobs, workers=2, reused=4, report=lines.append)

    assert [o.job for o in outcomes] == jobs
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "negative x: -1" in outcomes[1].error
    assert _printed(out / "n3.ipynb") == "6\n"
    assert _printed(out / "n5.ipynb") == "10\n"
    # A failed job leaves the notebook it would have replaced as it was.
    assert old_failed.read_text(encoding="utf-8") == "previous good output"
    assert len(lines) == 1
    assert lines[0].startswith("executed 2, reused 4, failed 1 in ")
    assert lines[0].endswith(" s")


def test_executed_notebooks_are_stamped_with_their_fingerprint(tmp_path, template):
    job = Job(template, tmp_path / "chapters" / "one.ipynb", {"x": 1})
    [outcome] = runner.run_jobs([job], fingerprints={job.output: "f00d"}, report=lambda _: None)
    assert outcome.ok
    assert fingerprints.is_fresh(job.output, "f00d")
    assert _printed(job.output) == "2\n"


def test_no_jobs_gives_no_outcomes_and_still_a_summary():
    lines = []
    assert runner.run_jobs([], reused=7, report=lines.append) == []
    assert lines[0].startswith("executed 0, reused 7, failed 0 in ")


def test_a_missing_template_is_a_failed_outcome_not_a_crash(tmp_path, template):
    jobs = [
        Job(tmp_path / "no-such-template.ipynb", tmp_path / "a.ipynb", {}),
        Job(template, tmp_path / "b.ipynb", {"x": 2}),
    ]
    outcomes = runner.run_jobs(jobs, workers=2, report=lambda _: None)
    assert [o.ok for o in outcomes] == [False, True]
    assert not (tmp_path / "a.ipynb").exists()


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_a_reused_kernel_starts_each_notebook_clean_and_numbers_cells_from_one(tmp_path):
    leaker = _notebook(tmp_path / "leak.ipynb", "leaked = 42", "print('set')")
    checker = _notebook(tmp_path / "check.ipynb", "print('leaked' in dir())")
    out = tmp_path / "out"
    jobs = [Job(leaker, out / "a.ipynb", {}), Job(checker, out / "b.ipynb", {}), Job(checker, out / "c.ipynb", {})]
    outcomes = runner.run_jobs(jobs, workers=1, report=lambda line: None)
    assert [o.ok for o in outcomes] == [True, True, True]
    for name in ("b.ipynb", "c.ipynb"):
        nb = nbformat.read(out / name, as_version=4)
        assert nb.cells[0].outputs[0]["text"] == "False\n"
        assert [c.execution_count for c in nb.cells] == [1]
    assert [c.execution_count for c in nbformat.read(out / "a.ipynb", as_version=4).cells] == [1, 2]


def test_warm_and_fresh_kernels_give_identical_notebooks(tmp_path):
    from livingreview.book import execute

    code = ("import math", "print(math.pi)", "x = {'b': 2, 'a': 1}\nx")
    first = _notebook(tmp_path / "first.ipynb", "y = 1")
    second = _notebook(tmp_path / "second.ipynb", *code)
    warm = tmp_path / "warm"
    runner.run_jobs([Job(first, warm / "1.ipynb", {}), Job(second, warm / "2.ipynb", {})],
                    workers=1, report=lambda line: None)
    fresh = tmp_path / "fresh" / "2.ipynb"
    assert execute.run(Job(second, fresh, {})).ok
    assert (warm / "2.ipynb").read_bytes() == fresh.read_bytes()


def test_a_prompt_client_is_ready_only_once_iopub_is_subscribed_so_no_output_is_lost(tmp_path):
    """Ready means answered on shell and on IOPub: the first cell's output after it always arrives
    (a client that declared itself ready before IOPub was subscribed would lose it)."""
    from jupyter_client.manager import KernelManager

    kernel = KernelManager(kernel_name="python3", client_class="livingreview.book.runner.PromptClient")
    kernel.start_kernel(cwd=str(tmp_path), env=runner.kernel_environment())
    try:
        for attempt in range(8):  # fresh sockets each time: a lost subscription would show
            client = kernel.client()
            assert isinstance(client, runner.PromptClient)
            client.start_channels()
            try:
                client.wait_for_ready(timeout=60)
                seen = []
                reply = client.execute_interactive(
                    f"print('hello {attempt}')", timeout=60, output_hook=seen.append)
                assert reply["content"]["status"] == "ok"
                streams = [m["content"]["text"] for m in seen if m["msg_type"] == "stream"]
                assert streams == [f"hello {attempt}\n"]
            finally:
                client.stop_channels()
    finally:
        kernel.shutdown_kernel(now=True)
