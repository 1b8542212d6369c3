"""The folder a document scanner (or a network copier) saves into, watched for new files (D47).

:class:`ScanFolderWatcher` emits :attr:`~ScanFolderWatcher.found` once for each new PDF, JPEG or PNG file
in the folder, and only when the file has stopped growing: two readings of its size and modification time
at least ``settle_ms`` apart agree, it is not empty and it can be opened (scanners write slowly; on Windows
a file still being written often cannot be opened). Hidden and temporary files (``.x``, ``~$x``, ``.tmp``,
``.part``) and other types are ignored, and so are sub-folders (the attached files' one among them).

A QFileSystemWatcher says when the folder changed, and a poll timer reads it anyway (the watcher misses
changes on network shares and now and then on Windows). The folder is read on a thread of the watcher's
own, never on the UI thread: an unplugged network share can block a directory listing for many seconds.
A folder that cannot be read gives one :attr:`~ScanFolderWatcher.reachable_changed` (False, why), its
offered files go (:attr:`~ScanFolderWatcher.gone`), and it is read again until it is back.

Files already in the folder when watching starts are offered only when they were modified in the last
``recent_s`` seconds (a page scanned just before the dossier was opened); older ones were left there on
purpose, and the clerk can still attach them with "Attach a file…". No services here: the view attaches
the file and then calls :func:`move_attached`.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QFileSystemWatcher, QObject, QTimer, pyqtSignal

from desk.errors import DeskError
from desk.i18n import _

log = logging.getLogger("desk.hardware.scan_folder")

SUFFIXES = frozenset({".pdf", ".jpg", ".jpeg", ".png"})
ATTACHED_FOLDER = "đã đính kèm"  # where an attached file is moved, inside the scan folder
POLL_MS = 1500  # how often the folder is read even when nothing said it changed
SETTLE_MS = 600  # two equal readings this far apart: the scanner has finished writing the file
RECENT_S = 600  # a file already there when watching starts is offered if modified this recently

Key = tuple[int, int]  # (size, modification time in ns): what "the file did not change" compares


def is_candidate(name: str) -> bool:
    """Whether a file of this name may be a scan: PDF, JPEG or PNG, not hidden, not an Office lock file."""
    if not name or name[0] in ".~":
        return False
    return os.path.splitext(name)[1].lower() in SUFFIXES


def check_folder(text: str) -> Path:
    """The folder ``text`` names, refused with one line when it does not exist, is no folder or cannot be read."""
    path = Path(text.strip()).expanduser()
    if not text.strip():
        raise DeskError(_("Choose the folder the scanner saves its files into."))
    try:
        if not path.exists():
            raise DeskError(_("The folder {path} does not exist: choose the folder the scanner saves its files "
                              "into.").format(path=path))
        if not path.is_dir():
            raise DeskError(_("{path} is a file, not a folder: choose the folder the scanner saves its files "
                              "into.").format(path=path))
        with os.scandir(path) as entries:
            next(entries, None)
    except PermissionError as exc:
        raise DeskError(_("The folder {path} cannot be read by this program: {error}. Give this computer's "
                          "users the right to read it, or choose another.").format(
                              path=path, error=exc.strerror or exc)) from exc
    except OSError as exc:
        raise DeskError(_("The folder {path} cannot be read: {error}.").format(path=path,
                                                                               error=exc.strerror or exc)) from exc
    return path


_taken_lock = threading.Lock()
_taken: dict[str, Key] = {}  # files attached in this run (and perhaps not moved away): never offered again


def _key(stat: os.stat_result) -> Key:
    return stat.st_size, stat.st_mtime_ns


def move_attached(path: Path) -> Path:
    """Move an attached file into the "đã đính kèm" sub-folder (a free name there), so it is not offered
    again; where it is. Raises OSError when it cannot be moved, and the file is then not offered again in
    this run of the program either. Runs on any thread."""
    try:
        key = _key(path.stat())
    except OSError:
        key = (-1, -1)
    with _taken_lock:
        _taken[str(path)] = key
    folder = path.parent / ATTACHED_FOLDER
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    number = 2
    while target.exists():
        target = folder / f"{path.stem} ({number}){path.suffix}"
        number += 1
    path.rename(target)
    return target


def _is_taken(path: str, key: Key) -> bool:
    with _taken_lock:
        return _taken.get(path) in (key, (-1, -1))


@dataclass(frozen=True)
class _Entry:
    key: Key
    openable: bool  # only tried for a file whose previous reading this one equals


@dataclass(frozen=True)
class _Listing:
    at: float  # monotonic seconds when the folder was read
    entries: dict[str, _Entry] | None  # None: the folder could not be read
    error: str = ""


def _read(folder: Path, expect: dict[str, Key]) -> _Listing:
    """The candidate files of ``folder`` with their readings; those whose reading equals ``expect`` are
    also opened, to see whether the writer still holds them."""
    at = time.monotonic()
    entries: dict[str, _Entry] = {}
    try:
        with os.scandir(folder) as found:
            for entry in found:
                if not is_candidate(entry.name):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    key = _key(entry.stat())
                except OSError:
                    continue  # gone between the listing and the reading
                entries[entry.name] = _Entry(key, expect.get(entry.name) == key and _opens(Path(entry.path)))
    except OSError as exc:
        return _Listing(at, None, str(exc.strerror or exc))
    return _Listing(at, entries)


def _opens(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


@dataclass
class _Pending:
    key: Key
    at: float  # when this reading was first taken


class ScanFolderWatcher(QObject):
    """Offers each new, finished scan of one folder once; see the module's text. Lives on the UI thread."""

    found = pyqtSignal(str)  # the path of a new file that has stopped changing
    gone = pyqtSignal(str)  # a file found before is no longer there (moved, attached elsewhere, folder lost)
    reachable_changed = pyqtSignal(bool, str)  # whether the folder can be read now; why not
    _listed = pyqtSignal(object)  # a _Listing, from the reading thread

    def __init__(self, folder: str | Path, parent: QObject | None = None, *, poll_ms: int = POLL_MS,
                 settle_ms: int = SETTLE_MS, recent_s: float = RECENT_S):
        super().__init__(parent)
        self.folder = Path(folder)
        self.poll_ms, self.settle_ms, self.recent_s = poll_ms, settle_ms, recent_s
        self.reachable: bool | None = None  # unknown until the first reading
        self.offered: set[str] = set()  # names found and not gone
        self._baseline: dict[str, Key] | None = None  # old files left in the folder: not offered
        self._pending: dict[str, _Pending] = {}
        self._started_wall = 0.0
        self._busy = False  # a reading is on its way
        self._again = False  # something asked for a reading meanwhile
        self._requests: queue.Queue[dict[str, Key] | None] | None = None
        self._thread: threading.Thread | None = None
        self._fs = QFileSystemWatcher(self)
        self._fs.directoryChanged.connect(lambda _path: self.check())
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._listed.connect(self._on_listing)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Read the folder now and keep watching it; safe to call twice."""
        if self._thread is not None:
            return
        self._started_wall = time.time()
        requests: queue.Queue[dict[str, Key] | None] = queue.Queue()
        self._requests = requests
        self._thread = threading.Thread(target=self._reader, args=(requests,), name="scan-folder", daemon=True)
        self._thread.start()
        self._timer.start(self.poll_ms)
        self.check()

    def stop(self) -> None:
        """Stop watching (a listing still on its way is dropped); what was found stays found."""
        if self._thread is None:
            return
        self._timer.stop()
        if self._fs.directories():
            self._fs.removePaths(self._fs.directories())
        assert self._requests is not None
        self._requests.put(None)
        self._thread = self._requests = None  # a thread stuck on a dead share ends on its own
        self._busy = self._again = False

    def check(self) -> None:
        """Read the folder soon (now, unless a reading is on its way, then right after it)."""
        if self._requests is None:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._requests.put({name: p.key for name, p in self._pending.items()})

    def _reader(self, requests: queue.Queue[dict[str, Key] | None]) -> None:
        """The reading thread: one listing per request, until told to stop."""
        while True:
            expect = requests.get()
            if expect is None:
                return
            listing = _read(self.folder, expect)
            try:
                if self._requests is requests:
                    self._listed.emit(listing)
            except RuntimeError:  # the watcher was deleted with its window
                return

    def _on_listing(self, listing: _Listing) -> None:
        if self._requests is None:
            return  # stopped meanwhile
        self._busy = False
        if listing.entries is None:
            self._lost(listing.error)
        else:
            self._back()
            self._take(listing)
        self._timer.setInterval(self.settle_ms if self._pending else self.poll_ms)
        if self._again:
            self._again = False
            QTimer.singleShot(self.settle_ms if self._pending else 0, self.check)

    def _lost(self, error: str) -> None:
        self._pending.clear()
        for name in sorted(self.offered):
            self.gone.emit(str(self.folder / name))
        self.offered.clear()
        if self.reachable is not False:
            self.reachable = False
            log.warning("scan folder %s cannot be read: %s", self.folder, error)
            self.reachable_changed.emit(False, error)

    def _back(self) -> None:
        if str(self.folder) not in self._fs.directories():
            self._fs.addPath(str(self.folder))
        if self.reachable is not True:
            if self.reachable is False:
                log.info("scan folder %s can be read again", self.folder)
            self.reachable = True
            self.reachable_changed.emit(True, "")

    def _take(self, listing: _Listing) -> None:
        """Compare a listing with the readings before: offer what has settled, forget what went."""
        entries = listing.entries or {}
        if self._baseline is None:
            old = self._started_wall - self.recent_s
            self._baseline = {name: e.key for name, e in entries.items() if e.key[1] / 1e9 < old}
        for name in sorted(self.offered - entries.keys()):
            self.offered.discard(name)
            self.gone.emit(str(self.folder / name))
        for name in [n for n in self._baseline if n not in entries]:
            del self._baseline[name]
        for name in [n for n in self._pending if n not in entries]:
            del self._pending[name]
        for name, entry in sorted(entries.items()):
            self._consider(name, entry, listing.at)

    def _consider(self, name: str, entry: _Entry, at: float) -> None:
        path = str(self.folder / name)
        if name in self.offered:
            if _is_taken(path, entry.key):
                self.offered.discard(name)
                self.gone.emit(path)
            return
        assert self._baseline is not None
        if self._baseline.get(name) == entry.key or _is_taken(path, entry.key):
            return
        self._baseline.pop(name, None)  # an old file written again is a new scan
        before = self._pending.get(name)
        if before is None or before.key != entry.key:
            self._pending[name] = _Pending(entry.key, at)
            return
        if entry.key[0] > 0 and entry.openable and (at - before.at) * 1000 >= self.settle_ms * 0.9:
            del self._pending[name]
            self.offered.add(name)
            self.found.emit(path)


__all__ = ["ATTACHED_FOLDER", "ScanFolderWatcher", "check_folder", "is_candidate", "move_attached"]
