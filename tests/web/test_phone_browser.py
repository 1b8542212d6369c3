"""A real headless Chromium at phone size opens a slip's QR link on a real waitress server.

The server runs the look-up application on the test's database (SQLite file and PostgreSQL) on a free
port; Chromium (Debian's ``chromium``) loads the page as a phone of 390×844 would, dumps the DOM it
rendered and takes a screenshot. Without Chromium the tests are skipped, except under CI (``CI`` set),
where they fail: .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.services.kiosk import enforce_read_only
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
