"""Camera capture with FakeCamera frames and with an absent OpenCV device (no webcam on the test machines)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from desk.hardware import camera as cam
from desk.hardware.camera import (
    ABSENT,
    BACK,
    LOST,
    RUNNING,
    CameraInfo,
    FakeCamera,
    OpenCVCamera,
    Scanner,
    describe_spec,
    list_cameras,
    open_device,
)
from desk.services.payload import make_payload

FRAMES = Path(__file__).resolve().parents[1] / "data" / "frames"
SLIP = make_payload("000.00.13.H42-261122-0007", secret="00112233445566778899aabbccddeeff")
ABSENT_INDEX = 37  # no machine has /dev/video37


@pytest.fixture
def folder(tmp_path) -> Path:
    """A camera pointed at an empty desk, then at a slip held still."""
    d = tmp_path / "frames"
    d.mkdir()
    shutil.copy(FRAMES / "01_no_code.png", d / "a.png")
    shutil.copy(FRAMES / "02_slip_qr.png", d / "b.png")
    shutil.copy(FRAMES / "02_slip_qr.png", d / "c.png")
    return d


@pytest.fixture
def scanners():
    made: list[Scanner] = []
    yield made
    for s in made:
        s.stop()


def test_fake_camera_plays_the_folder_sorted_and_looping(folder):
    camera = FakeCamera(folder, fps=200)
    assert camera.open()
    shapes = [camera.read().shape for _ in range(7)]
    assert shapes == [(720, 1280, 3)] * 7
    assert camera.position == 7
    once = FakeCamera(folder, fps=200, loop=False)
    assert once.open()
    assert [once.read() is not None for _ in range(4)] == [True, True, True, False]
    assert not FakeCamera(folder / "missing").open()


def test_fake_camera_keeps_its_frame_rate(folder):
    camera = FakeCamera(folder, fps=20)
    camera.open()
    start = time.monotonic()
    for _ in range(6):
        camera.read()
    assert 0.2 <= time.monotonic() - start < 0.6


def test_specs_and_listing():
    assert isinstance(open_device("fake:frames"), FakeCamera)
    assert isinstance(open_device("2"), OpenCVCamera) and open_device("2").index == 2
    assert open_device("") is None and open_device("webcam") is None
    assert describe_spec("fake:tests/data/frames").endswith("tests/data/frames")
    cameras = list_cameras()  # none here; must answer at once and only list ones that open
    assert all(isinstance(c, CameraInfo) and c.spec.isdigit() for c in cameras)
    assert not OpenCVCamera(ABSENT_INDEX).open()


def test_scanner_with_a_fake_camera_previews_and_decodes_the_slip_once(qtbot, folder, scanners):
    scanner = Scanner(f"fake:{folder}", width=1280, height=720)
    scanners.append(scanner)
    previews, codes, statuses = [], [], []
    scanner.preview.connect(previews.append)
    scanner.decoded.connect(codes.append)
    scanner.status.connect(statuses.append)
    with qtbot.waitSignal(scanner.decoded, timeout=3000):
        scanner.start()
    qtbot.waitUntil(lambda: len(previews) >= 12, timeout=3000)  # the slip stays in view for several frames
    scanner.stop()
    assert codes == [SLIP]
    assert scanner.state == cam.STOPPED and not scanner.running
    assert statuses and scanner.decoder.submitted >= 2
    image = previews[0]
    assert (image.width(), image.height()) == (1280, 720)
    assert not image.isNull()
    scanner.stop()  # twice is fine


def test_scanner_preview_is_at_least_15_fps(qtbot, folder, scanners):
    scanner = Scanner(f"fake:{folder}")
    scanner.decoder.debounce = 60
    scanners.append(scanner)
    previews = []
    scanner.preview.connect(previews.append)
    scanner.start()
    qtbot.waitUntil(lambda: len(previews) >= 1, timeout=2000)
    start, first = time.monotonic(), len(previews)
    qtbot.wait(1000)  # a second of real time: the frames counted in it are the measure
    fps = (len(previews) - first) / (time.monotonic() - start)
    assert fps >= 13, fps  # FakeCamera plays at 15 fps; the UI thread must keep up with it


def test_scanner_on_an_absent_device_says_so_without_blocking(qtbot, scanners):
    scanner = Scanner(str(ABSENT_INDEX))
    scanners.append(scanner)
    start = time.monotonic()
    with qtbot.waitSignal(scanner.status, timeout=2000) as blocker:
        scanner.start()
        assert time.monotonic() - start < 0.2  # start() returns at once
    assert scanner.state == ABSENT
    assert str(ABSENT_INDEX) in blocker.args[0]
    start = time.monotonic()
    scanner.stop()
    assert time.monotonic() - start < 1.0  # the retry wait is interrupted
    assert not scanner.running


def test_scanner_with_an_empty_spec_or_folder_reports_absent(qtbot, tmp_path, scanners):
    for spec in ("", f"fake:{tmp_path / 'nothing'}"):
        scanner = Scanner(spec)
        scanners.append(scanner)
        with qtbot.waitSignal(scanner.status, timeout=2000):
            scanner.start()
        assert scanner.state == ABSENT


def test_unplugged_camera_is_retried_and_comes_back(qtbot, folder, scanners, monkeypatch):
    """Frames stop (cable pulled): a message, retries every second, and the preview resumes."""
    monkeypatch.setattr(cam, "RETRY_S", 0.1)
    plugged = {"in": True}
    real_read, real_open = FakeCamera.read, FakeCamera.open
    monkeypatch.setattr(FakeCamera, "read", lambda self: real_read(self) if plugged["in"] else None)
    monkeypatch.setattr(FakeCamera, "open", lambda self: plugged["in"] and real_open(self))
    scanner = Scanner(f"fake:{folder}")
    scanners.append(scanner)
    states: list[str] = []
    scanner.status.connect(lambda _m: states.append(scanner.state))
    previews = []
    scanner.preview.connect(previews.append)
    scanner.start()
    qtbot.waitUntil(lambda: len(previews) >= 2, timeout=2000)
    plugged["in"] = False
    qtbot.waitUntil(lambda: scanner.state == LOST, timeout=2000)
    qtbot.wait(300)  # a few failed re-opens: one message only
    assert states.count(LOST) == 1
    count = len(previews)
    plugged["in"] = True
    qtbot.waitUntil(lambda: scanner.state == BACK, timeout=2000)
    qtbot.waitUntil(lambda: len(previews) > count, timeout=2000)
    assert states[0] == RUNNING and states[-1] == BACK


def test_camera_option_is_for_this_run_only(monkeypatch, tmp_path):
    """``main.py --camera fake:DIR …`` reaches Settings.load() (the GUI's settings) but is not saved."""
    from desk.cli import main
    from desk.config import Settings

    monkeypatch.setenv("DESK_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("DESK_CAMERA", "")  # restored (removed) after the test, whatever main() sets
    Settings(camera="0").save()
    assert main(["--camera", f"fake:{FRAMES}", "parse-cccd",
                 "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Hà Tĩnh|10082021"]) == 0
    settings = Settings.load()
    assert settings.camera == f"fake:{FRAMES}"
    settings.username = "hang"
    settings.save()
    os.environ["DESK_CAMERA"] = ""
    assert Settings.load().camera == "0" and Settings.load().username == "hang"
