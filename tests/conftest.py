"""Shared pytest set-up: the project root and the built site's location."""
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
