"""Atomic file writes for the whole program: the target is the old file or the whole new one, never half.

A root module (it imports only desk.errors and desk.i18n), so every layer can write through it:
the settings file (desk.config) as well as the services' backups, slips, reports and exports.

Every file the program writes (backups, slips, log books, reports, catalog exports, the settings
file) is written to a temporary file in the target's folder, ``fsync``ed, renamed over the target
and the folder is ``fsync``ed. The temporary file's name says it is ours and who wrote it:

    .~onestop-<host>-<pid>-<8 hex>-<target name>.tmp

so that a later run can remove what a killed writer left behind (``clean_stale``): only files of
this shape (and SQLite's ``-journal``/``-wal``/``-shm`` beside them), only when their writer is gone
(same host and the process no longer exists) or when they are older than ``STALE_AFTER`` (another
PC on a shared folder, or a reused process id). Nothing else in a folder is ever touched.

Permissions are the same everywhere: a new file gets the permissions of any new file of the user
(the umask), a replaced file keeps the mode of the file it replaces.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
import socket
import sqlite3
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import IO

from desk.errors import DeskError
from desk.i18n import _

log = logging.getLogger(__name__)

TEMP_MARK = ".~onestop-"
STALE_AFTER = timedelta(hours=12)
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
_TEMP_NAME = re.compile(
    r"^\.~onestop-(?P<host>[a-z0-9]{1,15})-(?P<pid>\d{1,10})-[0-9a-f]{8}-.*\.tmp(?:-journal|-wal|-shm)?$", re.S)
# Names the program used before this module existed (tempfile.mkstemp, random part of 8 characters):
# a backup ".~<file>.<8>.tmp", a slip or log book ".~mau0N_<stem><8>.tmp", a report ".<stem>-<8 hex>.xlsx.part",
# a catalog export ".<stem>-<8>.xlsx.tmp". They carry no process id, so only their age frees them.
_LEGACY_NAMES = (
    re.compile(r"^\.~.{1,60}\.[a-z0-9_]{8}\.tmp(?:-journal|-wal|-shm)?$", re.S),
    re.compile(r"^\.~mau0\d_.{0,40}[a-z0-9_]{8}\.tmp$", re.S),
    re.compile(r"^\..{1,200}-[0-9a-f]{8}\.xlsx\.part$", re.S),
    re.compile(r"^\..{1,200}-[a-z0-9_]{8}\.xlsx\.tmp$", re.S),
)


def host_label() -> str:
    """This PC's name as it appears in temporary names (letters and digits, at most 15)."""
    name = re.sub(r"[^a-z0-9]", "", socket.gethostname().lower())
    return (name or "pc")[:15]


def temp_name(target: Path) -> str:
    """The name of a new temporary file for ``target``: recognisably ours, with this writer's pid."""
    return f"{TEMP_MARK}{host_label()}-{os.getpid()}-{secrets.token_hex(4)}-{target.name[:60]}.tmp"


def is_temp_name(name: str) -> bool:
    return _TEMP_NAME.match(name) is not None


# -- errors ------------------------------------------------------------------------------------
def write_error(path: Path | str, exc: BaseException) -> DeskError:
    """One message a clerk can act on, for a disk full, a read-only or missing folder and the like."""
    path = Path(path)
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or "disk is full" in text or "disk full" in text \
            or ("disk i/o error" in text and _nearly_full(path.parent)):
        return DeskError(_("The disk is full: cannot write {path}. Nothing was changed. Free some space or "
                           "choose another drive, then try again.").format(path=path))
    if code == errno.ENOENT and not path.parent.exists():
        return DeskError(_("The folder {folder} does not exist: cannot write {path}. Nothing was changed. "
                           "Choose an existing folder.").format(folder=path.parent, path=path))
    if code == errno.ENOTDIR:
        return DeskError(_("{folder} is not a folder: cannot write {path}. Nothing was changed. Choose an "
                           "existing folder.").format(folder=path.parent, path=path))
    if code == errno.EROFS or "readonly" in text or "read-only" in text:
        return DeskError(_("The folder {folder} is read-only: cannot write {path}. Nothing was changed. "
                           "Choose another folder.").format(folder=path.parent, path=path))
    if code in (errno.EACCES, errno.EPERM):
        return DeskError(_("Cannot write {path}: the folder is read-only, you have no permission there, or the "
                           "file is open in another program (Word, Excel). Nothing was changed. Close it or "
                           "choose another folder.").format(path=path))
    reason = getattr(exc, "strerror", None) or str(exc)
    return DeskError(_("Cannot write {path}: {reason}. Nothing was changed.").format(path=path, reason=reason))


def _nearly_full(folder: Path) -> bool:
    """SQLite reports some writes on a full disk as a plain "disk I/O error"."""
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def _check_folder(folder: Path, target: Path) -> None:
    if not folder.exists():
        raise write_error(target, FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder)))
    if not folder.is_dir():
        raise write_error(target, NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)))


# -- durability --------------------------------------------------------------------------------
def fsync_file(path: Path | str) -> None:
    """Make a written file's content durable (a power cut after this keeps it)."""
    # Windows flushes only a handle opened for writing; elsewhere a read-only descriptor is enough.
    fd = os.open(path, (os.O_RDWR if os.name == "nt" else os.O_RDONLY) | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path | str) -> None:
    """Make a rename durable; Windows cannot open a folder for this and needs nothing more."""
    if os.name == "nt":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_temp(path: Path | str) -> None:
    """Remove a temporary file and whatever SQLite left beside it."""
    for suffix in ("", *SQLITE_SIDE_FILES):
        with suppress(OSError):
            os.unlink(f"{path}{suffix}")


