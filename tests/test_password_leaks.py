"""The failing paths, really run: a database that cannot be reached, with a password that holds every
character that breaks a naive parser. Neither stderr, stdout, the dialog nor desk.log may show any 4
characters of it (issue 9, item 12).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox

from desk.i18n import set_language
from tests.test_redaction import PASSWORDS, fragments

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ["127.0.0.1:1", "host.invalid"]  # connection refused; a name that never resolves


def _dsn(password: str, host: str) -> str:
    name, _sep, port = host.partition(":")
    quoted = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return f"host={name} port={port or 5432} user=postgres password={quoted} dbname=x connect_timeout=2"


def addresses(password: str, host: str) -> list[tuple[str, str]]:
    """The ways an administrator writes the database address: as typed, percent-encoded, libpq keywords."""
    return [
        ("typed", f"postgresql://postgres:{password}@{host}/x?connect_timeout=2"),
        ("encoded", f"postgres://postgres:{quote(password, safe='')}@{host}/x?connect_timeout=2"),
        ("keywords", _dsn(password, host)),
    ]


CASES = [(password, host, kind, url) for password in PASSWORDS for host in HOSTS[:1]
         for kind, url in addresses(password, host)]
CASES += [(password, HOSTS[1], kind, url) for password in PASSWORDS[:3] for kind, url in addresses(password, HOSTS[1])]


def secrets_of(password: str) -> list[str]:
    return [password, quote(password, safe=""), unquote(password)]


def leaks(text: str, password: str) -> set[str]:
    """Every fragment of 4 characters or more of the password found in ``text``, ignoring case."""
    low = text.lower()
    return {piece for secret in secrets_of(password) for piece in fragments(secret) if piece.lower() in low}


def _case_id(case) -> str:
    password, host, kind, _url = case
    return f"{PASSWORDS.index(password)}-{kind}-{host}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_cli_never_shows_the_password(tmp_path, case):
    password, _host, _kind, url = case
    env = {**os.environ, "DESK_DATA_DIR": str(tmp_path / "data"), "DESK_CONFIG_DIR": str(tmp_path / "config"),
           "DESK_LANG": "vi", "PYTHONIOENCODING": "utf-8"}
    env.pop("DESK_DATABASE_URL", None)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", url, "procedures"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert done.returncode != 0 and done.stderr.strip(), done  # it failed, and said something
    logs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "data").glob("desk.log*"))
    assert leaks(done.stderr + done.stdout + logs, password) == set(), done.stderr


class _Dismisser:
    """Reads and closes every message box the start-up shows (a person clicking OK)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(20)

    def _tick(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.texts.append("\n".join((box.windowTitle(), box.text(), box.informativeText(), box.detailedText())))
            box.done(0)


@pytest.mark.parametrize("case", CASES[:len(PASSWORDS) * 3], ids=[_case_id(c) for c in CASES[:len(PASSWORDS) * 3]])
def test_gui_start_never_logs_or_shows_the_password(qapp, monkeypatch, case):
    from desk import app
    from desk.config import data_dir

    password, _host, _kind, url = case
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the start path installs its own
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    log_file = data_dir() / "desk.log"
    start = log_file.stat().st_size if log_file.exists() else 0
    dismisser = _Dismisser()
    try:
        try:
            started = app._start_qt(url)
        except Exception:  # what the interpreter does with an error that escapes the start path
            started = None
            sys.excepthook(*sys.exc_info())
        assert started is None
    finally:
        dismisser.timer.stop()
        for handler in root.handlers:
            handler.flush()
        added = [h for h in root.handlers if h not in handlers]
        for handler in added:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        set_language("vi")
    with open(log_file, encoding="utf-8") as stream:
        stream.seek(start)
        logged = stream.read()
    assert "cannot open database" in logged or "unexpected error" in logged  # the failing path ran
    assert dismisser.texts  # and the clerk was told
    assert leaks(logged + "\n".join(dismisser.texts), password) == set(), logged[-2000:]
