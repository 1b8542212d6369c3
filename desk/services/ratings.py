"""Citizens rate the service once per dossier, after its result was returned (đánh giá mức độ hài lòng, D49).

A rating is a citizen's action: no account, no personal data asked or stored. What makes a rating
trustworthy instead is a token bound to the dossier: :func:`rating_token` is an HMAC of the dossier code
under the office's secret (the slip's key, desk.services.payload), with its own context and length, so
a slip's check is never a rating token and a token is never a slip's check. The screens that show a
rating form (the kiosk after a verified scan, the pickup desk's citizen-facing screen, the phone page)
get the token from :func:`rating_form_for` or :func:`rating_form_for_code` and send it back with the
level to :func:`rate`.

One rating per dossier: the ``rating`` table's unique key on ``dossier`` decides, so two desks (or a
phone and the kiosk) submitting at the same moment leave one row on either engine; the later one is
told "already rated" and nothing changes. The rating names the member of staff who returned the result
(the actor of the dossier's "returned" audit event; the dossier's handler when no such event names one).

The figures (:func:`satisfaction`) count ratings given in a reporting period, per field and per
clerk: each level, the number of ratings, and the satisfaction rate (very satisfied + satisfied) / ratings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN, Case, IntegrityError, fn

from desk.errors import DeskError, NotFound, ValidationError
from desk.i18n import _
from desk.models import Dossier, DossierEvent, Field, Procedure, Rating, Staff
from desk.models.db import database_proxy, run_write
from desk.models.rows import tuples
from desk.services import limits
from desk.services.accounts import Actor, require
from desk.services.clock import Clock, from_db, to_db
from desk.services.dossiers import Status, dossier_row
from desk.services.kinds import PayloadStatus, RatingChannel, RatingLevel, Role
from desk.services.periods import Period, as_period

TOKEN_LENGTH = 16  # base32 characters = 80 bits (a slip's check has 8)
MAX_COMMENT_CHARS = 300  # Rating.comment's length: a short remark, not a complaint form
RATING_DAYS = 30  # a result returned more than this many days ago is no longer rated
_CONTEXT = b"onestop-desk rating\x00"  # what sets the token apart from the slip's check (code alone)


class RatingRefused(DeskError):
    """The rating was not accepted (forged token, result not returned yet, too late); nothing changed."""


@dataclass(frozen=True)
class RatingResult:
    """What became of one submission. ``recorded`` is False when the dossier was already rated: the
    first rating stands and nothing changed."""

    code: str
    level: RatingLevel
    recorded: bool
    message: str

    @property
    def already_rated(self) -> bool:
        return not self.recorded


@dataclass(frozen=True)
class RatingForm:
    """What a citizen-facing page needs to show the rating form for a dossier, and nothing personal.

    ``can_rate``: show the three buttons (with ``token``, to be sent back with the choice to :func:`rate`
    together with ``code``). Otherwise ``already_rated`` says why not when it was rated; ``message`` is one
    line to show either way (empty when nothing is to be said).
    """

    can_rate: bool
    already_rated: bool = False
    code: str = ""
    token: str = ""
    message: str = ""
    levels: tuple[tuple[str, str], ...] = ()  # (value to send, label to show), best first
    max_comment: int = MAX_COMMENT_CHARS


def _key() -> bytes:
    from desk.services.office import current_office

    secret = current_office().secret or ""
    try:
        key = bytes.fromhex(secret)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise DeskError(_("This office has no valid key for slip QR codes. Run: python main.py init"))
    return key


def rating_token(code: str) -> str:
    """The token that lets a citizen rate dossier ``code``: an HMAC of the code under the office's secret,
    with a context of its own (never equal to the slip's check), 16 base32 characters."""
    digest = hmac.new(_key(), _CONTEXT + str(code).strip().upper().encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii")


def _levels() -> tuple[tuple[str, str], ...]:
    return tuple((level.value, level.label) for level in RatingLevel)


def _refused() -> RatingRefused:
    return RatingRefused(_("This rating form is not valid. Please ask the staff at the desk."))


def _code_of(text: str) -> str:
    """The dossier code in a slip payload or a bare code (the token, not this, is what is checked)."""
    from desk.services.payload import verify_payload

    check = verify_payload(text if isinstance(text, str) else "")
    if check.status in (PayloadStatus.VALID, PayloadStatus.BARE_CODE) and check.code:
        return check.code
    raise _refused()


def _returned_at(row: Dossier) -> datetime | None:
    return from_db(row.returned_at) if Status(row.status) == Status.RETURNED else None


def _rated(dossier_id: int) -> bool:
    return Rating.select().where(Rating.dossier == dossier_id).exists()


def _form(row: Dossier, now: datetime) -> RatingForm:
    returned = _returned_at(row)
    if returned is None:
        return RatingForm(False, message=_("The service can be rated once the result has been returned."))
    if _rated(row.id):
        return RatingForm(False, already_rated=True, code=row.code,
                          message=_("Thank you: this dossier has already been rated."))
    if now - returned > timedelta(days=RATING_DAYS):
        return RatingForm(False, message=_("Ratings are accepted up to {days} days after the result was returned.")
                          .format(days=RATING_DAYS))
    return RatingForm(True, code=row.code, token=rating_token(row.code),
                      message=_("How satisfied are you with the service?"), levels=_levels())


def rating_form_for(payload_text: str, *, clock: Clock | None = None) -> RatingForm:
    """The rating form for a scanned or opened slip: only a verified slip payload of this office (as the
    kiosk accepts it) gets one; a bare code, a forged or foreign slip get ``can_rate=False`` and a message
    that says nothing about any dossier. Never raises for bad input; reads only."""
    from desk.services.payload import verify_payload

    check = verify_payload(payload_text if isinstance(payload_text, str) else "")
    if check.status != PayloadStatus.VALID or not check.code:
        return RatingForm(False, message=_("This rating form is not valid. Please ask the staff at the desk."))
    try:
        row = dossier_row(check.code)
    except NotFound:
        return RatingForm(False, message=_("This rating form is not valid. Please ask the staff at the desk."))
    return _form(row, (clock or Clock()).now())


def rating_form_for_code(code: str, *, clock: Clock | None = None) -> RatingForm:
    """The rating form for a dossier the desk has in hand (the pickup screen's citizen-facing window, just
    after the clerk recorded the return); NotFound for an unknown code."""
    return _form(dossier_row(code), (clock or Clock()).now())


def _served_by(row: Dossier) -> int | None:
    """Who returned the result: the actor of the dossier's latest "returned" event, else its handler."""
    event = (DossierEvent.select(DossierEvent.actor).where(
        (DossierEvent.dossier == row.id) & (DossierEvent.to_status == Status.RETURNED)
        & DossierEvent.actor.is_null(False))
        .order_by(DossierEvent.at.desc(), DossierEvent.id.desc()).first())
    return event.actor_id if event is not None else row.handler_id


def rate(payload_text_or_code: str, token: str, level: RatingLevel | str, comment: str = "",
         channel: RatingChannel | str = RatingChannel.KIOSK, *, clock: Clock | None = None) -> RatingResult:
    """Record a citizen's rating of a returned dossier, once.

    Accepted only with the dossier's :func:`rating_token`, only once its result was returned (and within
    RATING_DAYS of that); otherwise RatingRefused (one line) and nothing changes. A second submission for
    the same dossier, even at the same moment from another desk, returns ``recorded=False`` ("already
    rated") and changes nothing. The comment is optional, cleaned of control characters, at most
    MAX_COMMENT_CHARS.
    """
    problems: dict[str, str] = {}
    try:
        chosen = RatingLevel(str(level))
    except ValueError:
        problems["level"] = _("Please choose one of the three levels.")
        chosen = RatingLevel.SATISFIED
    try:
        where = RatingChannel(str(channel))
    except ValueError:
        where = RatingChannel.KIOSK
        problems["channel"] = _("Unknown place of rating: {channel}").format(channel=str(channel)[:40])
    text = limits.check_text(problems, "comment", comment, _("Comment"), limit=MAX_COMMENT_CHARS)
    code = _code_of(payload_text_or_code)
    expected = rating_token(code)
    if not isinstance(token, str) or not hmac.compare_digest(expected, token.strip().upper()):
        raise _refused()
    if problems:
        raise ValidationError(problems)
    now = (clock or Clock()).now()

    def work() -> bool:
        try:
            row = dossier_row(code)
        except NotFound as exc:
            raise _refused() from exc
        form = _form(row, now)
        if form.already_rated:
            return False
        if not form.can_rate:
            raise RatingRefused(form.message)
        try:
            with database_proxy.obj.atomic():  # a savepoint: PostgreSQL's transaction survives the conflict
                Rating.create(dossier=row.id, level=chosen, comment=text, channel=where, served_by=_served_by(row),
                              at=to_db(now))
        except IntegrityError:  # another desk rated it a moment ago
            return False
        return True

    recorded = run_write(work)
    message = (_("Thank you for your rating.") if recorded
               else _("Thank you: this dossier has already been rated."))
    return RatingResult(code, chosen, recorded, message)


# -- the figures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SatisfactionRow:
    """One line of the satisfaction figures: a field, a clerk, or the total."""

    key: str  # the field's code, the clerk's user name ("" for the total, or a rating no clerk is known for)
    name: str
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    @property
    def ratings(self) -> int:
        return self.very_satisfied + self.satisfied + self.dissatisfied

    @property
    def rate(self) -> float | None:
        """(very satisfied + satisfied) / ratings, a fraction; None when there is no rating."""
        return (self.very_satisfied + self.satisfied) / self.ratings if self.ratings else None

    def count(self, level: RatingLevel) -> int:
        return int(getattr(self, level.value))

    def to_json(self) -> dict:
        return {"key": self.key, "name": self.name, "very_satisfied": self.very_satisfied,
                "satisfied": self.satisfied, "dissatisfied": self.dissatisfied, "ratings": self.ratings,
                "satisfaction_rate": self.rate}


@dataclass(frozen=True)
class Satisfaction:
    """Ratings given in ``period``: per catalog field (zeros included), per clerk (those rated), the total."""

    period: Period
    by_field: tuple[SatisfactionRow, ...]
    by_clerk: tuple[SatisfactionRow, ...]
    total: SatisfactionRow

    def to_json(self) -> dict:
        return {"period": self.period.text, "cutoff": self.period.cutoff,
                "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
                "by_field": [r.to_json() for r in self.by_field], "by_clerk": [r.to_json() for r in self.by_clerk],
                "total": self.total.to_json()}


def _is(level: RatingLevel) -> Case:
    return Case(None, [(Rating.level == level.value, 1)], 0)


def _row(key: str, name: str, values: tuple) -> SatisfactionRow:
    return SatisfactionRow(key, name, *(int(v or 0) for v in values))


def satisfaction(period: str | Period, cutoff: str = "calendar", *, by: Actor) -> Satisfaction:
    """The satisfaction figures of ratings given in a reporting period (calendar month or 15th–14th):
    per field and per clerk, each level, the number of ratings and the rate, in two grouped queries. Names
    clerks: a leader's figure."""
    require(by, Role.LEADER)
    p = as_period(period, cutoff)
    low, high = to_db(p.start), to_db(p.end)
    in_period = (Rating.at >= low) & (Rating.at < high)
    counts = [fn.SUM(_is(level)) for level in RatingLevel]
    per_field = {field_id: values for field_id, *values in tuples(
        Rating.select(Procedure.field, *counts).join(Dossier, on=(Rating.dossier == Dossier.id))
        .join(Procedure, on=(Dossier.procedure == Procedure.id)).where(in_period).group_by(Procedure.field))}
    fields = [_row(f.code, f.name, tuple(per_field.get(f.id, (0, 0, 0))))
              for f in Field.select().order_by(Field.sort_order, Field.name, Field.id)]
    clerk_rows = tuples(Rating.select(Staff.username, Staff.full_name, *counts)
                        .join(Staff, JOIN.LEFT_OUTER, on=(Rating.served_by == Staff.id)).where(in_period)
                        .group_by(Staff.id, Staff.username, Staff.full_name)
                        .order_by(Staff.full_name, Staff.username))
    clerks = [_row(username or "", name or _("(not known)"), tuple(values)) for username, name, *values in clerk_rows]
    total = SatisfactionRow("", "Tổng cộng", *(sum(r.count(level) for r in fields) for level in RatingLevel))
    return Satisfaction(p, tuple(fields), tuple(clerks), total)
