"""A real headless Chromium at phone size opens a slip's QR link on a real waitress server.

The server runs the look-up application on the test's database (SQLite file and PostgreSQL) on a free
port; Chromium (Debian's ``chromium``) loads the page as a phone of 390×844 would, dumps the DOM it
rendered and takes a screenshot. The rating form is clicked in the same Chromium driven by chromedriver
(its W3C WebDriver protocol over HTTP, no client library). Without Chromium or chromedriver the tests
are skipped, except under CI (``CI`` set), where they fail: .ci/run installs both.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from desk.models import Rating
from desk.models.db import database_proxy
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.kiosk import _set_read_only, enforce_read_only
from desk.services.payload import check_for, make_payload
from desk.web import create_app
from desk.web.server import create_server
from tests.web.test_lookup_pages import assert_nothing_personal, make_dossier

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "lookup_phone.png"
PHONE = (390, 844)
NARROW = (360, 740)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    reason = "Chromium is not installed (Debian: apt-get install --no-install-recommends chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def browse(url: str, *args: str, size: tuple[int, int] = PHONE, home: Path) -> subprocess.CompletedProcess:
    """One headless Chromium run against ``url`` (its own profile in ``home``; root needs --no-sandbox)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
               f"--user-data-dir={home / 'profile'}", f"--window-size={size[0]},{size[1]}", *args, url]
    env = os.environ | {"HOME": str(home), "LANG": "vi_VN.UTF-8"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture
def server(any_office) -> Iterator[str]:
    """The look-up pages on a free port of this machine, served by waitress on the read-only connection."""
    code = make_dossier("processing")
    enforce_read_only()
    srv = create_server(create_app(), "127.0.0.1", 0)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}/h/", code
    finally:
        srv.close()
        thread.join(timeout=10)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_phone_opens_the_slip_link_and_sees_the_masked_state(server, tmp_path):
    base, code = server
    dom = browse(base + make_payload(code), "--dump-dom", home=tmp_path).stdout
    assert "Lê T. H." in dom
    assert "Cấp giấy xác nhận tình trạng hôn nhân" in dom
    assert "Đang giải quyết" in dom
    assert "Hẹn trả kết quả" in dom and "Cần mang theo" in dom
    assert_nothing_personal(dom)
    shot = tmp_path / "phone.png"
    browse(base + make_payload(code), f"--screenshot={shot}", home=tmp_path)
    assert _png_size(shot) == PHONE
    assert shot.stat().st_size > 10_000  # a page with text, not a blank one
    import cv2

    blue, green, red = (int(v) for v in cv2.imread(str(shot))[8, 8])
    assert (red, green, blue) == (0x0B, 0x4F, 0x8A)  # the header's colour: the policy let the style sheet in
    narrow = tmp_path / "narrow.png"
    browse(base + make_payload(code), f"--screenshot={narrow}", size=NARROW, home=tmp_path)
    assert _png_size(narrow) == NARROW
    if os.environ.get("DESK_SAVE_SCREENSHOTS"):  # refresh the committed picture (docs/screenshots)
        shutil.copy(shot, SCREENSHOT)
        shutil.copy(narrow, SCREENSHOT.with_name("lookup_phone_360.png"))


def test_a_forged_link_shows_nothing_about_any_dossier(server, tmp_path):
    base, code = server
    forged = f"{code}.{check_for(code, 'cd' * 16)}"
    dom = browse(base + forged, "--dump-dom", home=tmp_path).stdout
    assert "Không tìm thấy hồ sơ" in dom
    assert "Lê T. H." not in dom and "hôn nhân" not in dom
    assert_nothing_personal(dom)


# -- the rating form, clicked in the same Chromium through chromedriver (W3C WebDriver over HTTP) ------
RATING_SCREENSHOT = ROOT / "docs" / "screenshots" / "lookup_phone_rating.png"


