"""What every screen needs: who is acting, the clock, settings, and a bus for "something changed"."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal

from desk.config import Settings, data_dir
from desk.hardware.printing import Printer, SystemPrinter
from desk.services.accounts import Actor
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.kinds import Role


class EventBus(QObject):
    """Screens tell each other about changes without knowing each other."""

    dossier_changed = pyqtSignal(str)  # dossier code
    catalog_changed = pyqtSignal()
    calendar_changed = pyqtSignal()
    office_changed = pyqtSignal()
    open_dossier = pyqtSignal(str)  # ask the main window to show a dossier
    fill_intake = pyqtSignal(object)  # a CitizenIdentity read from a CCCD
    print_reported = pyqtSignal(object)  # a desk.views.common.PrintOutcome: what became of one print


@dataclass
class AppContext:
    actor: Actor
    clock: Clock
    settings: Settings
    office_name: str = ""
    database_label: str = ""
    bus: EventBus = field(default_factory=EventBus)
    printer: Printer = field(default_factory=SystemPrinter)
    output_dir: Path = field(default_factory=lambda: data_dir() / "slips")

    def can(self, role: Role) -> bool:
        return self.actor.can(role)

    def slip_path(self, name: str) -> Path:
        """Where generated slips and exports go (one folder per day, so a clerk can find today's)."""
        folder = self.output_dir / self.clock.now().astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name
