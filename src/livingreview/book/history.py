""""What's new": the review's changes read from the git history of `data/`.

Dates are commit (committer) dates as YYYY-MM-DD, so a given history always
gives the same page. Outside a git checkout, or without git, there is no
history and every function says so (empty list, None) rather than failing.
"""
from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path, PurePosixPath

import yaml

REGISTRY = "data/registry.yaml"
_RECORD_SEP, _FIELD_SEP = "\x1e", "\x1f"


def _git(root: Path, *args: str) -> str | None:
    """stdout of `git -C root ARGS`, or None if git is missing or the command fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
            encoding="utf-8",
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def registry_at(root: Path, rev: str) -> dict[str, dict]:
    """The registry's rows by id as of commit `rev` (empty if it had none or cannot be read)."""
    text = _git(root, "show", f"{rev}:./{REGISTRY}")
    try:
        rows = (yaml.safe_load(text or "") or {}).get("studies") or []
    except (yaml.YAMLError, AttributeError):
        return {}
    return {str(r["id"]): r for r in rows if isinstance(r, dict) and "id" in r}


def _study_of(path: str, files: dict[str, str]) -> str | None:
    """The study a changed data file belongs to: by the registry's file column, else its name."""
    p = PurePosixPath(path)
    if len(p.parts) < 3 or p.parts[0] != "data":
        return None
    relative = p.relative_to("data").as_posix()
    if relative in files:
        return files[relative]
    if p.parts[1] in ("sources", "appraisals"):
        return p.stem
    return None


def _commits(root: Path) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """(hash, date, subject, [(status, path)]) for each commit touching data/, newest first."""
    fmt = _RECORD_SEP + _FIELD_SEP.join(("%H", "%cs", "%s"))
    # --relative: paths from the project root (which may sit below the repository's top).
    out = _git(root, "log", "--no-renames", "--first-parent", "-m", "--relative",
               f"--format={fmt}", "--name-status", "--", "data/")
    commits = []
    for block in (out or "").split(_RECORD_SEP)[1:]:
        head, _, rest = block.partition("\n")
        sha, date, subject = head.split(_FIELD_SEP, 2)
        files = []
        for line in rest.splitlines():
            if "\t" in line:
                status, path = line.split("\t", 1)
                files.append((status[:1], path))
        commits.append((sha, date, subject, files))
    return commits


def changes(root: Path) -> list[dict]:
    """One dict per commit touching data/, newest first.

    Keys: commit, date (YYYY-MM-DD), subject, added, changed, removed, curated (sorted
    study ids). Registry rows appearing or disappearing make a study added or
    removed; its source, appraisal or registry row changing makes it changed; its
    reviewer's curation file (data/curation/<id>.yaml) changing makes it curated.
    """
    result = []
    for sha, date, subject, all_files in _commits(root):
        curated = {PurePosixPath(path).stem for _, path in all_files if _is_curation(path)}
        files = [(status, path) for status, path in all_files if not _is_curation(path)]
        before, after = registry_at(root, f"{sha}^"), registry_at(root, sha)
        added = set(after) - set(before)
        removed = set(before) - set(after)
        changed = {i for i in set(after) & set(before) if after[i] != before[i]}
        by_file = {str(r.get("file")): i for i, r in {**before, **after}.items()}
        statuses = defaultdict(set)
        for status, path in files:
            study = _study_of(path, by_file)
            if study:
                statuses[study].add(status)
        for study, seen in statuses.items():
            if study in added or study in removed:
                continue
            # Without a registry row, a source appearing or vanishing is all the history says.
            if seen == {"A"} and study not in after and study not in before:
                added.add(study)
            elif seen == {"D"} and study not in after and study not in before:
                removed.add(study)
            else:
                changed.add(study)
        result.append({
            "commit": sha, "date": date, "subject": subject,
            "added": sorted(added), "changed": sorted(changed - added - removed),
            "removed": sorted(removed), "curated": sorted(curated),
        })
    return result


def _is_curation(path: str) -> bool:
    p = PurePosixPath(path)
    return len(p.parts) == 3 and p.parts[:2] == ("data", "curation") and p.suffix == ".yaml"


def file_at(root: Path, rev: str, path: str) -> str | None:
    """The text of project file `path` as of commit `rev`, or None if it had none."""
    return _git(root, "show", f"{rev}:./{path}")


def last_updated(root: Path, path: str | Path, *more: str | Path) -> str | None:
    """Commit date (YYYY-MM-DD) of the last commit touching `path` (or any of `more`), or None.
    One git call for all of them: the site asks for every page again after each add."""
    out = _git(root, "log", "-1", "--format=%cs", "--", str(path), *map(str, more))
    return (out or "").strip() or None
