"""Webcam capture for scanning slips and ID cards, off the UI thread.

:class:`Scanner` owns a capture thread and a :class:`~desk.hardware.decoder.FrameDecoder`. The
capture thread opens the device (OpenCV), reads frames in a loop, sends each one as a QImage for
the live preview and offers it to the decoder (which drops it if it is still busy with the last).
The UI thread only ever receives signals: opening a camera, a device that is absent, busy or
unplugged mid-scan — none of it can freeze the desk. A lost camera is retried every second and
the preview comes back by itself when it is plugged in again.

``spec`` strings (the desk setting ``camera``): ``"0"``, ``"1"`` … an OpenCV device index, or
``"fake:DIR"`` for :class:`FakeCamera`, which plays the images of a folder (tests, demos, a
desk without a webcam: ``python main.py --camera fake:tests/data/frames``).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no "can't open camera by index" noise on stderr

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PyQt6.QtCore import QObject, QThread, pyqtSignal  # noqa: E402
from PyQt6.QtGui import QImage  # noqa: E402

from desk.hardware.decoder import FrameDecoder  # noqa: E402
from desk.i18n import _  # noqa: E402
from desk.text import is_digits

FAKE = "fake:"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
RETRY_S = 1.0  # how often a missing or unplugged camera is tried again
READ_FAILURES = 5  # this many failed reads in a row mean the camera is gone


@dataclass(frozen=True)
class CameraInfo:
    """A camera the desk can use: ``spec`` is what the settings store, ``name`` what the clerk reads."""

    spec: str  # "0", "1", or "fake:DIR"
    name: str


def _device_name(index: int) -> str:
    """The name the platform gives a camera (Linux: /sys/class/video4linux), else "Camera N"."""
    node = Path(f"/sys/class/video4linux/video{index}/name")
    try:
        name = node.read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    return name or _("Camera {n}").format(n=index)


def _device_node_exists(index: int) -> bool | None:
    """Linux: whether /dev/videoN exists (None elsewhere, where only opening it tells)."""
    if sys.platform.startswith("linux"):
        return Path(f"/dev/video{index}").exists()
    return None


def list_cameras(max_index: int = 4) -> list[CameraInfo]:
    """The cameras that open now, by index (and name where the platform gives one).

    On Linux only existing /dev/videoN nodes are tried, so a desk without a webcam answers at once.
    Called from the UI when the chooser is built; each present camera is opened and closed once.
    """
    found: list[CameraInfo] = []
    for index in range(max_index):
        if _device_node_exists(index) is False:
            continue
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                found.append(CameraInfo(str(index), _device_name(index)))
        finally:
            capture.release()
    return found


def fake_spec(folder: str | Path) -> str:
    return f"{FAKE}{folder}"


def describe_spec(spec: str) -> str:
    """How a spec reads in the camera chooser."""
    if spec.startswith(FAKE):
        return _("Test images: {folder}").format(folder=spec[len(FAKE):])
    if is_digits(spec):
        return _device_name(int(spec))
    return spec


def _fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` on a ``size`` canvas like a camera would see it: scaled down to fit, centred, never stretched."""
    width, height = size
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    scale = min(width / w, height / h, 1.0)
    if scale < 1.0:
        image = cv2.resize(image, (max(int(w * scale), 1), max(int(h * scale), 1)), interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
    canvas = np.full((height, width, 3), 170, np.uint8)  # a grey desk around the paper
    y, x = (height - h) // 2, (width - w) // 2
    canvas[y:y + h, x:x + w] = image
    return canvas


def write_code_frames(texts: list[str], folder: str | Path, *, width: int = 1280, height: int = 720) -> list[Path]:
    """Camera frames of a sheet with each text's QR code, for a FakeCamera to play (trying the kiosk).

    An empty desk comes before each code, so a reader that debounces repeats sees each code as new. Old
    PNGs in ``folder`` are removed first; returns the files written, in playing order.
    """
    import segno

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    desk = np.full((height, width, 3), (128, 134, 140), dtype=np.uint8)
    cv2.rectangle(desk, (width // 2 - 300, height // 2 - 250), (width // 2 + 300, height // 2 + 250),
                  (236, 238, 240), -1)
    written = []
    for index, text in enumerate(texts):
        empty = folder / f"{index:02d}a_no_code.png"
        cv2.imwrite(str(empty), desk)
        qr = segno.make(text, error="m", micro=False)
        module = np.array([[0 if dark else 255 for dark in row] for row in qr.matrix_iter(scale=1, border=4)],
                          dtype=np.uint8)
        side = min(height - 260, 420)
        symbol = cv2.resize(module, (side, side), interpolation=cv2.INTER_NEAREST)
        frame = desk.copy()
        top, left = (height - side) // 2, (width - side) // 2
        frame[top:top + side, left:left + side] = cv2.cvtColor(symbol, cv2.COLOR_GRAY2BGR)
        slip = folder / f"{index:02d}b_slip.png"
        cv2.imwrite(str(slip), frame)
        written += [empty, slip]
    return written


class FakeCamera:
    """Plays the images of a folder (sorted by name), looping, at ``fps`` frames a second.

    The same small interface as :class:`OpenCVCamera` — ``open()``, ``read()``, ``release()`` —
    so the Scanner cannot tell them apart. The only fake camera: tests, demos, desks without a webcam.
    """

    def __init__(self, folder: str | Path, *, fps: float = 15.0, loop: bool = True,
                 width: int | None = None, height: int | None = None):
        self.folder = Path(folder)
        self.fps = fps
        self.loop = loop
        self.size = (width, height) if width and height else None
        self.frames: list[np.ndarray] = []
        self.position = 0
        self.frames_read = 0
        self._next = 0.0

    @property
    def name(self) -> str:
        return describe_spec(fake_spec(self.folder))

    def open(self) -> bool:
        """Load the folder's images; False when it has none (then it counts as an absent camera)."""
        try:
            files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError:
            files = []
        frames = []
        for path in files:
            image = cv2.imdecode(np.fromfile(str(path), dtype=np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                continue
            if self.size:
                image = _fit(image, self.size)
            frames.append(image)
        self.frames = frames
        self.position = 0
        self._next = time.monotonic()
        return bool(frames)

    def is_open(self) -> bool:
        return bool(self.frames)

    def read(self) -> np.ndarray | None:
        """The next frame, paced to ``fps``; None at the end of a non-looping folder."""
        if not self.frames or (not self.loop and self.position >= len(self.frames)):
            return None
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + 1.0 / self.fps, time.monotonic() - 1.0 / self.fps)
        frame = self.frames[self.position % len(self.frames)]
        self.position += 1
        self.frames_read += 1
        return frame.copy()

    def release(self) -> None:
        self.frames = []


class OpenCVCamera:
    """A webcam through OpenCV: asks for ``width`` x ``height`` and takes what the device gives."""

    def __init__(self, index: int, *, width: int = 1280, height: int = 720):
        self.index = index
        self.width = width
        self.height = height
        self.capture: cv2.VideoCapture | None = None

    @property
    def name(self) -> str:
        return _device_name(self.index)

    def exists(self) -> bool | None:
        return _device_node_exists(self.index)

    def open(self) -> bool:
        self.release()
        if self.exists() is False:
            return False
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            return False
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)  # unsupported sizes are ignored by the driver
        self.capture = capture
        return True

    def is_open(self) -> bool:
        return self.capture is not None and self.capture.isOpened()

    def read(self) -> np.ndarray | None:
        if self.capture is None:
            return None
        ok, frame = self.capture.read()
        return frame if ok and frame is not None and frame.size else None

    def release(self) -> None:
        if self.capture is not None:
            self.capture.release()
            self.capture = None


def open_device(spec: str, *, width: int = 1280, height: int = 720) -> FakeCamera | OpenCVCamera | None:
    """The device a spec names (not opened yet); None when the spec is empty or not understood."""
    spec = (spec or "").strip()
    if spec.startswith(FAKE):
        return FakeCamera(spec[len(FAKE):], width=width, height=height)
    if is_digits(spec):
        return OpenCVCamera(int(spec), width=width, height=height)
    return None


def to_qimage(frame: np.ndarray) -> QImage:
    """A BGR (or grayscale) frame as an RGB QImage that owns its pixels (safe to send across threads)."""
    if frame.ndim == 2:
        rgb = cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    else:
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    height, width = rgb.shape[:2]
    # PyQt takes any buffer (its stub says bytes): the frame's own memory, copied once by copy().
    return QImage(rgb.data, width, height, rgb.strides[0],  # type: ignore[call-overload]
                  QImage.Format.Format_RGB888).copy()


# Scanner states, for code and tests (the messages are for people).
STARTING, RUNNING, ABSENT, BUSY, LOST, BACK, STOPPED = (
    "starting", "running", "absent", "busy", "lost", "back", "stopped")


class _CaptureThread(QThread):
    """Opens the device, reads frames, retries when it is gone; never touches widgets."""

    frame = pyqtSignal(QImage)
    state = pyqtSignal(str, str)  # state, message

    def __init__(self, spec: str, decoder: FrameDecoder, width: int, height: int):
        super().__init__()
        self.setObjectName("camera-capture")
        self.spec = spec
        self.decoder = decoder
        self.device = open_device(spec, width=width, height=height)
        self.halt = threading.Event()
        self.frames = 0
        self.pending = 0  # preview frames sent and not yet received by the UI thread
        self.lock = threading.Lock()

    def received(self) -> None:
        with self.lock:
            self.pending = max(self.pending - 1, 0)

    def _say(self, state: str, message: str) -> None:
        self.state.emit(state, message)

    def _open(self) -> bool:
        device = self.device
        if device is None:
            return False
        return device.open()

    def _why_not(self) -> tuple[str, str]:
        device = self.device
        if device is None:
            return ABSENT, _("No camera chosen, or the camera setting is not understood: {spec}").format(
                spec=self.spec or "—")
        if isinstance(device, OpenCVCamera) and device.exists():
            return BUSY, _("Camera {name} cannot be opened: it may be in use by another program").format(
                name=device.name)
        return ABSENT, _("Camera not found ({name}). Plug it in or choose another one; "
                         "you can also open an image file").format(name=device.name)

    def run(self) -> None:  # the capture loop
        lost = False  # the camera worked in this session and then went away
        announced = ""
        try:
            while not self.halt.is_set():
                if not self._open():
                    state, message = self._why_not()
                    if lost:
                        state, message = LOST, _("The camera was disconnected. Waiting for it to come back…")
                    if message != announced:
                        self._say(state, message)
                        announced = message
                    if self.device is None or self.halt.wait(RETRY_S):
                        if self.device is None:
                            self.halt.wait()
                        break
                    continue
                if lost or announced:
                    self._say(BACK if lost else RUNNING, _("Camera reconnected") if lost else _("Camera ready"))
                else:
                    self._say(RUNNING, _("Camera ready"))
                announced = ""
                lost = self._read_loop()
                if lost:
                    announced = _("The camera was disconnected. Waiting for it to come back…")
                    self._say(LOST, announced)
                    self.halt.wait(RETRY_S)
        finally:
            if self.device is not None:
                self.device.release()

    def _read_loop(self) -> bool:
        """Read until stopped (False) or until the device stops giving frames (True)."""
        failures = 0
        device = self.device
        assert device is not None  # run() reads only after _open() found the device
        while not self.halt.is_set():
            frame = device.read()
            if frame is None:
                failures += 1
                if failures >= READ_FAILURES:
                    device.release()
                    return True
                self.halt.wait(0.05)
                continue
            failures = 0
            self.frames += 1
            self.decoder.submit(frame)
            if self.pending < 3:  # the UI is keeping up; otherwise skip this preview frame
                with self.lock:
                    self.pending += 1
                self.frame.emit(to_qimage(frame))
        return False


class Scanner(QObject):
    """A camera plus a decoder: live preview frames, decoded texts and status messages, as signals.

    Everything slow happens on the capture and decoder threads; ``start()`` and ``stop()`` return
    quickly (``stop`` waits at most ~2 s for a device that hangs on release).
    """

    preview = pyqtSignal(QImage)
    decoded = pyqtSignal(str)
    status = pyqtSignal(str)

    def __init__(self, spec: str, parent: QObject | None = None, *, width: int = 1280, height: int = 720):
        super().__init__(parent)
        self.spec = (spec or "").strip()
        self.width = width
        self.height = height
        self.state = STOPPED
        self.message = ""
        self.decoder = FrameDecoder(self)
        self.decoder.decoded.connect(self.decoded)
        self._thread: _CaptureThread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @property
    def frames(self) -> int:
        """Frames read from the device since start()."""
        return self._thread.frames if self._thread is not None else 0

    def start(self) -> None:
        if self.running:
            return
        self.state = STARTING
        thread = _CaptureThread(self.spec, self.decoder, self.width, self.height)
        thread.frame.connect(self._on_frame)
        thread.state.connect(self._on_state)
        self._thread = thread
        thread.start()

    def _on_frame(self, image: QImage) -> None:
        thread = self._thread
        if thread is None:
            return
        thread.received()
        self.preview.emit(image)

    def _on_state(self, state: str, message: str) -> None:
        if self._thread is None:  # a message from a thread already stopped
            return
        self.state = state
        self.message = message
        self.status.emit(message)

    def stop(self, timeout_ms: int = 2000) -> None:
        """End the capture loop, release the device and the decoder thread; safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.halt.set()
            if not thread.wait(timeout_ms):
                # A driver stuck in read(): leave it to finish on its own rather than freeze the desk.
                thread.setParent(None)
                _orphans.append(thread)
        self.decoder.stop()
        self.state = STOPPED


_orphans: list[QThread] = []  # capture threads that did not end in time; kept alive until they do
