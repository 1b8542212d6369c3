"""Read QR codes and barcodes from camera frames and image files (zxing-cpp on a grayscale frame).

The pure functions (:func:`decode_image`, :func:`decode_file`) have no Qt and are what the
benchmark (bench/bench_decoder.py) times. :class:`FrameDecoder` runs them on its own thread for a
live camera: at most one frame is decoded at a time and frames arriving meanwhile are dropped (a
newer one comes ~60 ms later), so a slow decode never builds a queue of stale frames; a code held
in front of the camera is reported once, not 15 times a second.

zxing-cpp replaced pyzbar (docs/DECISIONS.md D29): pyzbar's public ``decode`` cannot set zbar's
scan density, which the live frames needed to stay under 20 ms, so the old code reached into
pyzbar's private helpers; zxing-cpp's public ``read_barcodes`` reads every test frame (rotated,
blurred, colour CCCD, Code 128) in about 7 ms at 1280x720 and needs no system library.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

log = logging.getLogger(__name__)

# What a desk meets: the slips' QR code and Code 128, the CCCD's QR code, EAN-13 on forms bought in.
KINDS = {
    zxingcpp.BarcodeFormat.QRCode: "QRCODE",
    zxingcpp.BarcodeFormat.Code128: "CODE128",
    zxingcpp.BarcodeFormat.EAN13: "EAN13",
}
FORMATS = list(KINDS)
DEBOUNCE_S = 2.0  # the same code again only after this long without seeing it


@dataclass(frozen=True)
class Decoded:
    """One code found in an image."""

    text: str
    kind: str  # "QRCODE" | "CODE128" | "EAN13"


def _text(data: bytes) -> str:
    """The code's bytes as text: slips are ASCII and CCCD payloads UTF-8 (Vietnamese names).

    Decoded from the raw bytes rather than the decoder's own guess of the character set, which
    for a QR code without an ECI marker may pick Latin-1 and mangle "Nguyễn"."""
    try:
        return data.decode("utf-8")
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
        gray = cv2.normalize(gray, np.empty_like(gray), 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return np.ascontiguousarray(gray)


def _read(gray: np.ndarray, *, thorough: bool = False) -> list[Decoded]:
    """zxing-cpp's public reader on one grayscale image; codes without repeats, in reading order."""
    found: list[Decoded] = []
    # A BarcodeFormats made per call: one kept for the life of the module is reported as leaked at exit.
    formats = zxingcpp.BarcodeFormats(FORMATS)
    for result in zxingcpp.read_barcodes(gray, formats=formats, try_rotate=True, try_downscale=True,
                                         try_invert=thorough):
        kind = KINDS.get(result.format)
        if kind is None or not result.valid:
            continue
        item = Decoded(_text(result.bytes), kind)
        if item.text and item not in found:
            found.append(item)
    return found


def decode_image(image: np.ndarray, *, thorough: bool = False) -> list[Decoded]:
    """The codes in a BGR, BGRA or grayscale frame, without repeats; [] when there is none.

    A live frame is read once (about 7 ms at 1280x720, see bench/bench_decoder.py). With
    ``thorough`` (image files, where time does not matter) light-on-dark codes are tried too, and a
    small image that gave nothing is read again at double size.
    """
    if image is None or image.size == 0:
        return []
    gray = _gray(image)
    found = _read(gray, thorough=thorough)
    if found or not thorough or max(gray.shape[:2]) > 1000:
        return found
    return _read(cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), thorough=True)


def decode_file(path: str | Path) -> list[Decoded]:
    """The codes in a photo or scan of a slip or ID card; [] when it has none or is not an image.

    Read with ``imdecode`` so paths with Vietnamese letters work on Windows too; the reader scales
    big photos (a phone's 12 MP) down itself.
    """
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return []
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if image is None:
        return []
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
