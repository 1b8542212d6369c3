"""What every screen needs: who is acting, the clock, settings, and a bus for "something changed"."""

from __future__ import annotations

from dataclasses import dataclass, field

from PyQt6.QtCore import QObject, pyqtSignal

from desk.config import Settings
from desk.services.accounts import Actor
from desk.services.clock import Clock


class EventBus(QObject):
    """Screens tell each other about changes without knowing each other."""

    dossier_changed = pyqtSignal(str)  # dossier code
    catalog_changed = pyqtSignal()
    calendar_changed = pyqtSignal()
    office_changed = pyqtSignal()
    open_dossier = pyqtSignal(str)  # ask the main window to show a dossier
    fill_intake = pyqtSignal(object)  # a CitizenIdentity read from a CCCD


@dataclass
class AppContext:
    actor: Actor
    clock: Clock
    settings: Settings
    office_name: str = ""
    database_label: str = ""
    bus: EventBus = field(default_factory=EventBus)

    def can(self, role: str) -> bool:
        return self.actor.can(role)
