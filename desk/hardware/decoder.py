"""Read QR codes and barcodes from camera frames and image files (pyzbar on a grayscale frame).

The pure functions (:func:`decode_image`, :func:`decode_file`) have no Qt and are what the
benchmark (bench/bench_decoder.py) times. :class:`FrameDecoder` runs them on its own thread for a
live camera: at most one frame is decoded at a time and frames arriving meanwhile are dropped (a
newer one comes ~60 ms later), so a slow decode never builds a queue of stale frames; a code held
in front of the camera is reported once, not 15 times a second.

Speed: zbar's cost grows with the scan lines it follows. A live 1280x720 frame is scanned at
density 2 (every second row and column), which halves the time and still reads the rotated,
blurred and 1D test frames; a downscaled first pass was tried and lost the blurred QR and the
Code 128 (see bench/bench_decoder.py for the figures).
"""

from __future__ import annotations

import logging
import threading
import time
from ctypes import c_void_p, cast
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot
from pyzbar import pyzbar as _pz
from pyzbar.pyzbar import ZBarSymbol, decode
from pyzbar.wrapper import (
    ZBarConfig,
    zbar_image_scanner_set_config,
    zbar_image_set_data,
    zbar_image_set_format,
    zbar_image_set_size,
    zbar_scan_image,
)

log = logging.getLogger(__name__)

SYMBOLS = (ZBarSymbol.QRCODE, ZBarSymbol.CODE128, ZBarSymbol.EAN13)
DEBOUNCE_S = 2.0  # the same code again only after this long without seeing it
FRAME_DENSITY = 2  # zbar scans every second row and column of a live frame


@dataclass(frozen=True)
class Decoded:
    """One code found in an image."""

    text: str
    kind: str  # "QRCODE" | "CODE128" | "EAN13"


def _text(data: bytes) -> str:
    """zbar gives bytes; slips are ASCII and CCCD payloads UTF-8 (Vietnamese names)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # zbar sometimes guesses another charset for byte-mode QR codes and converts to UTF-8 from it;
        # undo a Latin-1 guess, else keep what can be read.
        try:
            return data.decode("latin-1").encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace")


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        gray = image
    elif image.shape[2] == 4:
        gray = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    else:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if gray.dtype != np.uint8:
        gray = cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return np.ascontiguousarray(gray)


def _zbar(gray: np.ndarray, density: int = 1) -> list[Decoded]:
    """pyzbar's decode with zbar's scan density set: 2 looks at every second row and column."""
    height, width = gray.shape[:2]
    pixels = gray.tobytes()
    found: list[Decoded] = []
    with _pz._image_scanner() as scanner:
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_ENABLE, 0)
        for symbol in SYMBOLS:
            zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_X_DENSITY, density)
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_Y_DENSITY, density)
        with _pz._image() as image:
            zbar_image_set_format(image, _pz._FOURCC["L800"])
            zbar_image_set_size(image, width, height)
            zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
            zbar_scan_image(scanner, image)
            for symbol in _pz._decode_symbols(_pz._symbols_for_image(image)):
                item = Decoded(_text(symbol.data), symbol.type)
                if item.text and item not in found:
                    found.append(item)
    return found


def _pyzbar(gray: np.ndarray) -> list[Decoded]:
    """The plain pyzbar call (every row and column); the reference the benchmark compares with."""
    found: list[Decoded] = []
    for symbol in decode(gray, symbols=SYMBOLS):
        item = Decoded(_text(symbol.data), symbol.type)
        if item.text and item not in found:
            found.append(item)
    return found


def decode_image(image: np.ndarray, *, thorough: bool = False) -> list[Decoded]:
    """The codes in a BGR, BGRA or grayscale frame, without repeats; [] when there is none.

    A live frame is scanned once at zbar density 2 (every second row and column: under 20 ms at
    1280x720 and still reads rotated, blurred and 1D codes, see bench/bench_decoder.py). With
    ``thorough`` (image files, where time does not matter) a frame that gave nothing is scanned
    again at full density, and at double size when it is small.
    """
    if image is None or image.size == 0:
        return []
    gray = _gray(image)
    found = _zbar(gray, FRAME_DENSITY)
    if found or not thorough:
        return found
    found = _zbar(gray, 1)
    if found or max(gray.shape[:2]) > 1000:
        return found
    return _zbar(cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), 1)


def decode_file(path: str | Path) -> list[Decoded]:
    """The codes in a photo or scan of a slip or ID card; [] when it has none or is not an image.

    Read with ``imdecode`` so paths with Vietnamese letters work on Windows too. Big photos (a
    phone's 12 MP) are tried scaled down to ~1600 px first, then at full size.
    """
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return []
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if image is None:
        return []
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest > 1600:
        scale = 1600 / longest
        small = cv2.resize(image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)
        found = decode_image(small, thorough=True)
        if found:
            return found
    return decode_image(image, thorough=True)


class _Worker(QObject):
    """Lives on the decoder's thread; decodes one frame per call."""

    done = pyqtSignal(object, float)  # list[Decoded], perf_counter() when the frame was submitted

    def __init__(self, owner: FrameDecoder):
        super().__init__()
        self._owner = owner

    @pyqtSlot(object, float)
    def work(self, frame: np.ndarray, submitted: float) -> None:
        try:
            found = decode_image(frame)
        except Exception:  # noqa: BLE001 - one odd frame must not stop the camera
            log.exception("decoding a frame failed")
            found = []
        finally:
            self._owner._release()
        if found:
            self.done.emit(found, submitted)


class FrameDecoder(QObject):
    """Decodes camera frames on its own QThread; at most one frame in flight, stale frames dropped.

    :attr:`decoded` is emitted (in the thread that owns the FrameDecoder, normally the UI thread)
    once per new code; the same code again only after ``debounce`` seconds without seeing it.
    """

    decoded = pyqtSignal(str)
    _request = pyqtSignal(object, float)

    def __init__(self, parent: QObject | None = None, *, debounce: float = DEBOUNCE_S):
        super().__init__(parent)
        self.debounce = debounce
        self.submitted = 0  # frames taken for decoding
        self.dropped = 0  # frames dropped because one was in flight
        self.last_frame_time: float | None = None  # perf_counter() of the frame behind the last emitted code
        self._busy = False
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        self._thread = QThread()
        self._thread.setObjectName("frame-decoder")
        self._worker = _Worker(self)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.work)
        self._worker.done.connect(self._on_done)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._busy

    def submit(self, frame: np.ndarray) -> None:
        """Hand a frame over (any thread); returns at once and drops the frame while one is decoding."""
        with self._lock:
            if self._busy or not self._thread.isRunning():
                self.dropped += 1
                return
            self._busy = True
            self.submitted += 1
        self._request.emit(frame, time.perf_counter())

    def _release(self) -> None:
        with self._lock:
            self._busy = False

    def _on_done(self, found: list[Decoded], submitted: float) -> None:
        now = time.monotonic()
        for item in found:
            last = self._seen.get(item.text)
            self._seen[item.text] = now
            if last is None or now - last >= self.debounce:
                self.last_frame_time = submitted
                self.decoded.emit(item.text)
        if len(self._seen) > 64:  # forget codes not seen for a while
            self._seen = {k: v for k, v in self._seen.items() if now - v < self.debounce}

    def reset(self) -> None:
        """Forget the codes seen, so the next sighting of any code is reported again."""
        self._seen.clear()

    def stop(self, timeout_ms: int = 2000) -> None:
        """End the decoding thread (waits for a frame in flight); safe to call twice."""
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait(timeout_ms)
