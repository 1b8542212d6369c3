"""Office identity, reception points and office hours: shared by every desk of an office."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from desk.errors import NotFound, OfficeNotSetUp, ValidationError
from desk.i18n import _
from desk.models import Office, ReceptionPoint
from desk.services.accounts import Actor, require
from desk.services.clock import Clock, from_db, to_db
from desk.services.kinds import Role
from desk.services.limits import MAX_ROW_ID, lookup_text, max_length, too_long
from desk.text import clean, is_digits

DEFAULT_HOURS = "07:30-11:30,13:30-17:00"


@dataclass(frozen=True)
class OfficeHours:
    """Working periods of a day, e.g. ((07:30, 11:30), (13:30, 17:00))."""

    periods: tuple[tuple[time, time], ...]

    @property
    def opens(self) -> time:
        return self.periods[0][0]

    @property
    def closes(self) -> time:
        return self.periods[-1][1]

    def contains(self, moment: time) -> bool:
        return any(start <= moment <= end for start, end in self.periods)


def _clock_time(text: str) -> time:
    """"07:30" or "7:30" (and whatever ISO time Python reads) → time; ValueError otherwise."""
    text = text.strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    return time.fromisoformat(text)


def parse_hours(text: str) -> OfficeHours:
    """"07:30-11:30,13:30-17:00" → OfficeHours; raises ValidationError on anything else."""
    periods: list[tuple[time, time]] = []
    try:
        for part in (text or "").split(","):
            start_text, end_text = part.strip().split("-")
            start, end = _clock_time(start_text), _clock_time(end_text)
            if end <= start or (periods and start < periods[-1][1]):
                raise ValueError(part)
            periods.append((start, end))
    except ValueError as exc:
        raise ValidationError(
            {"hours": _("Office hours must look like 07:30-11:30,13:30-17:00 (got: {text})").format(text=text)}
        ) from exc
    if not periods:
        raise ValidationError({"hours": _("Office hours are empty")})
    return OfficeHours(tuple(periods))


def parse_weekdays(text: str, *, lenient: bool = False) -> frozenset[int]:
    """"0,1,2" (Monday = 0) → {0, 1, 2}: the one reading of a stored weekdays text.

    Strict (saving): anything else raises ValidationError. ``lenient`` (showing a stored row): a part
    that is not a weekday is dropped, so a damaged row cannot stop a screen from opening.
    """
    days = set()
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        if not is_digits(part) or len(part) > 1 or int(part) > 6:  # int() of 5 000 digits raises
            if lenient:
                continue
            raise ValidationError({"weekdays": _("Weekdays are numbers 0 (Monday) to 6 (Sunday): {text}").format(
                text=text)})
        days.add(int(part))
    return frozenset(days)


def current_office() -> Office:
    """The office this database serves (the first one; one database holds one office)."""
    office = Office.select().order_by(Office.id).first()
    if office is None:
        raise NotFound(_("The database has no office yet. Run: python main.py init"))
    return office


# -- the office's identity: given by a person before anything official is issued (D27) ---------
# Decision 20/2020/QĐ-TTg Art. 4 (amended by Decision 09/2025/QĐ-TTg): groups of 0-9 and A-Z
# separated by dots, at most 35 characters in all.
_CODE_GROUPS = re.compile(r"[0-9A-Z]+(?:\.[0-9A-Z]+)*")
CODE_EXAMPLE = "000.00.00.H00"  # the shape only; no real office's code


def check_office_code(text: str) -> str:
    """The identifier code in its stored form (trimmed, upper case); ValidationError(code) otherwise.

    The one place of the rule: the command line, the wizard and Settings all save through it.
    """
    code = clean(text or "").strip().upper()
    limit = max_length(Office.code) or 35
    if not code:
        raise ValidationError({"code": _("The office identifier code is required (e.g. {example})").format(
            example=CODE_EXAMPLE)})
    if len(code) > limit or not _CODE_GROUPS.fullmatch(code):
        raise ValidationError({"code": _(
            "The office identifier code (Decision 20/2020/QĐ-TTg) has at most {limit} characters: digits 0-9, "
            "letters A-Z and dots between groups, e.g. {example} (got: {code})").format(
            limit=limit, example=CODE_EXAMPLE, code=code[:60])})
    return code


def not_set_up_message() -> str:
    """What a person must fill in before the first dossier, and where: one message for every screen."""
    return _("The office is not set up yet: its name, superior authority and identifier code are missing, so no "
             "dossier can be received and no slip or log book issued. An administrator or leader fills them in "
             "under Settings → Office (or in the set-up wizard shown at start), or on the command line: "
             "office set --code CODE --name \"OFFICE NAME\" --parent \"SUPERIOR AUTHORITY\"")


def is_set_up(office: Office | None = None) -> bool:
    """True once a person gave the office its identity (or demo made it a demo office)."""
    office = office or Office.select().order_by(Office.id).first()
    return office is not None and office.set_up_at is not None


def require_set_up() -> Office:
    """The current office, or OfficeNotSetUp: the gate in front of every registration and official document."""
    office = current_office()
    if office.set_up_at is None:
        raise OfficeNotSetUp(not_set_up_message())
    return office


def ensure_office(
    code: str,
    name: str = "",
    *,
    parent_name: str = "",
    address: str = "",
    place_name: str = "",
    hours: str = DEFAULT_HOURS,
    no_appointment_weekdays: str = "",
    clock: Clock | None = None,
) -> Office:
    """Create the office on first init; later inits keep what leaders changed.

    Without a code the office is created without identity (code and name empty) and is not set up;
    with one, code and name are checked and the office is set up now (``init --office-code``).
    """
    parse_hours(hours)
    parse_weekdays(no_appointment_weekdays)
    code, name = " ".join(clean(code).split()), " ".join(clean(name).split())
    problems: dict[str, str] = {}
    if code:
        try:
            code = check_office_code(code)
        except ValidationError as exc:
            problems.update(exc.problems)
        if not name:
            problems["name"] = _("The office name is required")
    elif name:
        problems["code"] = _("The office identifier code is required (e.g. {example})").format(
            example=CODE_EXAMPLE)
    for key, value, label in (("code", code, _("Office code")), ("name", name, _("Office name")),
                              ("parent_name", parent_name, _("Parent body")), ("address", address, _("Address")),
                              ("place_name", place_name, _("Place name"))):
        if key not in problems and (problem := too_long(value, label, max_length(getattr(Office, key)))):
            problems[key] = problem
    if problems:
        raise ValidationError(problems)
    office = Office.get_or_none(Office.code == code)
    if office is None:
        office = Office.create(
            code=code,
            name=name,
            parent_name=parent_name,
            address=address,
            place_name=place_name,
            hours=hours,
            no_appointment_weekdays=no_appointment_weekdays,
            secret=secrets.token_hex(32),
            set_up_at=to_db((clock or Clock()).now()) if code else None,
        )
    return office


def ensure_point(office: Office, name: str, *, kind: str = "office", address: str = "",
                 weekdays: str = "0,1,2,3,4", hours: str = DEFAULT_HOURS) -> ReceptionPoint:
    parse_hours(hours)
    parse_weekdays(weekdays)
    point, _created = ReceptionPoint.get_or_create(
        office=office, name=name,
        defaults={"kind": kind, "address": address, "weekdays": weekdays, "hours": hours},
    )
    return point


def find_point(name_or_id: str | int | None) -> ReceptionPoint | None:
    """A reception point by id or exact name; None when not given.

    A number too big to be a row id (MAX_ROW_ID) is looked up as a name only, so it ends in
    "unknown reception point", not in the driver's integer overflow.
    """
    if name_or_id in (None, ""):
        return None
    office = current_office()
    query = ReceptionPoint.select().where(ReceptionPoint.office == office)
    text = str(name_or_id).strip()
    point = None
    if is_digits(text) and len(text) <= len(str(MAX_ROW_ID)) and 0 < int(text) <= MAX_ROW_ID:
        point = query.where(ReceptionPoint.id == int(text)).first()
    key = lookup_text(text, ReceptionPoint.name)
    point = point or (query.where(ReceptionPoint.name == key).first() if key else None)
    if point is None:
        raise ValidationError({"reception_point": _("Unknown reception point: {name}").format(name=text[:80])})
    return point


# --- editing (leaders and admins): office identity, hours, rules, reception points -----------
POINT_KINDS = ("office", "e_point", "postal")
# The office fields leaders edit; each one's length limit is its column's (Office model).
_OFFICE_FIELDS = ("code", "name", "parent_name", "address", "place_name", "phone")


@dataclass(frozen=True)
class OfficeSettings:
    """The office-wide settings leaders edit; shared by every desk of the office."""

    code: str
    name: str
    parent_name: str = ""
    address: str = ""
    place_name: str = ""
    phone: str = ""
    hours: str = DEFAULT_HOURS
    no_appointment_weekdays: str = ""  # "2" = Wednesday (Monday = 0)
    lookup_url: str = ""  # the public look-up page's address; "" = slips hold the bare payload (D48)


@dataclass(frozen=True)
class PointInfo:
    """A reception point as every screen and command sees it (the settings, the intake form, the list)."""

    id: int
    name: str
    kind: str  # office | e_point | postal
    address: str
    weekdays: tuple[int, ...]  # opening weekdays, Monday = 0, in order
    hours: str  # "07:30-11:30,13:30-17:00", as set by the office
    active: bool

    @property
    def is_office(self) -> bool:
        """The office's own desk: where citizens collect results by default."""
        return self.kind == "office"

    @classmethod
    def of(cls, point: ReceptionPoint) -> PointInfo:
        """A point row as a value; a damaged weekdays text loses only its bad parts (screens must open)."""
        return cls(point.id, point.name, point.kind, point.address or "",
                   tuple(sorted(parse_weekdays(point.weekdays or "", lenient=True))), point.hours or DEFAULT_HOURS,
                   bool(point.active))