def chromedriver() -> str:
    found = shutil.which("chromedriver")
    if found:
        return found
    reason = "chromedriver is not installed (Debian: apt-get install --no-install-recommends chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class WebDriver:
    """The few W3C WebDriver commands the test needs, sent to chromedriver with urllib (no client library)."""

    def __init__(self, port: int, home: Path, size: tuple[int, int]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={home / 'profile'}",
                f"--window-size={size[0]},{size[1]}", "--lang=vi"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium(), "args": args,
            # a phone's viewport, as the camera app's browser has it (headless windows have a minimum width)
            "mobileEmulation": {"deviceMetrics": {"width": size[0], "height": size[1], "pixelRatio": 1.0,
                                                  "touch": True, "mobile": True}}}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method: str, path: str, data: dict | None = None) -> Any:
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(data if data is not None else {}).encode()
                                         if method == "POST" else None,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def __call__(self, method: str, path: str, data: dict | None = None) -> Any:
        return self.call(method, f"/session/{self.session}{path}", data)

    def element(self, css: str) -> str:
        found = self("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def quit(self) -> None:
        self.call("DELETE", f"/session/{self.session}")


@pytest.fixture
def rating_server(any_office) -> Iterator[tuple[str, str]]:
    """The look-up pages on waitress over the read-only connection, with a dossier returned on 24/11."""
    code = make_dossier("processing", "resolved", "returned")
    enforce_read_only()
    srv = create_server(create_app(clock=FixedClock(datetime(2026, 11, 25, 10, tzinfo=LOCAL_TZ))), "127.0.0.1", 0)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}/h/", code
    finally:
        srv.close()
        thread.join(timeout=10)
        _set_read_only(database_proxy.obj, False)


@pytest.fixture
def driver(tmp_path) -> Iterator[WebDriver]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([chromedriver(), f"--port={port}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=os.environ | {"HOME": str(tmp_path)})
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        web = WebDriver(port, tmp_path, PHONE)
        try:
            yield web
        finally:
            web.quit()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_phone_rates_a_returned_dossier_by_tapping_a_button(rating_server, driver, tmp_path):
    base, code = rating_server
    driver("POST", "/url", {"url": base + make_payload(code)})
    size = driver("POST", "/execute/sync", {"script": "return [window.innerWidth, window.innerHeight]",
                                            "args": []})
    assert size == list(PHONE)
    page = driver("GET", "/source")
    assert "Đánh giá mức độ hài lòng" in page and "Rất hài lòng" in page and "Đã trả kết quả" in page
    assert_nothing_personal(page)
    driver("POST", f"/element/{driver.element('textarea[name=comment]')}/value", {"text": "Cán bộ tận tình"})
    driver("POST", "/execute/sync", {"script": "document.getElementById('rating').scrollIntoView()", "args": []})
    shot = tmp_path / "rating.png"
    shot.write_bytes(base64.b64decode(driver("GET", "/screenshot")))
    assert _png_size(shot) == PHONE
    assert Rating.select().count() == 0
    driver("POST", f"/element/{driver.element('button[value=very_satisfied]')}/click")
    for _ in range(100):  # the POST, its 303 and the page it leads to
        if "rated=1" in driver("GET", "/url"):
            break
        time.sleep(0.1)
    assert driver("GET", "/url") == base + make_payload(code) + "?rated=1"
    thanked = driver("GET", "/source")
    assert "Cảm ơn ông (bà) đã đánh giá" in thanked and "<form" not in thanked
    row = Rating.get()
    assert (row.level, row.channel, row.comment) == ("very_satisfied", "phone", "Cán bộ tận tình")
    driver("POST", "/url", {"url": base + make_payload(code)})  # the slip's link again: rated, no form
    again = driver("GET", "/source")
    assert "hồ sơ này đã được đánh giá" in again and "<form" not in again
    assert Rating.select().count() == 1
    if os.environ.get("DESK_SAVE_SCREENSHOTS"):
        shutil.copy(shot, RATING_SCREENSHOT)
