"""Executing many chapter jobs at once, with a progress bar and a one-line summary.

Jobs run in worker processes, not threads: papermill changes the process's
working directory while a notebook runs (`cwd=`), which threads would share.
Workers are forked, so `python -m livingreview` is never re-imported by a child.

Each worker keeps one warm kernel per working directory and clears its
namespace (`%reset -f`) between notebooks: starting a kernel and importing
pandas, Altair and the package costs more than most chapters take to run.
`execute.normalise` renumbers execution counts, so a notebook comes out the
same as from a fresh kernel; strict nbval, which runs each notebook in a
fresh kernel, checks that it does.
"""
from __future__ import annotations

import atexit
import dataclasses
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from queue import Empty

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from tqdm import tqdm

from livingreview.book import fingerprints
from livingreview.book import execute
from livingreview.book.execute import Job, Outcome


class PromptClient(BlockingKernelClient):
    """A kernel client that is ready as soon as the kernel has answered on both channels.

    jupyter_client's `wait_for_ready` ends by reading IOPub until it has been silent for 0.2 s;
    every notebook waits for that twice (once to clear the namespace, once in nbclient), which
    was a third of a warm kernel's time per chapter. Here the kernel_info request's own closing
    `idle` status on IOPub is the sign instead: it is the last message the kernel sends for the
    request, and seeing it proves IOPub is subscribed (a missed one means not yet: ask again).
    """

    def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            if self._answered(request, deadline):
                return
            if not self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    def _answered(self, request: str, deadline: float) -> bool:
        """True once the reply to `request` has come on shell and its idle status on IOPub."""
        replied = idle = False
        wait_until = min(deadline, time.monotonic() + 1.0)
        while not (replied and idle):
            left = wait_until - time.monotonic()
            if left <= 0:
                return False
            channel = self.iopub_channel if replied else self.shell_channel
            try:
                msg = channel.get_msg(timeout=left)
            except Empty:
                return False
            if msg.get("parent_header", {}).get("msg_id") != request:
                continue
            if msg["msg_type"] == "kernel_info_reply":
                self._handle_kernel_info_reply(msg)
                replied = True
            elif msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
        return True


_KERNELS: dict[str, KernelManager] = {}  # this worker's warm kernels, by working directory


def _shutdown_kernels() -> None:
    for kernel in _KERNELS.values():
        kernel.shutdown_kernel(now=True)
    _KERNELS.clear()


_BARRIER = None  # shared by the workers of one run_jobs call (see _shutdown_task)
SHUTDOWN_TIMEOUT = 60  # seconds a worker waits for the others at the end


def _init_worker(barrier) -> None:
    # A pool worker leaves through multiprocessing's own exit path, which skips atexit: so
    # run_jobs ends by giving every worker a `_shutdown_task`. atexit stays as the fallback
    # for a process that leaves through the ordinary interpreter exit.
    global _BARRIER
    _BARRIER = barrier
    atexit.register(_shutdown_kernels)


def _shutdown_task() -> int:
    """Stop this worker's kernels, then wait at the barrier so that no worker takes two of
    these tasks and every worker gets one; returns the worker's pid."""
    _shutdown_kernels()
    if _BARRIER is not None:
        try:
            _BARRIER.wait(timeout=SHUTDOWN_TIMEOUT)
        except threading.BrokenBarrierError:
            pass
    return os.getpid()


def kernel_environment() -> dict[str, str]:
    """This process's environment with PYTHONPATH made absolute: a kernel runs in the
    notebook's folder, where a relative entry (`PYTHONPATH=src`) would name nothing and
    the notebook would silently import some other installed copy of the package."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(p) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    return env


def _clear(kernel: KernelManager) -> None:
    client = kernel.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive("%reset -f", store_history=False, timeout=60)
    finally:
        client.stop_channels()


def _kernel_for(cwd: Path) -> KernelManager:
    """A started kernel in `cwd` with an empty namespace, reused when this worker has one."""
    kernel = _KERNELS.get(str(cwd))
    if kernel is not None and kernel.is_alive():
        _clear(kernel)
        return kernel
    kernel = KernelManager(kernel_name="python3", client_class=f"{__name__}.PromptClient")
    kernel.start_kernel(cwd=str(cwd), env=kernel_environment())
    _KERNELS[str(cwd)] = kernel
    return kernel


def _discard(cwd: Path) -> None:
    kernel = _KERNELS.pop(str(cwd), None)
    if kernel is not None:
        kernel.shutdown_kernel(now=True)


def _run_one(job: Job, fingerprint: str | None) -> Outcome:
    """Run one job; stamp its notebook on success; never raise (a crash is a failed Outcome)."""
    cwd = job.workdir
    started = time.monotonic()
    try:
        cwd.mkdir(parents=True, exist_ok=True)  # papermill runs the notebook there
        outcome = execute.run(job, _kernel_for(cwd))
        if not outcome.ok:
            _discard(cwd)  # a failed notebook may leave the kernel in any state
        elif fingerprint:
            fingerprints.stamp_file(job.output, fingerprint)
        return dataclasses.replace(outcome, seconds=time.monotonic() - started)
    except Exception as err:  # a bug outside the notebook must not take the other jobs down
        _discard(cwd)
        return Outcome(job, False, f"{type(err).__name__}: {err}", time.monotonic() - started)


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
    it has been written (see `fingerprints.plan`). `reused` only feeds the summary
    line, which goes to `report` (default: standard error).
    """
    started = time.monotonic()
    fingerprints = fingerprints or {}
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    outcomes: list[Outcome | None] = [None] * len(jobs)
    if jobs:
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(workers)
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(barrier,)
        ) as pool:
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
            for stopping in [pool.submit(_shutdown_task) for _ in range(workers)]:
                try:
                    stopping.result()
                except Exception:  # a dead worker has no kernels left to stop
                    pass
    done = [o for o in outcomes if o is not None]
    line = summary(done, reused, time.monotonic() - started)
    (report or (lambda text: print(f"livingreview: {text}", file=sys.stderr)))(line)
    return done
