"""The pages: ``/`` (how to look up), ``/h/<payload>`` (a slip's state) and its rating form, with their words.

A look-up goes through the kiosk's own lookup and brake (kiosk.KioskLookup, per client address):
the same verified slips, masked name and plain words as the kiosk in the hall; nothing more. Any
payload that is not a valid slip of this office (a bare code, a forged or foreign check, junk) gets
the one "not found" page with status 404, whatever it was, so the answer tells nothing about codes.

The rating (D51): a returned dossier's page carries the form of ``ratings.rating_form_for`` (three
buttons, an optional comment, the dossier's token hidden), a plain POST to ``/h/<payload>/rating``. The
POST passes the same brake first (a bad payload is a bad look-up, a forged token too), writes through
``kiosk.rating_writes`` (this one insert on this thread's connection; the server's connection is
read-only otherwise) and answers 303 back to the page (``?rated=1``: "thank you"). A second POST changes
nothing and the page says "already rated". No cookie, no script: the form works without JavaScript.

Every text is ``_()`` here, so the message catalog sees it; templates only place and escape it.
The slip page is ``lookup.html``; the rating form fills its block ``after_status`` (``rating.html``).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request

from desk.errors import DeskError, ValidationError
from desk.i18n import _
from desk.services.kinds import RatingChannel
from desk.services.kiosk import PAUSED, RETURNED, KioskAnswer, invalid_answer, rating_writes
from desk.services.office import OfficeSettings, get_office_settings
from desk.services.ratings import RatingForm, RatingRefused, rate, rating_form_for
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
        form = _rating_form(answer, payload)
        return render_template("lookup.html", **_common(), a=answer, payload=payload, t=_slip_words(answer),
                               rating=form, r=_rating_words(form, thanked=request.args.get("rated") == "1"),
                               rating_action="./" + quote(payload, safe="") + "/rating")
    return _refusal(answer)


def _refusal(answer: KioskAnswer) -> Any:
    """The page for a look-up that opened no dossier: the brake's 429, the one 404, or the database's 503."""
    if answer.state == PAUSED:
        return too_many()
    if answer.message == invalid_answer().message:
        return not_found()
    return unavailable()


def _rating_form(answer: KioskAnswer, payload: str) -> RatingForm | None:
    """The rating form of a returned dossier's page (None for any other state: nothing is said about it)."""
    if answer.state != RETURNED:
        return None
    try:
        return rating_form_for(payload, clock=_context().clock)
    except DeskError:  # the database stopped answering between the two reads: the page without the form
        log.warning("look-up page: rating form unavailable", exc_info=True)
        return None


def _rating_words(form: RatingForm | None, *, thanked: bool) -> dict[str, str]:
    if form is None:
        return {}
    if form.already_rated:  # after this phone's own POST (?rated=1) the thanks, else "already rated"
        return {"done": _("Thank you for your rating.") if thanked else form.message}
    if not form.can_rate:  # too long after the return
        return {"note": form.message}
    return {
        "question": form.message,
        "title": _("Rate the service"),
        "comment": _("Your comment (optional, at most {count} characters)").format(count=form.max_comment),
        "hint": _("Write a comment if you like, then tap one of the three buttons. No personal data is asked."),
    }


@pages.post("/h/<payload>/rating")
def rating(payload: str) -> Any:
    """A citizen's rating from the phone page: braked like a look-up, recorded once, then back to the page.

    A payload that opens no dossier gets the look-up's own answers (404, 429); a forged token or a crafted
    level or comment counts as a bad look-up and gets the one 404 page; a dossier that cannot be rated (not
    returned, too late) or one already rated goes back to its page, which says so. Nothing else is written.
    """
    context = _context()
    address = client_address()
    answer = context.brake.look_up(address, payload, clock=context.clock)
    if not answer.ok:
        return _refusal(answer)
    form = _rating_form(answer, payload)
    back = "../" + quote(payload, safe="")
    if form is None or not (form.can_rate or form.already_rated):
        return _see(back)
    try:
        token, level, comment = (request.form.get(name, "") for name in ("token", "level", "comment"))
        with rating_writes():
            result = rate(payload, token, level, comment, channel=RatingChannel.PHONE, clock=context.clock)
    except (RatingRefused, ValidationError):
        context.brake.count_failure(address, clock=context.clock)
        return not_found()
    except DeskError:  # the database is busy or gone: nothing was saved
        log.warning("look-up page: rating not recorded", exc_info=True)
        return unavailable()
    return _see(back + ("?rated=1" if result.recorded else ""))


def _see(location: str) -> Response:
    """303 See Other to a location relative to this request's (the pages work under any path prefix)."""
    response = Response(status=303)
    response.headers["Location"] = location
    response.autocorrect_location_header = False
    return response


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


@pages.app_errorhandler(413)
def _too_large(_error: Exception) -> Any:
    """A body over MAX_CONTENT_LENGTH (the rating form needs a few hundred bytes): refused unread."""
    return render_template("message.html", **_common(), t={
        "title": _("Not accepted"),
        "text": _("What was sent is too long. Please go back, shorten the comment and try again."),
    }), 413


@pages.app_errorhandler(500)
def _failed(_error: Exception) -> Any:
    log.error("look-up page failed", exc_info=True)
    return unavailable(500)
