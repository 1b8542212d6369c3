"""Desk-local settings: the machine-wide folder of a Windows installation (platform faked)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk import config
from desk.errors import ValidationError
from desk.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]


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
    fresh.printer, fresh.receipt_paper, fresh.print_preview = "Quầy 1 - HP LaserJet", "A5", True
    fresh.save()
    stored = json.loads(config.config_path().read_text(encoding="utf-8"))
    assert (stored["printer"], stored["receipt_paper"], stored["print_preview"]) == ("Quầy 1 - HP LaserJet", "A5", "1")
    again = config.Settings.load()
    assert (again.printer, again.paper, again.preview_first) == ("Quầy 1 - HP LaserJet", "A5", True)
    config.config_path().write_text(json.dumps({"receipt_paper": "Letter", "print_preview": "yes"}), encoding="utf-8")
    odd = config.Settings.load()
    assert (odd.paper, odd.preview_first) == ("A4", False)  # a hand-edited file cannot break printing


# -- typed settings: declared once, parsed once on load, only valid values afterwards -----------------
@pytest.fixture
def conf(monkeypatch, tmp_path):
    """An empty user settings folder and no machine-wide file."""
    monkeypatch.setenv("DESK_CONFIG_DIR", str(tmp_path / "conf"))
    return tmp_path / "conf"


def write_user_file(data: dict) -> None:
    config.config_path().parent.mkdir(parents=True, exist_ok=True)
    config.config_path().write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_the_file_values_become_typed_settings_whatever_version_wrote_them(conf):
    write_user_file({"backup_keep_days": "90", "idle_lock_minutes": " 5 ", "print_preview": "1",
                     "receipt_paper": "A5"})  # as every version before typed settings wrote them
    older = config.Settings.load()
    assert (older.backup_keep_days, older.idle_lock_minutes, older.print_preview, older.receipt_paper) == (
        90, 5, True, "A5")
    write_user_file({"backup_keep_days": 45, "idle_lock_minutes": 0, "print_preview": False})  # typed by hand
    typed = config.Settings.load()
    assert (typed.keep_days, typed.idle_lock_minutes, typed.preview_first, typed.paper) == (45, 0, False, "A4")
    assert older.problems == typed.problems == []


def test_a_bad_value_in_the_file_means_its_default_and_says_so_in_vietnamese(conf, caplog):
    write_user_file({"backup_keep_days": "ba mươi", "idle_lock_minutes": 100_000, "print_preview": "yes",
                     "receipt_paper": "Letter", "printer": 7, "camera": "0"})
    with caplog.at_level("WARNING", logger="desk.config"):
        settings = config.Settings.load()
    defaults = config.Settings()
    assert (settings.keep_days, settings.idle_lock_minutes, settings.preview_first, settings.paper,
            settings.printer) == (defaults.keep_days, 10, False, "A4", "")
    assert settings.camera == "0"  # the good values of the same file are kept
    assert len(settings.problems) == 5
    keep = next(p for p in settings.problems if "backup_keep_days" in p)
    assert "ba mươi" in keep and "1 đến 3650" in keep and "mặc định 30" in keep
    assert [r.getMessage() for r in caplog.records] == settings.problems  # in the log file, for support


def test_a_setting_holds_only_a_valid_value_of_its_type():
    settings = config.Settings()
    with pytest.raises(ValidationError, match="backup_keep_days") as err:
        settings.backup_keep_days = 0
    assert "từ 1 đến 3650" in str(err.value)
    with pytest.raises(ValidationError, match="A4 hoặc A5"):
        config.Settings(receipt_paper="B5")
    with pytest.raises(TypeError):
        settings.idle_lock_minutes = "3"  # text is parsed from the file only, never assigned
    with pytest.raises(TypeError):
        settings.print_preview = "0"  # "0" would be true: refused, not guessed
    assert (settings.backup_keep_days, settings.receipt_paper) == (30, "A4")  # unchanged by the refusals


def test_a_misspelt_setting_is_refused_not_silently_kept():
    settings = config.Settings()
    with pytest.raises(AttributeError, match="keep_dayz"):
        settings.keep_dayz = 5  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        settings.keep_days = 5  # type: ignore[misc]  # a read-only view of backup_keep_days
    assert settings.keep_days == 30 and not hasattr(settings, "keep_dayz")


def test_numbers_are_ascii_digits_and_the_language_is_one_the_program_has(conf):
    write_user_file({"backup_keep_days": "٣٠", "idle_lock_minutes": "５", "language": "fr"})
    settings = config.Settings.load()
    assert (settings.backup_keep_days, settings.idle_lock_minutes, settings.language) == (30, 10, "vi")
    assert len(settings.problems) == 3  # each one said, the defaults used
    write_user_file({"backup_keep_days": "45", "language": "en"})
    assert (config.Settings.load().backup_keep_days, config.Settings.load().language) == (45, "en")
    with pytest.raises(ValidationError, match="language"):
        config.Settings(language="vi_VN")
    for language in LANGUAGES:
        assert config.Settings(language=language).language == language


def test_the_file_keeps_its_format_and_keys_this_version_does_not_know(conf):
    write_user_file({"language": "en", "future_option": {"x": 1}})
    settings = config.Settings.load()
    assert settings.language == "en" and settings.extra == {"future_option": {"x": 1}}
    settings.backup_keep_days, settings.print_preview = 60, True
    settings.save()
    stored = json.loads(config.config_path().read_text(encoding="utf-8"))
    assert stored["future_option"] == {"x": 1}  # a newer version's setting survives this one's save
    assert (stored["backup_keep_days"], stored["print_preview"], stored["idle_lock_minutes"]) == ("60", "1", "10")


def test_unknown_keys_of_the_machines_file_are_not_copied_to_the_users(windows, tmp_path):
    (windows / "settings.json").write_text(json.dumps({"site_note": "Phòng 2", "backup_keep_days": 90}),
                                           encoding="utf-8")
    settings = config.Settings.load()
    assert settings.keep_days == 90 and settings.extra == {}
    settings.save()
    saved = json.loads(config.config_path().read_text(encoding="utf-8"))
    assert "site_note" not in saved and "backup_keep_days" not in saved  # "90" from the machine is 90 there


def test_a_camera_given_for_one_run_is_not_saved(conf, monkeypatch):
    write_user_file({"camera": "0"})
    monkeypatch.setenv("DESK_CAMERA", "fake:/frames")
    settings = config.Settings.load()
    assert settings.camera == "fake:/frames"
    settings.save()
    assert json.loads(config.config_path().read_text(encoding="utf-8"))["camera"] == "0"
    settings.camera = "1"  # chosen in the screen: that one is saved
    settings.save()
    assert json.loads(config.config_path().read_text(encoding="utf-8"))["camera"] == "1"


def test_the_settings_need_no_service_module(conf, tmp_path):
    """desk.config is at the root: loading and saving the settings imports nothing of desk.services or models."""
    code = ("import sys; from desk import config; s = config.Settings.load(); s.save(); "
            "print(sorted(m for m in sys.modules if m.startswith(('desk.services', 'desk.models', 'desk.views'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert config.config_path().exists()
