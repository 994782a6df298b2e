"""Executing many chapter jobs at once, with a progress bar and a one-line summary.

Jobs run in worker processes, not threads: papermill changes the process's
working directory while a notebook runs (`cwd=`), which threads would share.
Workers are forked, so `python -m livingreview` is never re-imported by a child.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from . import cache, execute
from .execute import Job, Outcome


def _run_one(job: Job, fingerprint: str | None) -> Outcome:
    """Run one job; stamp its notebook on success; never raise (a crash is a failed Outcome)."""
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)  # papermill runs the notebook there
        outcome = execute.run(job)
        if outcome.ok and fingerprint:
            cache.stamp_file(job.output, fingerprint)
        return outcome
    except Exception as err:  # a bug outside the notebook must not take the other jobs down
        return Outcome(job, False, f"{type(err).__name__}: {err}")


def summary(outcomes: list[Outcome], reused: int, seconds: float) -> str:
    failed = sum(not o.ok for o in outcomes)
    return (
        f"executed {len(outcomes) - failed}, reused {reused}, failed {failed} in {seconds:.1f} s"
    )


def run_jobs(
    jobs: list[Job],
    workers: int | None = None,
    *,
    fingerprints: Mapping[Path, str] | None = None,
    reused: int = 0,
    report: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Execute `jobs` in parallel; outcomes come back in job order.

    `fingerprints` maps an output path to the fingerprint to stamp it with once
    it has been written (see `cache.plan`). `reused` only feeds the summary
    line, which goes to `report` (default: standard error).
    """
    started = time.monotonic()
    fingerprints = fingerprints or {}
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    outcomes: list[Outcome | None] = [None] * len(jobs)
    if jobs:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # Submit before the progress bar exists: forking happens at the first submit.
            futures = {
                pool.submit(_run_one, job, fingerprints.get(job.output)): i
                for i, job in enumerate(jobs)
            }
            with tqdm(
                total=len(jobs), desc="notebooks", unit="nb", file=sys.stderr,
                disable=None, leave=False,
            ) as bar:
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        outcomes[i] = future.result()
                    except Exception as err:  # the worker process itself died
                        outcomes[i] = Outcome(jobs[i], False, f"{type(err).__name__}: {err}")
                    bar.update()
    done = [o for o in outcomes if o is not None]
    line = summary(done, reused, time.monotonic() - started)
    (report or (lambda text: print(f"livingreview: {text}", file=sys.stderr)))(line)
    return done
