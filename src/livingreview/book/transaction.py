"""All-or-nothing changes to the project tree, through a write-ahead journal.

Every command that writes the project (add, remove, toc, build) stages its
writes and deletions in a `Transaction`, then `commit` applies them so that a
kill at any instant leaves either the old tree or the new one:

1. new contents are written, and each existing target hard-linked (or copied)
   as its backup, into `.livingreview/txn.tmp/`, with a manifest; all fsynced;
2. the folder is renamed to `.livingreview/txn/`: from here on the change is
   in flight and the backups are what the tree held before it;
3. each target is replaced (`os.replace`) or deleted;
4. a `done` mark is written, then the journal is removed.

`recover` runs at the start of every command: a `txn.tmp/` (nothing touched
yet) is discarded, a `txn/` without `done` is rolled back from its backups,
one with `done` is cleaned up; each prints one line. The steps are numbered:
with `LIVINGREVIEW_FAULT_AT=N` in the environment the Nth step of a commit
ends the process at once (`os._exit(137)`, as SIGKILL would), which is how the
tests kill a command at every step.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STATE = Path(".livingreview")  # below the project root; in .gitignore
JOURNAL = STATE / "txn"
PREPARING = STATE / "txn.tmp"
MANIFEST = "manifest.json"
DONE = "done"
FAULT_ENV = "LIVINGREVIEW_FAULT_AT"
FAULT_STATUS = 137


class _Faults:
    """Counts journal steps; ends the process at the step $LIVINGREVIEW_FAULT_AT names."""

    def __init__(self) -> None:
        value = os.environ.get(FAULT_ENV, "")
        self.at = int(value) if value.isdigit() else None
        self.count = 0

    def step(self) -> None:
        self.count += 1
        if self.at is not None and self.count == self.at:
            os._exit(FAULT_STATUS)


@dataclass(frozen=True)
class _Op:
    target: str  # relative to the root, POSIX form
    data: bytes | None  # None: delete the target


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync_file(path)
    except OSError:  # some file systems cannot fsync a folder; the rename is still atomic
        pass


def _write_synced(path: Path, data: bytes, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, mode)  # the umask may have narrowed it


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename over it: one file, all or nothing,
    for files outside a transaction (scratch notebooks, the site's navigation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are ordinary project files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _relative(root: Path, path: str | os.PathLike) -> str:
    p = Path(path)
    p = p if p.is_absolute() else root / p
    rel = os.path.relpath(p, root)
    if rel == os.curdir or rel.split(os.sep)[0] == os.pardir:
        raise ValueError(f"{p}: outside the project, not written")
    return Path(rel).as_posix()


@contextmanager
def _locked(root: Path):
    """One writer at a time: an advisory lock on the project folder itself (no lock file left
    behind); the journal's folder goes again once it is empty."""
    fd = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        (root / STATE).mkdir(exist_ok=True)
        yield
    finally:
        try:
            (root / STATE).rmdir()
        except OSError:  # not empty (a kill's journal stays for the next run) or already gone
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class Transaction:
    """Writes and deletions staged in memory, applied by `commit` all together or not at all."""

    def __init__(self, root: str | os.PathLike, command: str) -> None:
        self.root = Path(root)
        self.command = command
        self._ops: dict[str, _Op] = {}

    def write(self, path: str | os.PathLike, data: bytes | str, *, only_if_changed: bool = True) -> bool:
        """Stage new contents for `path`; False (nothing staged) when it already holds them."""
        data = data.encode("utf-8") if isinstance(data, str) else data
        rel = _relative(self.root, path)
        target = self.root / rel
        if only_if_changed and target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            self._ops.pop(rel, None)
            return False
        self._ops[rel] = _Op(rel, data)
        return True

    def delete(self, path: str | os.PathLike) -> bool:
        """Stage the deletion of `path`; False when there is no such file."""
        rel = _relative(self.root, path)
        if not os.path.lexists(self.root / rel):
            self._ops.pop(rel, None)
            return False
        self._ops[rel] = _Op(rel, None)
        return True

    @property
    def targets(self) -> list[str]:
        return list(self._ops)

    def commit(self) -> int:
        """Apply every staged change (see the module's docstring); the number of files changed."""
        if not self._ops:
            return 0
        faults = _Faults()
        with _locked(self.root):
            _recover_locked(self.root, report=None)
            prep = self.root / PREPARING
            try:
                rows = self._prepare(prep, faults)
            except BaseException:
                shutil.rmtree(prep, ignore_errors=True)
                raise
            faults.step()
            os.replace(prep, self.root / JOURNAL)  # the change is now in flight
            _fsync_dir(self.root / STATE)
            journal = self.root / JOURNAL
            try:
                for row in rows:
                    target = self.root / row["target"]
                    faults.step()
                    if row["delete"]:
                        target.unlink(missing_ok=True)
                    else:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        _replace(journal / row["new"], target)
                    _fsync_dir(target.parent)
            except BaseException:  # an error (not a kill): put everything back at once
                _restore(self.root, journal, json.loads((journal / MANIFEST).read_text(encoding="utf-8")))
                shutil.rmtree(journal)
                raise
            faults.step()
            _write_synced(journal / DONE, b"done\n")
            _fsync_dir(journal)
            faults.step()
            shutil.rmtree(journal)
            _fsync_dir(self.root / STATE)
        changed = len(rows)
        self._ops = {}
        return changed

    def _prepare(self, prep: Path, faults: _Faults) -> list[dict]:
        """Step 1: new contents, backups and the manifest in `prep`, all fsynced; the rows."""
        prep.mkdir()
        rows, made = [], []
        for i, op in enumerate(self._ops.values()):
            target = self.root / op.target
            existed = os.path.lexists(target)
            row = {"target": op.target, "existed": existed, "delete": op.data is None}
            if op.data is not None:
                mode = target.stat().st_mode & 0o777 if existed and target.is_file() else 0o644
                faults.step()
                _write_synced(prep / f"new-{i}", op.data, mode)
                row["new"] = f"new-{i}"
            if existed:
                faults.step()
                try:
                    os.link(target, prep / f"old-{i}", follow_symlinks=False)
                except OSError:
                    shutil.copy2(target, prep / f"old-{i}", follow_symlinks=False)
                row["old"] = f"old-{i}"
            missing = [d for d in (target.parent, *target.parent.parents)
                       if self.root in d.parents and not d.exists()]
            for folder in reversed(missing):
                name = Path(os.path.relpath(folder, self.root)).as_posix()
                if name not in made:
                    made.append(name)
            rows.append(row)
        faults.step()
        manifest = {"command": self.command, "ops": rows, "made_dirs": made}
        _write_synced(prep / MANIFEST, json.dumps(manifest, indent=1).encode())
        _fsync_dir(prep)
        return rows


