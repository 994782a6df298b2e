"""Shared pytest set-up: the project root and the built site's location."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "sources"


def pytest_addoption(parser):
    parser.addoption("--site", default=str(ROOT / "_build" / "html"), help="built site to browse")


@pytest.fixture(scope="session")
def site_dir(request) -> Path:
    site = Path(request.config.getoption("--site")).resolve()
    if not (site / "index.html").is_file():
        pytest.fail(f"{site}: no built site (run `python -m livingreview build --no-execute` first)")
    return site


def run_in(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m livingreview ARGS` in `cwd`, importing this checkout, finding the project from cwd."""
    env = {k: v for k, v in os.environ.items() if k != "LIVINGREVIEW_ROOT"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "livingreview", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def executed(tmp_path_factory) -> Path:
    """A two-study book, built in one unsharded `build` (chapters executed, site rendered):
    copy it before changing anything."""
    from projects import make_project
    from seeds import seed

    root = make_project(tmp_path_factory.mktemp("executed") / "book", [seed("000"), seed("002")])
    done = run_in(root, "build")
    assert done.returncode == 0, done.stderr[-2000:]
    return root
