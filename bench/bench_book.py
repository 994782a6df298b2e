"""Book build times on a review of N synthetic papers, in a temporary copy of the project.

    .venv/bin/python bench/bench_book.py [--papers 60] [--also-papers 300] [--workers 2]
        [--skip-jupyter-book] [--profile] [--json] [--keep]

Builds, each timed as (execute notebooks, build the site):
  1. full rebuild with our executor: every notebook re-run with papermill in parallel
     (`build_project(force=True)`), then Jupyter Book renders the stored outputs;
  2. the rebuild after adding one paper: `add_paper`, then only the stale notebooks (the new
     chapter and the synthesis pages) run, and the site is rebuilt incrementally;
  3. full rebuild with Jupyter Book's own executor (execute_notebooks: force, one notebook
     after another) from a clean _build (left out with --skip-jupyter-book);
  4. with --also-papers M: builds 1 and 2 again on a review of M papers (the growth factor).
--profile splits the add-one rebuild: each notebook's time, a kernel's start and imports, the
synthesis page's cells (compute and static SVG apart) run in this process, and the site build's
phases (timed from its log lines as they arrive). A script, not a test: it prints a table and
ratios (or, with --json, one JSON object) and asserts nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from livingreview.book import build  # noqa: E402
from livingreview.book import fingerprints  # noqa: E402
from livingreview.book import registry  # noqa: E402
from livingreview.book.adding import AddError, add_paper  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
COPIED = ("_config.yml", "intro.md", "references.md", "_static", "_templates", "templates", "src",
          "requirements.txt", "constraints.txt")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SITE_PHASES = (  # Sphinx's log lines that start each phase of the site build
    ("reading", re.compile(r"^(updating environment|reading sources)")),
    ("resolving", re.compile(r"^(looking for now-outdated|pickling environment|checking consistency|preparing documents)")),
    ("copying", re.compile(r"^copying assets")),
    ("writing", re.compile(r"^writing output\.\.\. \[")),
    ("finishing", re.compile(r"^(generating indices|writing additional pages|dumping search index|build succeeded)")),
)


def say(*parts) -> None:
    """Progress and tables go to stderr when --json keeps stdout for the one JSON object."""
    print(*parts, file=sys.stderr if OPTIONS.json else sys.stdout, flush=True)


def make_project(dest: Path) -> Path:
    """A copy of the project's book frame with an empty registry."""
    dest.mkdir(parents=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, dest / name)
    (dest / "data").mkdir()
    (dest / "data/registry.yaml").write_text(registry.dump([]), encoding="utf-8")
    return dest


def add_synthetic(root: Path, count: int, seed: int, start: int = 0) -> int:
    """Register `count` synthetic papers; documents refused as duplicates are skipped."""
    incoming = root.parent / "incoming"
    incoming.mkdir(exist_ok=True)
    added, skipped, batch = 0, 0, start
    while added < count:
        for name, _fmt, text in synthetic.documents(count * 2, seed + batch):
            path = incoming / f"{batch}_{name}"
            path.write_text(text, encoding="utf-8")
            try:
                add_paper(root, path, allow_non_study=True, today="2026-01-01")
                added += 1
            except AddError:
                skipped += 1
            if added == count:
                break
        batch += 1
    return skipped


def execute(root: Path, force: bool, workers: int) -> tuple[int, int, list]:
    """The build's own prepare + execute + commit steps; returns (executed, failed, outcomes)."""
    built = build.build_project(root, force=force, jobs=workers,
                                report=lambda line: say(f"    {line}"))
    failed = [o for o in built.outcomes if not o.ok]
    for outcome in failed[:3]:
        say(f"    failed: {outcome.job.output.name}: {outcome.error}")
    return len(built.outcomes) - len(failed), len(failed), built.outcomes