def _replace(src: Path, dst: Path) -> None:
    """os.replace, named so that a test can make one step of a commit fail."""
    os.replace(src, dst)


def _restore(root: Path, journal: Path, manifest: dict) -> None:
    """Put every target back as the backups say it was; safe to repeat after a crash."""
    for row in reversed(manifest["ops"]):
        target = root / row["target"]
        if row["existed"]:
            backup = journal / row["old"]
            if os.path.lexists(backup):  # gone: this target was already restored
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(backup, target)
        elif os.path.lexists(target) and not target.is_dir():
            target.unlink()
    for folder in reversed(manifest.get("made_dirs", [])):
        try:
            (root / folder).rmdir()
        except OSError:
            pass


def _recover_locked(root: Path, report) -> str | None:
    message = None
    prep, journal = root / PREPARING, root / JOURNAL
    if journal.is_dir():
        try:
            manifest = json.loads((journal / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
        if manifest is None:
            message = "found a change journal without its manifest; removed it (the project was not touched)"
        elif (journal / DONE).exists():
            message = f"finished cleaning up after an interrupted '{manifest['command']}' that had completed"
        else:
            _restore(root, journal, manifest)
            message = (f"rolled back an interrupted '{manifest['command']}' "
                       f"({len(manifest['ops'])} files): the project is as it was before it")
        shutil.rmtree(journal)
    if prep.is_dir():
        shutil.rmtree(prep)
        message = message or "discarded an interrupted change that had not touched the project yet"
    if message and report is not None:
        report(message)
    return message


def recover(root: str | os.PathLike, report=None) -> str | None:
    """Roll back (or finish) a change a kill interrupted; the one line saying so, or None."""
    root = Path(root)
    if not (root / JOURNAL).exists() and not (root / PREPARING).exists():
        return None
    with _locked(root):
        return _recover_locked(root, report)
