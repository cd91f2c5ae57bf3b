"""Where exports and backups may write, and how: refusals, staged writes, leftovers.

An export or a backup replaces only a previous output of its own kind (the caller decides
what that is: a marked CSV folder, a file with the export's signature, a backup that was
never opened as a database). Whatever `--force` says, `refuse_unsafe` refuses

- the database and its `-wal`, `-shm` and `-journal` files,
- a folder that holds the database, the working directory and any folder above it,
- a symbolic link (replacing it would replace the link, not what it points to) and
  anything that is not a regular file or folder (a pipe, a device, a socket).

Everything is written beside the target under a staging name, `.NAME.cahtracker-XXXX.part`,
and renamed into place; a NAME too long to leave room for that (and for SQLite's `-journal`
beside a staged backup) within the file system's 255 bytes is shortened to its start, `~`
and a hash of it whole, so any name a file may have can be written. The staging file or
folder is locked (flock) while its writer lives, so the next run removes what a killed run left (`clean_leftovers`): a staging
entry nobody holds, and the previous CSV folder a replace had moved aside
(`.NAME.cahtracker-XXXX.old`), put back if the new one never took its place.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cahtracker.errors import CahError

STAGING = ".cahtracker-"  # in every staging name: `.NAME.cahtracker-XXXX.part` / `.old`
NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows)
# the bytes a staging name adds to NAME: `.`, STAGING, 8 hex digits, `.part`, `-journal`
_ADDED = 1 + len(STAGING) + 8 + len(".part") + len("-journal")
_HASHED = 16  # hex digits of the hash that a shortened NAME ends with


def _real(path: Path) -> str:
    return os.path.realpath(os.fspath(path))


def _inside(child: str, folder: str) -> bool:
    return child == folder or child.startswith(folder.rstrip(os.sep) + os.sep)


def refuse_unsafe(target: Path, database: Path, what: str, give: str = "a regular file") -> None:
    """A CahError if no export or backup may write `target` (see the module's list); `give`
    is what a refusal asks for instead (a publish writes a folder)."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise CahError(f"Cannot write {target}: {error.strerror}.") from None
    stdout = " (`-o -` writes a report to standard output)" if what == "export" else ""
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise CahError(
            f"{target} is a symbolic link; the {what} does not replace links. Give the path "
            f"of {give}{stdout}."
        )
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise CahError(
            f"{target} is not a regular file or folder (a pipe, a device or a socket); the "
            f"{what} writes only regular files and folders{stdout}."
        )
    real, db = _real(target), _real(database)
    if real in (db, f"{db}-wal", f"{db}-shm", f"{db}-journal"):
        raise CahError(
            f"{target} is the database (or one of its files); the {what} never replaces it. "
            "Give another path."
        )
    if _inside(db, real):
        raise CahError(
            f"{target} holds the database {database}; the {what} never replaces a folder "
            "that holds it. Give a new folder."
        )
    if _inside(_real(Path.cwd()), real):
        raise CahError(
            f"{target} is the working directory or a folder above it; the {what} never "
            "replaces it. Give a new path."
        )


MAX_MARKER_BYTES = 64 * 1024


def marker_lines(path: Path) -> list[str]:
    """The lines of an output's marker file, read within MAX_MARKER_BYTES."""
    with open(path, "rb") as handle:
        return handle.read(MAX_MARKER_BYTES).decode("utf-8", "replace").splitlines()


def not_our_folder(folder: Path, marker: str, first_line: str, what: str) -> str | None:
    """Why the existing `folder` is not an earlier output a run may replace, or None if it is:
    its `marker` file begins with `first_line` and names every other entry, each a plain file."""
    marker_path = folder / marker
    if not marker_path.is_file() or marker_path.is_symlink():
        return f"is not a cahtracker {what} (it has no {marker} marker file)"
    lines = marker_lines(marker_path)
    if not lines or lines[0] != first_line:
        return f"is not a cahtracker {what} (its {marker} is not the {what}'s)"
    wrote = set(lines[1:]) | {marker}
    others = sorted(
        entry.name
        for entry in os.scandir(folder)
        if entry.name not in wrote or not entry.is_file(follow_symlinks=False)
    )
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        return f"holds files the {what} did not write ({shown})"
    return None


def _staged_name(name: str) -> str:
    """`name` as staging names carry it: whole if it leaves room for the rest of a staging
    name within NAME_MAX bytes, else its start, `~` and a hash of it whole (two long names
    with the same start never share leftovers)."""
    import hashlib

    raw = os.fsencode(name)
    if len(raw) <= NAME_MAX - _ADDED:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:_HASHED]
    return f"{os.fsdecode(raw[: NAME_MAX - _ADDED - _HASHED - 1])}~{digest}"