def site(root: Path, log: Path) -> tuple[int, dict]:
    """Jupyter Book over the stored outputs; its status and seconds per phase (from its log)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    started = time.perf_counter()
    marks = {}
    with log.open("a", encoding="utf-8") as out, subprocess.Popen(
        [str(jb), "build", str(root), "-W", "-n", "--keep-going"], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, cwd=root, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as proc:  # unbuffered: each line is timed when Sphinx prints it
        for line in proc.stdout:
            out.write(line)
            line = ANSI.sub("", line)
            for phase, pattern in SITE_PHASES:
                if phase not in marks and pattern.search(line.strip()):
                    marks[phase] = time.perf_counter() - started
            if "updating environment" in line:
                marks["environment"] = line.strip()
        rc = proc.wait()
    total = time.perf_counter() - started
    edges = sorted(((p, marks[p]) for p, _ in SITE_PHASES if p in marks), key=lambda e: e[1])
    phases = {"start": edges[0][1] if edges else total}
    for (phase, at), following in zip(edges, [*[e[1] for e in edges[1:]], total]):
        phases[phase] = following - at
    phases = {k: round(v, 2) for k, v in phases.items()}
    phases["environment_line"] = marks.get("environment")
    return rc, phases


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def full_and_add_one(root: Path, papers: int, workers: int, log: Path) -> dict:
    """Builds 1 and 2 on a review of `papers` papers; their figures."""
    skipped = add_synthetic(root, papers, OPTIONS.seed)
    say(f"registered {papers} synthetic papers ({skipped} duplicates skipped) in {root}")
    say(f"1. full rebuild, our executor ({papers} papers)")
    (ran, failed, _), t_exec = timed(execute, root, True, workers)
    (rc, _), t_site = timed(site, root, log)
    full = {"notebooks": ran, "failed": failed, "execute_s": round(t_exec, 2),
            "site_s": round(t_site, 2), "total_s": round(t_exec + t_site, 2), "site_rc": rc}
    say(f"2. rebuild after adding one paper ({papers} + 1)")
    add_synthetic(root, 1, OPTIONS.seed + 10_000)
    (ran, failed, outcomes), t_exec = timed(execute, root, False, workers)
    (rc, phases), t_site = timed(site, root, log)
    add = {"notebooks": ran, "failed": failed, "execute_s": round(t_exec, 2),
           "site_s": round(t_site, 2), "total_s": round(t_exec + t_site, 2), "site_rc": rc,
           "per_notebook_s": {o.job.output.name: round(o.seconds, 2) for o in outcomes},
           "site_phases_s": phases}
    return {"papers": papers, "full": full, "add_one": add}


# --- profile of the add-one work, in this process ------------------------------------------------

def _kernel_costs(root: Path) -> dict:
    """Seconds to start a kernel in chapters/ and to import what every notebook imports."""
    from jupyter_client.manager import KernelManager

    from livingreview.book.runner import kernel_environment

    started = time.perf_counter()
    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(cwd=str(root / "chapters"), env=kernel_environment())
    client = kernel.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        ready = time.perf_counter()
        client.execute_interactive(
            "from livingreview.book.loading import synthesis_page, chapter_page", timeout=300)
        imported = time.perf_counter()
    finally:
        client.stop_channels()
        kernel.shutdown_kernel(now=True)
    return {"kernel_start_s": round(ready - started, 2), "imports_s": round(imported - ready, 2)}


def _cells(page, names: list[str], formatter) -> dict:
    """Each page method's seconds, split into computing it and drawing its static SVG."""
    from livingreview.present import render

    svg_time = [0.0]
    original = render.spec_svg

    def counted(spec):
        started = time.perf_counter()
        try:
            return original(spec)
        finally:
            svg_time[0] += time.perf_counter() - started

    render.spec_svg = counted
    out = {}
    try:
        for name in names:
            svg_time[0] = 0.0
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                value = getattr(page, name)()
                if value is not None:
                    formatter.format(value)
            total = time.perf_counter() - started
            out[name] = {"compute_s": round(total - svg_time[0], 3), "svg_s": round(svg_time[0], 3)}
    finally:
        render.spec_svg = original
    return out


