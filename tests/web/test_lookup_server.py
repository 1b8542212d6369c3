"""``python main.py lookup-server`` as an office runs it: a real process, waitress on a free port, the
office database (SQLite file or PostgreSQL) opened read-only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from desk.models import Dossier, DossierEvent
from desk.services.payload import make_payload
from tests.web.test_lookup_pages import assert_nothing_personal, make_dossier

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


def test_the_command_serves_the_pages_read_only(any_office, tmp_path):
    code = make_dossier("processing")
    counts = (Dossier.select().count(), DossierEvent.select().count())
    port = free_port()
    env = os.environ | {"DESK_LANG": "vi", "DESK_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "main.py", "--db", any_office, "lookup-server", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, text, headers = get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.1)
        assert status == 200 and "Quét mã QR" in text
        status, text, headers = get(f"{base}/h/{make_payload(code)}")
        assert status == 200 and "Lê T. H." in text and headers["Cache-Control"] == "no-store"
        assert headers["Server"] == "OneStop Desk"
        assert_nothing_personal(text)
        assert get(f"{base}/h/{code}")[0] == 404
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "127.0.0.1:" in out and "Ctrl+C" in out, (out, err)
    assert (Dossier.select().count(), DossierEvent.select().count()) == counts
