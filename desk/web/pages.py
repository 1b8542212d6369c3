"""The pages: ``/`` (how to look up) and ``/h/<payload>`` (a slip's state), with their words.

A look-up goes through the kiosk's own lookup and brake (kiosk.KioskLookup, per client address):
the same verified slips, masked name and plain words as the kiosk in the hall; nothing more. Any
payload that is not a valid slip of this office (a bare code, a forged or foreign check, junk) gets
the one "not found" page with status 404, whatever it was, so the answer tells nothing about codes.

Every text is ``_()`` here, so the message catalog sees it; templates only place and escape it.
The slip page is ``lookup.html``: its block ``after_status`` (empty) is where a form about this
dossier (the rating) goes, and :func:`lookup` passes the payload it was opened with as ``payload``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, render_template, request

from desk.i18n import _
from desk.services.kiosk import PAUSED, KioskAnswer, invalid_answer
from desk.services.office import OfficeSettings, get_office_settings
from desk.services.search import release_thread_connection

log = logging.getLogger("desk.web")

pages = Blueprint("pages", __name__)


def _context() -> Any:
    return current_app.extensions["desk"]


def _office() -> OfficeSettings | None:
    try:
        return get_office_settings()
    except Exception:  # noqa: BLE001 - the database is down: the pages still answer, without the office's name
        log.warning("look-up page: office settings unavailable", exc_info=True)
        return None


def _common() -> dict[str, Any]:
    """The words of every page: the head, the office, the foot."""
    office = _office()
    return {
        "lang": "vi",
        "office_name": office.name if office else "",
        "office_phone": office.phone if office else "",
        "w": {
            "site": _("Dossier look-up"),
            "phone": _("Office phone"),
            "privacy": _("This page shows only the state of a dossier, never personal data. "
                         "It is not saved on this phone."),
        },
    }


def client_address() -> str:
    """The address the brake counts: the peer, or the client a configured reverse proxy names."""
    return request.remote_addr or "?"


@pages.get("/")
def index() -> Any:
    """How to look up a dossier: scan the slip's QR code with the phone's camera."""
    return render_template("index.html", **_common(), t={
        "title": _("Look up your dossier"),
        "how": _("Scan the QR code on your receipt and appointment slip (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) "
                 "with your phone's camera, then open the link it shows."),
        "steps": [_("Open the camera of your phone."),
                  _("Point it at the QR code on the slip, under the signatures."),
                  _("Tap the link that appears: the state of your dossier opens here.")],
        "no_code": _("Typing the dossier code is not enough: only the slip's QR code opens the page, so nobody "
                     "can look at other people's dossiers."),
        "lost": _("Lost your slip? Bring your identity card (CCCD) to the one-stop desk."),
    })


@pages.get("/h/<payload>")
def lookup(payload: str) -> Any:
    """The state of the dossier a slip's QR link names; 404 for anything else, 429 while braked."""
    context = _context()
    answer = context.brake.look_up(client_address(), payload, clock=context.clock)
    if answer.ok:
        return render_template("lookup.html", **_common(), a=answer, payload=payload, t=_slip_words(answer))
    if answer.state == PAUSED:
        return too_many()
    if answer.message == invalid_answer().message:
        return not_found()
    return unavailable()


def unavailable(status: int = 503) -> Any:
    """The database did not answer (the kiosk's lookup logged why): say so, reveal nothing, and drop this
    thread's connection so that the next request opens a fresh one (a restarted server, a network cut)."""
    release_thread_connection()
    return render_template("message.html", **_common(), t={
        "title": _("Cannot be shown right now"),
        "text": _("The information cannot be shown right now. Please try again later or call the office."),
    }), status


def _slip_words(answer: KioskAnswer) -> dict[str, str]:
    return {
        "title": _("Your dossier"),
        "status": _("Status"),
        "procedure": _("Procedure"),
        "applicant": _("Applicant"),
        "appointment": _("Appointment to collect the result"),
        "new_date": _("New date (the office apologised for the delay; first appointment {first})").format(
            first=answer.extended_from_text) if answer.extended_from_text else "",
        "where": _("Where to collect the result"),
        "when": _("Opening hours"),
        "bring": _("What to bring"),
    }


def not_found() -> Any:
    """The one answer for every payload that is not a valid slip, and for unknown addresses."""
    return render_template("message.html", **_common(), t={
        "title": _("No dossier found"),
        "text": _("This link does not open a dossier. Scan the QR code on your slip again, or ask the one-stop "
                  "desk."),
    }), 404


def too_many() -> Any:
    """The brake's answer: too many bad look-ups from this address."""
    return render_template("message.html", **_common(), t={
        "title": _("Too many attempts"),
        "text": _("Too many links that open no dossier came from this connection. Please wait a minute and "
                  "scan the slip's QR code again."),
    }), 429


@pages.app_errorhandler(404)
def _unknown_address(_error: Exception) -> Any:
    return not_found()


@pages.app_errorhandler(405)
def _wrong_method(_error: Exception) -> Any:
    return not_found()


@pages.app_errorhandler(500)
def _failed(_error: Exception) -> Any:
    log.error("look-up page failed", exc_info=True)
    return unavailable(500)
