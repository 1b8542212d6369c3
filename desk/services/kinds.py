"""The closed sets of words the register stores, as types: one place that names each value.

Every member is a ``str`` (StrEnum), equal to the word in the database, the command line and the
JSON outputs, so rows written before these types existed read the same, ``role == "admin"`` in
old code stays true, and ``Role("leader")`` turns a stored word back into its member (ValueError
for a word outside the set). The dossier's ``Status`` lives with its transitions in dossiers.py.
"""

from __future__ import annotations

from enum import StrEnum

from desk.i18n import N_, _


class Role(StrEnum):
    """Staff roles, weakest first: each role may do what the ones before it may."""

    CLERK = "clerk"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


# How a role is named on the screens (the status bar, the accounts list and its role box): one table.
ROLE_LABELS = {Role.CLERK: N_("clerk"), Role.LEADER: N_("leader"), Role.ADMIN: N_("administrator")}


class Channel(StrEnum):
    """How a dossier reached the office."""

    DIRECT = "direct"
    ONLINE = "online"
    POSTAL = "postal"


class DayUnit(StrEnum):
    """How a procedure's processing days count, as the law states them: "05 ngày làm việc" or "30 ngày"."""

    WORKING = "working"
    CALENDAR = "calendar"


class OnlineLevel(StrEnum):
    """How much of a procedure the national public-service portal offers online."""

    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


class KioskState(StrEnum):
    """The state a kiosk answer shows; it decides the banner's colour."""

    READY = "ready"
    WAITING = "waiting"
    SUPPLEMENT = "supplement"
    RETURNED = "returned"
    CLOSED = "closed"
    ERROR = "error"
    PAUSED = "paused"


class PayloadStatus(StrEnum):
    """What a scanned or typed text is as a slip payload (payload.verify_payload)."""

    VALID = "valid"
    BARE_CODE = "bare_code"
    TAMPERED = "tampered"
    FOREIGN = "foreign"
    MALFORMED = "malformed"


class ScanKind(StrEnum):
    """What a scan means to the desk (scan.interpret)."""

    DOSSIER = "dossier"
    CCCD = "cccd"
    UNKNOWN = "unknown"


class StopCase(StrEnum):
    """Why handling of a dossier stops (Decree 118/2025 Art. 21; printed on Mẫu 05)."""

    APPLICANT_REQUEST = "applicant_request"  # the applicant asks to stop / withdraw the dossier
    CANNOT_CONTINUE = "cannot_continue"  # the dossier cannot lawfully be handled further


class RatingLevel(StrEnum):
    """How satisfied a citizen was with the service, in the three levels offices report (D49)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        """The level as the citizen reads it on the buttons ("Rất hài lòng")."""
        return _(RATING_LABELS[self])

    @property
    def satisfied(self) -> bool:
        """Counted in the satisfaction rate: very satisfied or satisfied."""
        return self is not RatingLevel.DISSATISFIED


RATING_LABELS = {RatingLevel.VERY_SATISFIED: N_("Very satisfied"), RatingLevel.SATISFIED: N_("Satisfied"),
                 RatingLevel.DISSATISFIED: N_("Dissatisfied")}
# The official Vietnamese words (the workbook's headers): the same in any interface language.
RATING_VI = {RatingLevel.VERY_SATISFIED: "Rất hài lòng", RatingLevel.SATISFIED: "Hài lòng",
             RatingLevel.DISSATISFIED: "Không hài lòng"}


class RatingChannel(StrEnum):
    """Where a citizen gave the rating."""

    KIOSK = "kiosk"  # the pickup kiosk, after scanning the slip
    COUNTER_SCREEN = "counter_screen"  # the citizen-facing screen at the pickup desk
    PHONE = "phone"  # the phone look-up page


class TicketState(StrEnum):
    """Where a queue ticket stands (D50): waiting → called → serving → done; or skipped (not present when
    called), or left (still waiting or called when its day ended)."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    SKIPPED = "skipped"
    LEFT = "left"
