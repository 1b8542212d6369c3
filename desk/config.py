"""Desk-local settings in one typed place.

Office-wide settings (identity, hours, rules, calendar) live in the database so every
desk of an office shares them; this file keeps only what belongs to one machine:
which database, which reception point, language, camera, printer. Stored as JSON in the user
config folder so the CLI needs no Qt; the GUI reads and writes the same file.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "OneStopDesk"
PAPERS = ("A4", "A5")  # the paper sizes Mẫu 01 is made for


def machine_dir() -> Path | None:
    """The folder every Windows account of a PC shares, when the installer made it.

    The Windows installer (packaging/windows/onestop-desk.iss) installs per machine and creates
    ``%ProgramData%\\OneStopDesk`` writable by the PC's users: the clerks who take turns at one desk then
    share its database, backups, log and machine-wide settings instead of each getting their own.
    None elsewhere (Linux, a Windows PC without the installer).
    """
    if sys.platform != "win32":
        return None
    path = Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / APP_NAME
    return path if path.is_dir() else None


def data_dir() -> Path:
    """Where the default database, logs and backups go: DESK_DATA_DIR (tests, kiosks), else the
    machine's shared folder on an installed Windows PC, else the user's data folder."""
    override = os.environ.get("DESK_DATA_DIR")
    path = Path(override) if override else (machine_dir() or Path(user_data_dir(APP_NAME, appauthor=False)))
    path.mkdir(parents=True, exist_ok=True)
    return path


def machine_config_path() -> Path | None:
    """Machine-wide settings (e.g. the office's database URL, put there by whoever set up the PC);
    the user's own settings file wins for every key it has."""
    shared = None if os.environ.get("DESK_CONFIG_DIR") else machine_dir()
    return shared / "settings.json" if shared else None


def config_path() -> Path:
    base = os.environ.get("DESK_CONFIG_DIR") or user_config_dir(APP_NAME, appauthor=False)
    return Path(base) / "settings.json"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'onestop.db'}"


def _read_json(path: Path | None) -> dict:
    """A settings file's contents; {} when it is absent or unreadable."""
    if path is None:
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


@dataclass
class Settings:
    database_url: str = ""
    language: str = "vi"
    reception_point: str = ""
    camera: str = ""
    username: str = ""
    backup_keep_days: str = "30"  # daily automatic backups older than this are deleted
    idle_lock_minutes: str = "10"  # no input for this long locks the screen (desk.views.session); "0" = never
    printer: str = ""  # this desk's printer; "" = the system's default printer
    receipt_paper: str = "A4"  # "A4" | "A5": the paper Mẫu 01 is written for
    print_preview: str = "0"  # "1" = show a preview before printing on Ctrl+S / Ctrl+P

    @property
    def paper(self) -> str:
        """The receipt's paper, "A4" or "A5" (anything else in the file means A4)."""
        return self.receipt_paper if self.receipt_paper in PAPERS else "A4"

    @property
    def preview_first(self) -> bool:
        """Whether a print preview comes before every print from the screens."""
        return self.print_preview == "1"

    @property
    def keep_days(self) -> int:
        """The retention as a number (1–3650; a bad value in the file means the default 30)."""
        try:
            days = int(self.backup_keep_days)
        except ValueError:
            return 30
        return days if 1 <= days <= 3650 else 30

    @classmethod
    def load(cls) -> Settings:
        raw = {**_read_json(machine_config_path()), **_read_json(config_path())}  # the user's over the machine's
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in raw.items() if k in known and isinstance(v, str)})
        camera = os.environ.get("DESK_CAMERA", "").strip()  # ``main.py --camera SPEC``: this run only
        if camera:
            settings._camera_from_file = settings.camera
            settings._camera_override = camera
            settings.camera = camera
        return settings

    def save(self) -> None:
        data = asdict(self)
        override = getattr(self, "_camera_override", None)
        if override and data["camera"] == override:  # a --camera for this run is not written to the file
            data["camera"] = getattr(self, "_camera_from_file", "")
        machine = _read_json(machine_config_path())
        # What the machine's file says is not copied into the user's, so a later change there still applies.
        data = {key: value for key, value in data.items() if key not in machine or machine[key] != value}
        from desk.services.files import write_text

        path = config_path()
        path.parent.mkdir(parents=True, exist_ok=True)  # the program's own folder
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


def resolve_database_url(explicit: str | None = None, settings: Settings | None = None) -> str:
    """--db beats DESK_DATABASE_URL beats the settings file beats the default SQLite file."""
    if explicit:
        return explicit
    env = os.environ.get("DESK_DATABASE_URL")
    if env:
        return env
    settings = settings or Settings.load()
    return settings.database_url or default_database_url()