def format_hours(hours: OfficeHours) -> str:
    """OfficeHours → "07:30-11:30,13:30-17:00" (the stored form)."""
    return ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in hours.periods)


def format_weekdays(days: Iterable[int]) -> str:
    """{4, 0, 2} → "0,2,4" (the stored form)."""
    return ",".join(str(day) for day in sorted(days))


def _require_leader(by: Actor) -> None:
    require(by, Role.LEADER)


def get_office_settings() -> OfficeSettings:
    office = current_office()
    return OfficeSettings(
        code=office.code, name=office.name, parent_name=office.parent_name or "", address=office.address or "",
        place_name=office.place_name or "", phone=office.phone or "", hours=office.hours or DEFAULT_HOURS,
        no_appointment_weekdays=office.no_appointment_weekdays or "",
        lookup_url=office.lookup_url or "",
    )


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def check_lookup_url(text: str) -> str:
    """The office's public look-up address in its stored form (no trailing "/"), or "" for none.

    Printed in every slip's QR code, so it must open on any phone and carry nothing else: https://
    (http:// only for this machine, to try the page), a host, an optional path; no user name, query
    or fragment; ASCII (a Vietnamese domain in its xn-- form); at most the column's length.
    Raises ValidationError (key ``lookup_url``) with one line saying what to fix.
    """
    from urllib.parse import urlsplit

    url = clean(text or "").strip().rstrip("/")
    if not url:
        return ""
    limit = max_length(Office.lookup_url) or 200

    def bad(message: str) -> ValidationError:
        return ValidationError({"lookup_url": message})

    if len(url) > limit:
        raise bad(_("The look-up address is too long (at most {limit} characters)").format(limit=limit))
    if not url.isascii() or any(ch.isspace() for ch in url):
        raise bad(_("The look-up address may hold no spaces or accented letters (write the domain in its xn-- form)"))
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a bad port raises ValueError here
    except ValueError:
        raise bad(_("The look-up address is not a web address, e.g. https://tracuu.example.gov.vn")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise bad(_("The look-up address is not a web address, e.g. https://tracuu.example.gov.vn"))
    if scheme == "http" and host.lower() not in _LOCAL_HOSTS:
        raise bad(_("The look-up address must start with https:// (http:// only for localhost)"))
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise bad(_("The look-up address may not contain \"?\" or \"#\""))
    if "@" in parts.netloc:
        raise bad(_("The look-up address may not contain a user name"))
    return f"{scheme}://{parts.netloc.lower()}{parts.path}"


def _checked_hours(text: str, problems: dict[str, str], key: str = "hours") -> str:
    """Office hours in their stored form, or ``text`` as given with the problem under ``key``."""
    return _normalised(text, lambda t: format_hours(parse_hours(t)), problems, key)


def _checked_weekdays(text: str, problems: dict[str, str], key: str = "weekdays") -> str:
    """Weekdays in their stored form, or ``text`` as given with the problem under ``key``."""
    return _normalised(text, lambda t: format_weekdays(parse_weekdays(t)), problems, key)


def _normalised(text: str, normalise: Callable[[str], str], problems: dict[str, str], key: str) -> str:
    try:
        return normalise(text)
    except ValidationError as exc:
        problems[key] = next(iter(exc.problems.values()))
        return text


def _office_values(settings: OfficeSettings, office: Office, now: datetime) -> dict[str, Any]:
    """The office row's new values, checked; every problem is reported at once (ValidationError).
    ``now`` is the moment of saving (the caller's clock), the office's set-up time if it was not set up."""
    values: dict[str, Any] = {key: " ".join(clean(str(getattr(settings, key) or "")).split()) for key in _OFFICE_FIELDS}
    problems: dict[str, str] = {}
    try:
        values["code"] = check_office_code(values["code"])
    except ValidationError as exc:
        problems.update(exc.problems)
    else:
        if Office.select().where((Office.code == values["code"]) & (Office.id != office.id)).exists():
            problems["code"] = _("Another office already uses the code {code}").format(code=values["code"])
    if not values["name"]:
        problems["name"] = _("The office name is required")
    labels = {"code": _("Office code"), "name": _("Office name"), "parent_name": _("Parent body"),
              "address": _("Address"), "place_name": _("Place name"), "phone": _("Phone")}
    for key in _OFFICE_FIELDS:
        problem = too_long(values[key], labels[key], max_length(getattr(Office, key)))
        if key not in problems and problem:
            problems[key] = problem
    values["hours"] = _checked_hours(settings.hours, problems)
    values["no_appointment_weekdays"] = _checked_weekdays(settings.no_appointment_weekdays, problems,
                                                          "no_appointment_weekdays")
    try:
        values["lookup_url"] = check_lookup_url(settings.lookup_url)
    except ValidationError as exc:
        problems.update(exc.problems)
    if problems:
        raise ValidationError(problems)
    if office.set_up_at is None:  # a person has now given the identity
        values["set_up_at"] = to_db(now)
    return values


def update_office(settings: OfficeSettings, *, by: Actor, clock: Clock | None = None) -> OfficeSettings:
    """Save the office identity, hours and no-appointment weekdays; every problem is reported at once.

    Saving the identity sets the office up (D27). Changing the office code only changes the codes of
    dossiers received from now on: existing dossiers keep theirs (codes are never rewritten).
    """
    from desk.models.db import run_write

    _require_leader(by)
    office = current_office()
    values = _office_values(settings, office, (clock or Clock()).now())
    run_write(lambda: Office.update(**values).where(Office.id == office.id).execute())
    return get_office_settings()


@dataclass(frozen=True)
class PointSpec:
    """A reception point as the set-up wizard or ``init`` gives it (a new point, or one with that name)."""

    name: str
    kind: str = "office"
    address: str = ""
    weekdays: str = "0,1,2,3,4"
    hours: str = DEFAULT_HOURS


def main_point_name(office_name: str) -> str:
    """The one reception point an office gets when nobody named its points: its own desk."""
    return f"Bộ phận Một cửa {' '.join(office_name.split())}".strip()


def set_up_office(settings: OfficeSettings, points: list[PointSpec] | None = None, *, by: Actor,
                  demo: bool = False, clock: Clock | None = None) -> OfficeSettings:
    """Give the office its identity and reception points in one transaction: the office is then set up.

    ``points`` None: an office without any point gets one main point named after the office; a point
    whose name exists is updated. ``demo`` (administrators, from ``demo`` only) marks a database made
    for trying the program, whose documents say so; a demo office stays one.
    """
    from desk.models.db import run_write

    _require_leader(by)
    if demo:
        require(by, Role.ADMIN)
    office = current_office()
    now = (clock or Clock()).now()
    values = _office_values(settings, office, now)
    values["set_up_at"] = office.set_up_at or to_db(now)
    if demo:
        values["demo"] = True
    existing = {p.name: p for p in ReceptionPoint.select().where(ReceptionPoint.office == office)}
    if points is None:
        points = [] if existing else [PointSpec(main_point_name(values["name"]), "office",
                                                values.get("address", ""), "0,1,2,3,4", values["hours"])]
    problems: dict[str, str] = {}
    checked: list[tuple[int | None, dict]] = []
    names: set[str] = set()
    for number, spec in enumerate(points, 1):
        known = existing.get(" ".join(clean(spec.name).split()))
        try:
            point = _check_point(office, known.id if known else None, spec.name, spec.kind, spec.address,
                                 spec.weekdays, spec.hours, True)
        except ValidationError as exc:
            problems[f"point{number}"] = _("Reception point {number}: {problem}").format(
                number=number, problem="; ".join(exc.problems.values()))
            continue
        if point["name"] in names:
            problems[f"point{number}"] = _("Reception point {number}: {problem}").format(
                number=number, problem=_("Another reception point is already called {name}").format(
                    name=point["name"]))
        names.add(point["name"])
        checked.append((known.id if known else None, point))
    if problems:
        raise ValidationError(problems)

    def work() -> None:
        Office.update(**values).where(Office.id == office.id).execute()
        for point_id, point in checked:
            if point_id is None:
                ReceptionPoint.create(office=office, **point)
            else:
                ReceptionPoint.update(**point).where(ReceptionPoint.id == point_id).execute()

    run_write(work)
    return get_office_settings()


@dataclass(frozen=True)
class OfficeStatus:
    """What ``office show`` and the screens tell about the office: identity, whether it is set up, points."""

    settings: OfficeSettings
    set_up: bool
    demo: bool
    set_up_at: datetime | None  # aware office time
    dossiers: int
    points: list[PointInfo] = field(default_factory=list)

    def to_json(self) -> dict:
        return {**self.settings.__dict__, "set_up": self.set_up, "demo": self.demo,
                "set_up_at": self.set_up_at.isoformat() if self.set_up_at else None, "dossiers": self.dossiers,
                "points": [{**p.__dict__, "weekdays": format_weekdays(p.weekdays)} for p in self.points]}


def office_status() -> OfficeStatus:
    """The office's identity and state (no personal data)."""
    from desk.models import Dossier

    office = current_office()
    return OfficeStatus(get_office_settings(), office.set_up_at is not None, bool(office.demo),
                        from_db(office.set_up_at), Dossier.select().where(Dossier.office == office).count(),
                        points_overview())


def points_overview(*, include_inactive: bool = True) -> list[PointInfo]:
    """The office's reception points, the office's own desk first, then by name."""
    office = current_office()
    query = ReceptionPoint.select().where(ReceptionPoint.office == office)
    if not include_inactive:
        query = query.where(ReceptionPoint.active == True)  # noqa: E712 - peewee expression
    points = [PointInfo.of(p) for p in query]
    return sorted(points, key=lambda p: (not p.active, POINT_KINDS.index(p.kind) if p.kind in POINT_KINDS else 9,
                                         p.name))


def _check_point(office: Office, point_id: int | None, name: str, kind: str, address: str, weekdays: str,
                 hours: str, active: bool) -> dict:
    problems: dict[str, str] = {}
    name = " ".join(clean(name).split())
    address = " ".join(clean(address).split())
    if not name:
        problems["name"] = _("The reception point needs a name")
    elif long_name := too_long(name, _("Reception point name"), max_length(ReceptionPoint.name)):
        problems["name"] = long_name
    else:
        clash = ReceptionPoint.select().where((ReceptionPoint.office == office) & (ReceptionPoint.name == name))
        if point_id is not None:
            clash = clash.where(ReceptionPoint.id != point_id)
        if clash.exists():
            problems["name"] = _("Another reception point is already called {name}").format(name=name)
    if kind not in POINT_KINDS:
        problems["kind"] = _("Unknown kind of reception point: {kind}").format(kind=kind)
    if long_address := too_long(address, _("Address"), max_length(ReceptionPoint.address)):
        problems["address"] = long_address
    weekdays = _checked_weekdays(weekdays, problems)
    if "weekdays" not in problems and active and not weekdays:
        problems["weekdays"] = _("Choose at least one weekday when the point is open")
    hours = _checked_hours(hours, problems)
    if problems:
        raise ValidationError(problems)
    return {"name": name, "kind": kind, "address": address, "weekdays": weekdays, "hours": hours,
            "active": bool(active)}


def add_point(name: str, kind: str = "e_point", address: str = "", weekdays: str = "0,1,2,3,4",
              hours: str = DEFAULT_HOURS, *, by: Actor) -> PointInfo:
    """A new reception point (e.g. a neighbourhood e-point) for the office."""
    from desk.models.db import run_write

    _require_leader(by)
    office = current_office()
    values = _check_point(office, None, name, kind, address, weekdays, hours, True)
    point = run_write(lambda: ReceptionPoint.create(office=office, **values))
    return PointInfo.of(point)


def update_point(point_id: int, *, by: Actor, name: str | None = None, kind: str | None = None,
                 address: str | None = None, weekdays: str | None = None, hours: str | None = None,
                 active: bool | None = None) -> PointInfo:
    """Change a point; a point is deactivated (active=False), never deleted: dossiers refer to it."""
    from desk.models.db import run_write

    _require_leader(by)
    office = current_office()
    point = ReceptionPoint.get_or_none((ReceptionPoint.id == point_id) & (ReceptionPoint.office == office))
    if point is None:
        raise NotFound(_("Unknown reception point: {name}").format(name=point_id))
    current = PointInfo.of(point)
    values = _check_point(
        office, point.id,
        current.name if name is None else name,
        current.kind if kind is None else kind,
        current.address if address is None else address,
        format_weekdays(current.weekdays) if weekdays is None else weekdays,
        current.hours if hours is None else hours,
        current.active if active is None else active,
    )
    run_write(lambda: ReceptionPoint.update(**values).where(ReceptionPoint.id == point.id).execute())
    return PointInfo.of(ReceptionPoint.get_by_id(point.id))
