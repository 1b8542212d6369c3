"""What a scanned or typed text means: a dossier slip, a citizen ID card, or neither.

One decision for every way text reaches the desk — the USB keyboard-wedge scanner, the webcam and
a code typed by the clerk — so they can never disagree. No Qt here: the views turn a
:class:`ScanResult` into "open the dossier", "fill the intake form" or a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.errors import DeskError
from desk.i18n import _, ngettext
from desk.services.clock import Clock
from desk.services.codes import DossierCode
from desk.services.identity import CitizenIdentity, looks_like_cccd, parse_cccd
from desk.services.kinds import PayloadStatus, ScanKind
from desk.services.payload import (
    MAX_LENGTH,
    PayloadCheck,
    looks_like_link,
    looks_like_slip,
    payload_of_link,
    verify_payload,
)

DOSSIER = ScanKind.DOSSIER
CCCD = ScanKind.CCCD
UNKNOWN = ScanKind.UNKNOWN


@dataclass(frozen=True)
class ScanResult:
    """The meaning of one scan.

    ``code`` is set only for ``kind == "dossier"`` (and then the dossier may be looked up);
    ``identity`` only for ``"cccd"``; ``check`` whenever the text was tried as a slip payload;
    ``message`` is always a sentence the clerk can read.
    """

    kind: ScanKind
    code: str | None = None
    identity: CitizenIdentity | None = None
    check: PayloadCheck | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind != UNKNOWN


def _unknown(message: str, check: PayloadCheck | None = None) -> ScanResult:
    return ScanResult(UNKNOWN, check=check, message=message)


def _dossier_exists(code: str) -> str | None:
    """None when the dossier is there, else the message saying why it cannot be shown."""
    from desk.services.dossiers import dossier_row

    try:
        dossier_row(code)  # existence only: a scan result carries the code, never personal data
    except DeskError as exc:  # NotFound, or the database is busy / unreachable
        return str(exc)
    return None


def _with_office_code(text: str) -> str:
    """"261122-0007" (the part a clerk reads off a slip) → "<office code>-261122-0007"; anything else
    unchanged."""
    if not DossierCode.is_short(text):
        return text
    from desk.services.office import current_office

    return f"{current_office().code}-{text}"


def is_scan(text: str) -> bool:
    """Whether a scanner-fast burst is a code to act on, wherever the focus is.

    Only a signed slip payload (of any office, even altered: the clerk should hear why it is
    refused) or a CCCD card payload counts. Anything else, a bare dossier code included, was typed
    by a fast person or a password manager and belongs to the focused field. Offline and cheap:
    the keyboard filter calls it while it holds the keys.
    """
    if not isinstance(text, str):
        return False
    text = text.strip()
    return bool(text) and (looks_like_slip(text) or looks_like_cccd(text))


def interpret(text: str, *, accept_bare_code: bool = True, clock: Clock | None = None) -> ScanResult:
    """Classify ``text``; never raises.

    - a signed slip payload of this office → "dossier";
    - a bare dossier code (typed by the clerk, or the short "yymmdd-NNNN" form) → "dossier" only when
      ``accept_bare_code`` (the clerk desk; never the citizen kiosk) and the dossier exists;
    - a slip's look-up link (``…/h/<payload>``) → as its payload, never as a bare code;
    - a CCCD card payload → "cccd" with the parsed identity (its problems inside, dates judged by
      ``clock``'s office day);
    - anything else, or an altered / foreign slip → "unknown" with the reason.
    """
    try:
        return _interpret(text, accept_bare_code, clock)
    except DeskError as exc:  # the office has no key yet, the database is down, ...
        return _unknown(str(exc))
    except Exception:  # noqa: BLE001 - a scan must never take the desk down
        return _unknown(_("This is not a dossier code or a slip QR code"))


def _interpret(text: str, accept_bare_code: bool, clock: Clock | None) -> ScanResult:
    if not isinstance(text, str) or not text.strip():
        return _unknown(_("Nothing was scanned. Scan the code again"))
    text = text.strip()
    if looks_like_cccd(text):
        identity = parse_cccd(text, clock=clock)
        if not identity.is_cccd_payload:
            return _unknown(identity.problems[0] if identity.problems else _("This QR code is not a citizen ID card"))
        if identity.problems:
            message = _("Citizen ID card read; check: {problems}").format(problems="; ".join(identity.problems))
        else:
            message = _("Citizen ID card read")
        return ScanResult(CCCD, identity=identity, message=message)
    if looks_like_link(text):  # a slip's QR code when the office has a look-up address (D48)
        inner = payload_of_link(text)
        if inner is None:
            return _unknown(verify_payload(text).message)
        text, accept_bare_code = inner, False  # a link carries a signed payload, never a bare code
    if len(text) > MAX_LENGTH:
        return _unknown(_("This is not a dossier code or a slip QR code"))
    if accept_bare_code:
        text = _with_office_code(text)
    check = verify_payload(text)
    if check.status == PayloadStatus.VALID:
        assert check.code is not None  # a valid payload always carries its code (PayloadCheck)
        missing = _dossier_exists(check.code)
        if missing:
            return _unknown(missing, check)
        return ScanResult(DOSSIER, code=check.code, check=check, message=check.message)
    if check.status == PayloadStatus.BARE_CODE:
        if not accept_bare_code:
            return _unknown(check.message, check)
        assert check.code is not None  # so does a bare code
        missing = _dossier_exists(check.code)
        if missing:
            return _unknown(missing, check)
        return ScanResult(DOSSIER, code=check.code, check=check, message=_("Dossier code typed at the desk"))
    return _unknown(check.message, check)


def describe(result: ScanResult) -> str:
    """One line for a status bar: what was scanned and where it stands."""
    if result.kind == DOSSIER and result.code:
        from desk.services.dossiers import Status, dossier_row

        try:
            row = dossier_row(result.code)
        except DeskError:
            return _("Dossier {code}").format(code=result.code)
        return _("Dossier {code} — {status}").format(code=row.code, status=Status(row.status).label)
    if result.kind == CCCD and result.identity is not None:
        person = result.identity
        name = person.full_name or _("(name not read)")
        line = (_("CCCD: {name}, {dob}").format(name=name, dob=f"{person.birth_date:%d/%m/%Y}")
                if person.birth_date else _("CCCD: {name}").format(name=name))
        if person.problems:
            line += " — " + ngettext("{count} part to check", "{count} parts to check", len(person.problems)).format(
                count=len(person.problems))
        return line
    return result.message or _("This is not a dossier code or a slip QR code")