def template_calls(template: Path) -> list[str]:
    """The page methods a notebook template calls without arguments (`page.name()`), in order,
    so the profile follows the template as it changes."""
    cells = json.loads(template.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return list(dict.fromkeys(re.findall(r"\bpage\.(\w+)\(\)", code)))


def profile(root: Path) -> dict:
    """Where the add-one rebuild's time goes, cell by cell, on the project as it now is."""
    from IPython.core.interactiveshell import InteractiveShell

    from livingreview.book import loading

    from livingreview.book import cache

    formatter = InteractiveShell.instance().display_formatter
    figures = _kernel_costs(root)
    cells = template_calls(root / "templates" / "synthesis.ipynb")
    for label, switch in (("uncached", "off"), ("warm", "on")):  # without the store, then from it
        os.environ[cache.SWITCH] = switch
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            page = loading.synthesis_page()
        figures[f"synthesis_load_s_{label}"] = round(time.perf_counter() - started, 3)
        figures[f"synthesis_cells_{label}"] = _cells(page, cells, formatter)
    os.environ.pop(cache.SWITCH)
    newest = registry.load(root)[-1].id
    started = time.perf_counter()
    chapter = loading.chapter_page(newest)
    figures["chapter_load_s"] = round(time.perf_counter() - started, 3)
    figures["chapter_cells"] = _cells(chapter, template_calls(root / "templates" / "chapter.ipynb"),
                                      formatter)
    for group in (("medians", "ratios", "landmarks", "responses"), ("survival", "rmst")):
        figures["chapter_cells"].update(
            _cells(type("C", (), {"+".join(group): lambda self, g=group: chapter.charts(g)})(),
                   ["+".join(group)], formatter))
    return figures


# --- main ---------------------------------------------------------------------------------------

def ratio(a, b):
    return None if a is None or not b else round(a / b, 4)


def main(argv: list[str] | None = None) -> int:
    global OPTIONS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=60)
    parser.add_argument("--also-papers", type=int, default=None, metavar="M",
                        help="also time builds 1 and 2 at M papers (300 for the growth factor)")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    parser.add_argument("--skip-jupyter-book", action="store_true",
                        help="leave out build 3 (Jupyter Book's own executor, the slow one)")
    parser.add_argument("--profile", action="store_true", help="split the add-one rebuild's time")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    OPTIONS = args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-book-"))
    log = tmp / "jupyter-book.log"
    result: dict = {"papers": args.papers, "workers": args.workers, "cpus": os.cpu_count(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]}
    try:
        root = make_project(tmp / "project")
        os.environ["LIVINGREVIEW_ROOT"] = str(root)  # chapters find the copy, not the real review
        first = full_and_add_one(root, args.papers, args.workers, log)
        result.update(full=first["full"], add_one=first["add_one"])
        if args.profile:
            say("profiling the add-one work")
            result["profile"] = profile(root)
        result["jupyter_book_s"] = None
        if not args.skip_jupyter_book:
            say(f"3. full rebuild, Jupyter Book execute_notebooks: force ({args.papers + 1} papers)")
            shutil.rmtree(root / "_build", ignore_errors=True)
            config = root / "_config.yml"
            config.write_text(re.sub(r'execute_notebooks:\s*"?off"?', 'execute_notebooks: "force"',
                                     config.read_text(encoding="utf-8")), encoding="utf-8")
            (rc, _), t_site = timed(site, root, log)
            result["jupyter_book_s"] = round(t_site, 2)
            result["jupyter_book_rc"] = rc
        if args.also_papers:
            other = make_project(tmp / f"project-{args.also_papers}")
            os.environ["LIVINGREVIEW_ROOT"] = str(other)
            second = full_and_add_one(other, args.also_papers, args.workers, log)
            result["at"] = {str(args.also_papers): {"full_s": second["full"]["total_s"],
                                                    "add_one_s": second["add_one"]["total_s"],
                                                    "full": second["full"], "add_one": second["add_one"]}}
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result["full_s"] = result["full"]["total_s"]
    result["add_one_s"] = result["add_one"]["total_s"]
    ratios = {
        "add_one_vs_full": ratio(result["add_one_s"], result["full_s"]),
        "jupyter_book_vs_full": ratio(result["jupyter_book_s"], result["full_s"]),
    }
    if args.also_papers:
        at = result["at"][str(args.also_papers)]
        ratios[f"add_one_vs_full_at_{args.also_papers}"] = ratio(at["add_one_s"], at["full_s"])
        ratios[f"full_{args.also_papers}_vs_full_{args.papers}"] = ratio(at["full_s"], result["full_s"])
    result["ratios"] = ratios
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    _report(result, log if args.keep else None)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    return 0


def _report(result: dict, log) -> None:
    header = f"{'build':<40} {'notebooks':>9} {'failed':>6} {'execute s':>9} {'site s':>8} {'total s':>8}"
    say("")
    say(header)
    say("-" * len(header))
    rows = [(f"full rebuild, {result['papers']} papers", result["full"]),
            ("after adding one paper", result["add_one"])]
    for papers, at in result.get("at", {}).items():
        rows += [(f"full rebuild, {papers} papers", at["full"]), (f"after adding one ({papers})", at["add_one"])]
    for name, row in rows:
        say(f"{name:<40} {row['notebooks']:>9} {row['failed']:>6} {row['execute_s']:>9.1f} "
            f"{row['site_s']:>8.1f} {row['total_s']:>8.1f}")
    if result["jupyter_book_s"] is not None:
        say(f"{'full rebuild, Jupyter Book force':<40} {'':>9} {'':>6} {'(in site)':>9} "
            f"{result['jupyter_book_s']:>8.1f} {result['jupyter_book_s']:>8.1f}")
    say("")
    for name, value in result["ratios"].items():
        say(f"{name:<32} {'skipped' if value is None else f'{value:.3f}'}")
    if "profile" in result:
        say("\nprofile of the add-one rebuild (seconds):")
        say(json.dumps({"per_notebook": result["add_one"]["per_notebook_s"],
                        "site_phases": result["add_one"]["site_phases_s"], **result["profile"]}, indent=1))
    say(f"\nworkers={result['workers']}, load average {result['load_average']} -> "
        f"{result['load_average_after']}; Jupyter Book log {log or '(deleted)'}")


OPTIONS = argparse.Namespace(json=False)

if __name__ == "__main__":
    sys.exit(main())
