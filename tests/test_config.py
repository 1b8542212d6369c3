"""Desk-local settings: the machine-wide folder of a Windows installation (platform faked)."""

from __future__ import annotations

import json

import pytest

from desk import config


@pytest.fixture
def windows(monkeypatch, tmp_path):
    """A Windows PC as the installer leaves it: %ProgramData%\\OneStopDesk exists; user folders in tmp."""
    monkeypatch.setattr(config.sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", str(tmp_path / "ProgramData"))
    monkeypatch.delenv("DESK_DATA_DIR", raising=False)
    monkeypatch.delenv("DESK_CONFIG_DIR", raising=False)
    monkeypatch.setattr(config, "user_data_dir", lambda *a, **k: str(tmp_path / "user" / "data"))
    monkeypatch.setattr(config, "user_config_dir", lambda *a, **k: str(tmp_path / "user" / "config"))
    shared = tmp_path / "ProgramData" / "OneStopDesk"
    shared.mkdir(parents=True)
    return shared


def test_installed_windows_pc_keeps_the_database_in_the_shared_folder(windows):
    assert config.machine_dir() == windows
    assert config.data_dir() == windows
    assert config.default_database_url() == f"sqlite:///{windows / 'onestop.db'}"


def test_windows_without_the_installer_uses_the_users_folder(windows, tmp_path):
    windows.rmdir()
    assert config.machine_dir() is None
    assert config.data_dir() == tmp_path / "user" / "data"


def test_the_shared_folder_is_only_looked_for_on_windows(windows, monkeypatch, tmp_path):
    monkeypatch.setattr(config.sys, "platform", "linux")
    assert config.machine_dir() is None
    assert config.data_dir() == tmp_path / "user" / "data"


def test_desk_data_dir_still_wins(windows, monkeypatch, tmp_path):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "kiosk"))
    assert config.data_dir() == tmp_path / "kiosk"


def test_machine_settings_under_the_users_own(windows, tmp_path):
    (windows / "settings.json").write_text(json.dumps(
        {"database_url": "postgresql://desk@server/office", "language": "vi", "reception_point": "Bàn 1"}),
        encoding="utf-8")
    user = tmp_path / "user" / "config"
    user.mkdir(parents=True)
    (user / "settings.json").write_text(json.dumps({"language": "en"}), encoding="utf-8")
    settings = config.Settings.load()
    assert (settings.database_url, settings.language, settings.reception_point) == (
        "postgresql://desk@server/office", "en", "Bàn 1")
    settings.save()  # the user's file only: the machine's stays as the administrator wrote it
    assert json.loads((windows / "settings.json").read_text(encoding="utf-8"))["language"] == "vi"
    saved = json.loads((user / "settings.json").read_text(encoding="utf-8"))
    assert saved["language"] == "en"
    assert "database_url" not in saved  # a later change of the machine's database still applies


def test_a_broken_machine_file_is_ignored(windows, tmp_path):
    (windows / "settings.json").write_text("[not settings", encoding="utf-8")
    assert config.Settings.load().database_url == ""


def test_printer_settings_are_kept_per_desk_with_safe_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DESK_CONFIG_DIR", str(tmp_path / "conf"))
    fresh = config.Settings.load()
    assert (fresh.printer, fresh.paper, fresh.preview_first) == ("", "A4", False)
    fresh.printer, fresh.receipt_paper, fresh.print_preview = "Quầy 1 - HP LaserJet", "A5", "1"
    fresh.save()
    stored = json.loads(config.config_path().read_text(encoding="utf-8"))
    assert (stored["printer"], stored["receipt_paper"], stored["print_preview"]) == ("Quầy 1 - HP LaserJet", "A5", "1")
    again = config.Settings.load()
    assert (again.printer, again.paper, again.preview_first) == ("Quầy 1 - HP LaserJet", "A5", True)
    config.config_path().write_text(json.dumps({"receipt_paper": "Letter", "print_preview": "yes"}), encoding="utf-8")
    odd = config.Settings.load()
    assert (odd.paper, odd.preview_first) == ("A4", False)  # a hand-edited file cannot break printing
