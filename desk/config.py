"""Desk-local settings in one typed place.

Office-wide settings (identity, hours, rules, calendar) live in the database so every
desk of an office shares them; this file keeps only what belongs to one machine:
which database, which reception point, language, camera, printer, scanner folder. Stored as JSON in
the user config folder so the CLI needs no Qt; the GUI reads and writes the same file.

Each setting is a typed field of :class:`Settings` with its default and its rule, declared once
below. The file is parsed once, on load: a value that breaks its rule (a hand-edited file) gives
the default and a message in ``Settings.problems`` (also logged), never a desk that cannot start.
In the program a setting only ever holds a valid value of its type: assigning anything else
raises at once. Keys this version does not know are kept and written back unchanged.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from desk.errors import ValidationError
from desk.files import write_text
from desk.i18n import LANGUAGES, N_, _

APP_NAME = "OneStopDesk"
PAPERS = ("A4", "A5")  # the paper sizes Mẫu 01 is made for
BACKUP_KEEP_DAYS_MAX = 3650
IDLE_LOCK_MINUTES_MAX = 240

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Rule:
    """What one setting may hold: its type, how a file value becomes it, how it is written back."""

    kind: type
    parse: Callable[[Any], Any]  # a value from the file (typed, or the text older versions wrote) → value
    text: Callable[[Any], str]  # the value as the file stores it
    allowed: str  # N_() text: what the rule allows, for messages

    def check(self, value: Any) -> Any:
        """``value`` itself when it is of the type and allowed; TypeError / ValueError otherwise."""
        if type(value) is not self.kind:
            raise TypeError(f"a setting of type {self.kind.__name__} cannot hold {value!r}")
        self.parse(value)
        return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        # ASCII digits only: int() reads "٣٠" as 30, but no settings file of ours writes that
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", value, re.ASCII):
            value = int(value)
        if type(value) is not int or not low <= value <= high:
            raise ValueError(value)
        return value

    return parse


def _one_of(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in allowed:
            raise ValueError(value)
        return str(value)

    return parse


def _flag(value: Any) -> bool:
    """True/false, or the "1"/"0" older versions wrote."""
    if isinstance(value, bool):
        return value
    if value in ("1", "0"):
        return value == "1"
    raise ValueError(value)


TEXT = Rule(str, _text, str, N_("text"))
KEEP_DAYS = Rule(int, _whole(1, BACKUP_KEEP_DAYS_MAX), str, N_("a whole number of days from 1 to 3650"))
IDLE_MINUTES = Rule(int, _whole(0, IDLE_LOCK_MINUTES_MAX), str, N_("a whole number of minutes from 0 to 240"))
PAPER = Rule(str, _one_of(*PAPERS), str, N_("A4 or A5"))
LANGUAGE = Rule(str, _one_of(*LANGUAGES), str, N_("vi (Vietnamese) or en (English)"))  # desk.i18n.LANGUAGES
TICKET_PAPER = Rule(str, _one_of("80mm", "A6"), str, N_("80mm or A6"))
COUNTER = Rule(int, _whole(1, 99), str, N_("a whole number from 1 to 99"))
FLAG = Rule(bool, _flag, lambda on: "1" if on else "0", N_("1 (on) or 0 (off)"))


_RULES: dict[str, Rule] = {}  # setting name → its rule, filled from the fields of Settings below
_FIELDS: set[str] = set()  # every field of Settings (settings and bookkeeping): the only names it holds


def _option(default: Any, rule: Rule) -> Any:
    """A declared setting: a dataclass field that carries its rule."""
    return field(default=default, metadata={"rule": rule})


@dataclass
class Settings:
    """This desk's settings; every field below is a setting of the file, with its default."""

    database_url: str = _option("", TEXT)
    language: str = _option("vi", LANGUAGE)  # a language the program has a catalog of
    reception_point: str = _option("", TEXT)
    camera: str = _option("", TEXT)
    username: str = _option("", TEXT)
    backup_keep_days: int = _option(30, KEEP_DAYS)  # daily automatic backups older than this are deleted
    idle_lock_minutes: int = _option(10, IDLE_MINUTES)  # no input for this long locks the screen; 0 = never
    printer: str = _option("", TEXT)  # this desk's printer; "" = the system's default printer
    receipt_paper: str = _option("A4", PAPER)  # the paper Mẫu 01 is written for
    print_preview: bool = _option(False, FLAG)  # a preview before printing on Ctrl+S / Ctrl+P
    # the folder this desk's scanner saves into, watched while a dossier is open (D47); "" = none. Not checked
    # here: a network share may be away when the program starts; the settings screen checks what is typed.
    scan_folder: str = _option("", TEXT)
    queue_counter: int = _option(1, COUNTER)  # the counter (quầy) this desk calls tickets to (D50)
    queue_sound: bool = _option(True, FLAG)  # the calling display chimes and says "Mời số … đến quầy số …"
    ticket_paper: str = _option("80mm", TICKET_PAPER)  # the ticket kiosk's paper: receipt roll or A6
    # Not settings: keys of the user's file this version does not know (written back as they were), what was
    # wrong in the files when they were loaded, and the file's camera while ``main.py --camera`` overrides it.
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    problems: list[str] = field(default_factory=list, repr=False, compare=False)
    _camera_in_file: str = field(default="", init=False, repr=False, compare=False)
    _camera_for_run: str = field(default="", init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _FIELDS:  # a misspelt setting ("keep_dayz") must not be kept and silently ignored
            raise AttributeError(f"Settings has no setting {name!r}")
        rule = _RULES.get(name)
        if rule is not None:
            try:
                rule.check(value)
            except ValueError:
                raise ValidationError({name: _("The setting “{name}” must be {allowed}, not “{value}”.").format(
                    name=name, allowed=_(rule.allowed), value=value)}) from None
        super().__setattr__(name, value)

    @property
    def paper(self) -> str:
        """The receipt's paper, "A4" or "A5"."""
        return self.receipt_paper

    @property
    def preview_first(self) -> bool:
        """Whether a print preview comes before every print from the screens."""
        return self.print_preview

    @property
    def keep_days(self) -> int:
        """How many days of daily backups are kept (1–3650)."""
        return self.backup_keep_days

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Settings:
        """Settings from a file's key → value; a value breaking its rule gives the default and a problem."""
        settings = cls()
        for name, option in _options():
            if name not in raw:
                continue
            rule: Rule = option.metadata["rule"]
            try:
                setattr(settings, name, rule.parse(raw[name]))
            except ValueError:
                settings.problems.append(_(
                    "The settings file gives “{name}” the value “{value}”, but it must be {allowed}; the default "
                    "{default} is used.").format(name=name, value=raw[name], allowed=_(rule.allowed),
                                                 default=rule.text(option.default)))
        settings.extra = {key: value for key, value in raw.items() if key not in _RULES}
        return settings

    @classmethod
    def load(cls) -> Settings:
        """The user's settings file over the machine's; ``DESK_CAMERA`` (``main.py --camera``) for this run."""
        user = _read_json(config_path())
        settings = cls.parse({**_read_json(machine_config_path()), **user})
        settings.extra = {key: value for key, value in settings.extra.items() if key in user}
        for problem in settings.problems:
            log.warning("%s", problem)
        camera = os.environ.get("DESK_CAMERA", "").strip()
        if camera:
            settings._camera_in_file, settings._camera_for_run = settings.camera, camera
            settings.camera = camera
        return settings

    def save(self) -> None:
        """Write the user's file atomically; what equals the machine's file is left to it."""
        data = dict(self.extra)
        data.update({name: option.metadata["rule"].text(getattr(self, name)) for name, option in _options()})
        if self._camera_for_run and self.camera == self._camera_for_run:  # a --camera for this run stays out
            data["camera"] = self._camera_in_file
        machine = _read_json(machine_config_path())
        # What the machine's file says is not copied into the user's, so a later change there still applies.
        data = {key: value for key, value in data.items() if not _given_by(machine, key, value)}
        path = config_path()
        path.parent.mkdir(parents=True, exist_ok=True)  # the program's own folder
        write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


def _options() -> Iterator[tuple[str, Field]]:
    """The declared settings (the fields carrying a rule), in their order."""
    for option in fields(Settings):
        if "rule" in option.metadata:
            yield option.name, option


def _given_by(machine: dict[str, Any], key: str, value: Any) -> bool:
    """Whether the machine's file already says ``value`` for ``key`` (in any form the key's rule reads)."""
    if key not in machine:
        return False
    rule = _RULES.get(key)
    if rule is None:
        return bool(machine[key] == value)
    try:
        return bool(rule.parse(machine[key]) == rule.parse(value))
    except ValueError:
        return False


_RULES.update({name: option.metadata["rule"] for name, option in _options()})
_FIELDS.update(option.name for option in fields(Settings))


def resolve_database_url(explicit: str | None = None, settings: Settings | None = None) -> str:
    """--db beats DESK_DATABASE_URL beats the settings file beats the default SQLite file."""
    if explicit:
        return explicit
    env = os.environ.get("DESK_DATABASE_URL")
    if env:
        return env
    settings = settings or Settings.load()
    return settings.database_url or default_database_url()