# -- writing -----------------------------------------------------------------------------------
def new_temp(target: Path | str, *, clean: bool = True) -> Path:
    """Create (exclusively) an empty temporary file in ``target``'s folder, so the final rename is atomic.

    The folder must exist: a missing folder is an error, not created here. Stale temporaries of
    killed writers in that folder are removed first.
    """
    target = Path(target)
    folder = target.parent
    _check_folder(folder, target)
    if clean:
        clean_stale(folder)
    while True:
        tmp = folder / temp_name(target)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise write_error(target, exc) from exc
        os.close(fd)
        return tmp


def _keep_mode(tmp: Path, target: Path) -> None:
    with suppress(OSError):
        os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))


def publish(tmp: Path, target: Path, *, exclusive: bool = False) -> Path:
    """Rename a complete, fsynced temporary file to ``target`` and make the rename durable.

    ``exclusive``: never replace an existing file (FileExistsError instead). A hard link does that
    atomically; where the file system has none (FAT on a USB stick) the name is first reserved with
    an exclusive create, then replaced.
    """
    if exclusive:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # FileExistsError if taken
            os.close(fd)
            try:
                os.replace(tmp, target)
            except OSError:
                with suppress(OSError):
                    os.unlink(target)
                raise
        else:
            with suppress(OSError):
                os.unlink(tmp)
    else:
        if target.exists():
            _keep_mode(tmp, target)
        os.replace(tmp, target)
    fsync_dir(target.parent)
    return target


def publish_unique(tmp: Path, candidates: Iterable[Path]) -> Path:
    """Publish under the first of ``candidates`` that does not exist yet; an existing file is never replaced."""
    for candidate in candidates:
        try:
            return publish(tmp, candidate, exclusive=True)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(tmp))


def numbered(path: Path, limit: int = 1000) -> Iterator[Path]:
    """``path``, then ``name-2.ext``, ``name-3.ext``…: names for a copy that must not replace another."""
    yield path
    for n in range(2, limit + 2):
        yield path.with_name(f"{path.stem}-{n}{path.suffix}")


def already_exists(path: Path) -> DeskError:
    return DeskError(_("{path} already exists; a copy is never overwritten. Nothing was changed. Choose another "
                       "name.").format(path=path))


@contextmanager
def atomic_path(target: Path | str, *, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it becomes ``target``, on failure it vanishes.

    For writers that need a file name (SQLite, zip files, external tools). The caller writes and
    closes the file; this fsyncs and renames it. An OSError or SQLite disk error becomes one clear
    DeskError; any other error passes through; in every failure nothing is left behind.
    """
    target = Path(target)
    tmp = new_temp(target)
    try:
        yield tmp
        fsync_file(tmp)
        for suffix in SQLITE_SIDE_FILES:  # a database written through SQLite must be self-contained
            with suppress(OSError):
                os.unlink(f"{tmp}{suffix}")
        publish(tmp, target, exclusive=exclusive)
    except FileExistsError as exc:
        remove_temp(tmp)
        if exclusive and target.exists():
            raise already_exists(target) from exc
        raise write_error(target, exc) from exc
    except (OSError, sqlite3.DatabaseError) as exc:
        remove_temp(tmp)
        if isinstance(exc, sqlite3.DatabaseError) and not _is_disk_error(exc):
            raise
        raise write_error(target, exc) from exc
    except BaseException:
        remove_temp(tmp)
        raise


def _is_disk_error(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("disk is full", "disk i/o", "readonly", "read-only", "unable to open"))


@contextmanager
def atomic_write(target: Path | str, *, exclusive: bool = False) -> Iterator[IO[bytes]]:
    """Yield a binary file to write; the target appears whole when the block ends without an error."""
    with atomic_path(target, exclusive=exclusive) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()


def write_bytes(target: Path | str, data: bytes) -> Path:
    with atomic_write(target) as fh:
        fh.write(data)
    return Path(target)


def write_text(target: Path | str, text: str, *, encoding: str = "utf-8") -> Path:
    return write_bytes(target, text.encode(encoding))


# -- stale temporaries -------------------------------------------------------------------------
def _pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this PC (a zombie counts as gone)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
        kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = wintypes.DWORD()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0 only asks; never sent on Windows (it would terminate there)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    with suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    return True


def stale_reason(name: str, age: float, *, host: str | None = None) -> str | None:
    """Why a file of this name and age (seconds) may be removed, or None to keep it."""
    match = _TEMP_NAME.match(name)
    old = age > STALE_AFTER.total_seconds()
    if match is None:
        return "legacy temporary, old" if old and any(p.match(name) for p in _LEGACY_NAMES) else None
    if old:
        return "old"
    if match["host"] != (host or host_label()):
        return None  # another PC on a shared folder: only its age tells
    pid = int(match["pid"])
    if pid == os.getpid():
        return None  # this process may be writing it right now, in another thread
    return None if _pid_alive(pid) else "writer gone"


def clean_stale(folder: Path | str, *, now: float | None = None) -> list[Path]:
    """Remove the temporaries killed writers of this program left in ``folder``; returns what was removed.

    Never raises: cleaning is a courtesy before writing, not a condition of it.
    """
    removed: list[Path] = []
    moment = time.time() if now is None else now
    host = host_label()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(("tmp", "-journal", "-wal", "-shm", ".part"))):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = moment - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        reason = stale_reason(entry.name, age, host=host)
        if reason is None:
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
        log.info("removed a stale temporary file (%s): %s", reason, entry.path)
    return removed
