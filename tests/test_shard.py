"""`build --shard I/N`: each shard executes only its own share of the stale notebooks, the shards
together give the very notebooks one unsharded build gives, and a bad shard is one line."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_in
from livingreview.book import build, fingerprints, navigation, registry

NAMES = [f"study{i:03d}.ipynb" for i in range(200)] + ["synthesis.ipynb", "patients.ipynb"]


def test_every_notebook_belongs_to_exactly_one_shard_and_keeps_it_when_papers_are_added():
    for count in (1, 2, 3, 7):
        shards = [build.Shard(i, count) for i in range(1, count + 1)]
        owners = {name: [s for s in shards if s.owns(Path("chapters") / name)] for name in NAMES}
        assert all(len(found) == 1 for found in owners.values())
        # the share depends on the name only: a longer review moves nobody
        assert all(build.Shard(o[0].index, count).owns(Path("elsewhere") / n) for n, o in owners.items())
    sizes = [sum(build.Shard(i, 4).owns(Path(n)) for n in NAMES) for i in range(1, 5)]
    assert min(sizes) > len(NAMES) / 8  # no shard is left nearly idle


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1-3", "", "2/", " /2", "-1/2", "1/2/3"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(build.ShardError, match="I/N"):
        build.Shard.parse(text)


def test_parsed_shard_names_its_listing():
    shard = build.Shard.parse("2/5")
    assert (shard.index, shard.count, str(shard)) == (2, 5, "2/5")
    assert shard.listing.as_posix() == "_build/shards/2-of-5.txt"


@pytest.mark.parametrize("args", [("--shard", "3/2"), ("--shard", "x"), ("--shard", "1/2", "--no-execute")])
def test_build_refuses_a_bad_shard_in_one_line_and_touches_nothing(executed, tmp_path, args):
    root = tmp_path / "book"
    shutil.copytree(executed, root, ignore=shutil.ignore_patterns("_build"))
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    done = run_in(root, "build", *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--shard" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_shards_run_one_after_another_give_the_notebooks_of_one_unsharded_build(executed, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(executed, root, ignore=shutil.ignore_patterns("_build", "chapters"))
    entries = registry.load(root)
    stale = [t.output.name for t in fingerprints.plan(root, entries)[0]]
    assert len(stale) == len(entries) + 2  # every chapter and both synthesis pages
    refused = run_in(root, "build", "--no-execute", "--require-fresh")
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert f"{len(stale)} notebook(s) stale" in refused.stderr and not (root / "_build" / "html").exists()
    count = 3
    for index in (3, 1, 2):  # any order: a shard's share does not depend on what is already fresh
        shard = build.Shard(index, count)
        done = run_in(root, "build", "--shard", f"{index}/{count}")
        assert done.returncode == 0, done.stderr[-2000:]
        mine = sorted(f"chapters/{name}" for name in stale if shard.owns(Path(name)))
        assert (root / shard.listing).read_text(encoding="utf-8").splitlines() == mine
        assert not (root / "_build" / "html").exists()  # a shard renders no site
    assert fingerprints.plan(root, entries)[0] == []
    ours = {p.name: p.read_bytes() for p in (root / "chapters").glob("*.ipynb")}
    unsharded = {p.name: p.read_bytes() for p in (executed / "chapters").glob("*.ipynb")}
    assert sorted(ours) == sorted(stale)
    assert ours == unsharded
    again = run_in(root, "build", "--shard", "1/3")  # nothing stale: nothing to do, empty listing
    assert again.returncode == 0 and (root / "_build/shards/1-of-3.txt").read_text() == ""
    rendered = run_in(root, "build", "--no-execute", "--require-fresh")  # CI's render step
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert all((root / "_build/html/chapters" / name).with_suffix(".html").is_file() for name in stale)


NEW_PAPER = Path(__file__).parent / "fixtures" / "new_paper" / "pubmed_sbrt_pd1.txt"


def test_after_an_add_every_sidebar_lists_the_new_chapter_yet_only_its_neighbours_are_rewritten(
        executed, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(executed, root, ignore=shutil.ignore_patterns("_build"))
    assert run_in(root, "build", "--no-execute").returncode == 0  # the site as it stood
    html = root / "_build" / "html"
    pages = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in html.rglob("*.html")}
    assert run_in(root, "add", str(NEW_PAPER)).returncode == 0
    new = registry.load(root)[-1].id
    assert f"chapters/{new}.html" not in (html / navigation.SCRIPT).read_text(encoding="utf-8")
    done = run_in(root, "build")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "executed 3, reused 2" in done.stderr
    # Sphinx read again only what changed (the other chapters were not among them) ...
    found = re.search(r"updating environment: .*?(\d+) added, (\d+) changed", _plain(done.stdout))
    assert found and found[1] == "1"
    read = re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", _plain(done.stdout))
    order = _toc_order(html)
    at = order.index(f"chapters/{new}.html")
    before, after = order[at - 1], order[at + 1]  # the new chapter's neighbours in the toc
    untouched = [e.id for e in registry.load(root)
                 if f"chapters/{e.id}.html" not in (before, after, order[at]) and f"chapters/{e.id}" not in read]
    assert untouched and before.startswith("chapters/") and before[:-5] not in read, (order, read)
    # ... every sidebar is drawn from the one navigation file, which now lists the new chapter ...
    for study in untouched:
        page = html / "chapters" / f"{study}.html"
        assert 'src="../_static/navigation.js"' in page.read_text(encoding="utf-8")
        # ... so a chapter that neither changed nor borders the new one was not written again
        assert (page.stat().st_mtime_ns, page.read_bytes()) == pages[page], study
    # ... while the page before the new chapter was, for its "next" link
    neighbour = html / before
    assert neighbour.read_bytes() != pages[neighbour][1]
    assert re.search(rf'class="right-next"\s+href="{new}\.html"', neighbour.read_text(encoding="utf-8"))
    assert f'href="{new}.html"' not in pages[neighbour][1].decode("utf-8")


def _toc_order(html: Path) -> list[str]:
    """Every page of the built navigation file in the sidebar's order, from the site root."""
    text = (html / navigation.SCRIPT).read_text(encoding="utf-8")
    data = json.loads(text.split("window.livingreviewNavigation = ", 1)[1].split(";\n", 1)[0])
    out = [data["home"]["href"]]

    def walk(entries):
        for entry in entries:
            out.append(entry["href"])
            walk(entry["children"])

    for part in data["parts"]:
        walk(part["entries"])
    return out


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
