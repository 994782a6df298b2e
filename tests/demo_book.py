"""A demonstration copy of the book: the seeds plus the invented test documents of tests/fixtures.

    python tests/demo_book.py [DEST]        (default _build/demo; `make demo`)

The published review holds real papers only. What needs more than the seeds to show (a pooled
forest plot of two comparable trials, Kaplan–Meier curves rebuilt from a digitised figure) is
built here from invented documents, in a throwaway project that is never committed or published.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import km_study  # noqa: E402
import seeds  # noqa: E402
from projects import ROOT, make_project  # noqa: E402

PAIR = ROOT / "tests" / "fixtures" / "comparable"
PAIR_IDS = ("alphaville2030_radiotherapy_ici", "betancourt2031_radiotherapy_ici")
INVENTED_NOTE = ("This chapter is an INVENTED test document of the demonstration build; no patient "
                 "took part and no number in it is real.\n")


def demo_project(dest: Path) -> Path:
    """The seeds (with their appraisals), the invented pair and the invented trial with its figure."""
    seed_entries = sorted(seeds.ENTRIES, key=lambda e: e.origin)
    make_project(dest, [*seeds.all_seeds(), *(PAIR / f"{i}.txt" for i in PAIR_IDS), km_study.DOCUMENT],
                 [*(e.id for e in seed_entries), *PAIR_IDS, km_study.STUDY_ID],
                 curves={km_study.STUDY_ID: km_study.CURVES})
    appraisals = dest / "data" / "appraisals"
    appraisals.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "data" / "appraisals").iterdir():
        shutil.copyfile(path, appraisals / path.name)
    for study in PAIR_IDS:
        shutil.copyfile(PAIR / f"{study}.yaml", appraisals / f"{study}.yaml")
    for study in (*PAIR_IDS, km_study.STUDY_ID):
        (appraisals / f"{study}.md").write_text(INVENTED_NOTE, encoding="utf-8")
    return dest


def main(argv: list[str]) -> int:
    dest = Path(argv[0] if argv else ROOT / "_build" / "demo").resolve()
    if dest.exists():
        shutil.rmtree(dest)
    project = demo_project(dest / "project")
    env = {k: v for k, v in os.environ.items() if k != "LIVINGREVIEW_ROOT"}
    for command in (["toc"], ["build"]):
        done = subprocess.run([sys.executable, "-m", "livingreview", *command], cwd=project, env=env)
        if done.returncode:
            return done.returncode
    print(f"demonstration site: {project / '_build' / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