def _staging_prefix(target: Path) -> str:
    return f".{_staged_name(target.name)}{STAGING}"


def _staging_entries(target: Path) -> list[Path]:
    prefix = _staging_prefix(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return sorted(target.parent / n for n in names if n.startswith(prefix))


def _lock(path: Path, directory: bool) -> int | None:
    """An fd holding an exclusive flock on `path`, or None if a live writer holds it."""
    import fcntl

    flags = os.O_RDONLY | (os.O_DIRECTORY if directory else 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_leftovers(target: Path) -> list[str]:
    """Remove what killed runs left beside `target`; returns the names removed.

    A `.part` nobody holds is removed. A `.old` (the previous CSV folder a replace had moved
    aside) whose `.part` is gone was replaced: it is removed; if its `.part` is still there
    (the writer died between the two renames) and `target` is missing, it is put back.
    """
    removed = []
    entries = _staging_entries(target)
    for path in entries:
        if not path.name.endswith(".part"):
            continue
        fd = _lock(path, path.is_dir())
        if fd is None:
            continue  # a live writer
        try:
            same = os.path.samestat(os.fstat(fd), os.lstat(path))
            if not same:
                continue
            old = path.with_name(path.name[: -len(".part")] + ".old")
            if old.exists() and not os.path.lexists(target):
                os.replace(old, target)  # the writer died before the new folder took its place
            _remove(path)
            removed.append(path.name)
        except OSError:
            continue
        finally:
            os.close(fd)
    for path in entries:
        if path.name.endswith(".old") and path.exists():
            part = path.with_name(path.name[: -len(".old")] + ".part")
            if not part.exists():
                _remove(path)
                removed.append(path.name)
        for suffix in _SIDECARS:  # SQLite's files beside a staged backup that is gone
            if path.name.endswith(".part" + suffix):
                if not path.with_name(path.name[: -len(suffix)]).exists():
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
    return removed


_SIDECARS = ("-journal", "-wal", "-shm")


@contextmanager
def staged(target: Path, folder: bool = False) -> Iterator[Path]:
    """A new staging file (or folder) beside `target`, locked while it is written.

    Yields its path; the caller writes it and calls `put_in_place`. On any error it is
    removed; if this process is killed, the next `clean_leftovers` removes it.
    """
    import fcntl

    for _ in range(10):
        path = target.with_name(f"{_staging_prefix(target)}{secrets.token_hex(4)}.part")
        if folder:
            os.mkdir(path, 0o700)
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        else:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.fstat(fd), os.lstat(path)):
                break  # still ours: no cleaner took it between creating and locking
        except OSError:
            pass
        os.close(fd)
    else:
        raise CahError(f"Cannot stage {target}: another process keeps removing the staging files.")
    try:
        yield path
    except BaseException:
        _remove(path)
        old = path.with_name(path.name[: -len(".part")] + ".old")
        if old.exists() and not os.path.lexists(target):
            os.replace(old, target)
        raise
    finally:
        os.close(fd)


# the targets this process put in place: what a failed confirmation must not deny writing
PLACED: list[Path] = []


def put_in_place(staging: Path, target: Path) -> None:
    """Rename `staging` over `target`; an existing folder is moved aside first, then removed."""
    if target.is_dir() and not target.is_symlink():
        old = staging.with_name(staging.name[: -len(".part")] + ".old")
        os.replace(target, old)
        os.replace(staging, target)
        PLACED.append(target)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(staging, target)
    PLACED.append(target)


def permissions(bits: int) -> int:
    """The permissions a plain open() would give (staging files are private)."""
    umask = os.umask(0)
    os.umask(umask)
    return bits & ~umask
