"""Staff accounts and roles. Passwords are salted scrypt hashes; roles gate service actions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk.errors import NotFound, PermissionDenied, ValidationError
from desk.i18n import _
from desk.models import Staff
from desk.services.clock import Clock, to_db
from desk.services.kinds import Role

ROLES = tuple(Role)  # weakest first
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Actor:
    """Who is acting: passed explicitly (``actor=`` / ``by=``) to every service call that changes data
    or reads personal data. The GUI's login dialog and the CLI get one from :func:`login`."""

    id: int | None
    username: str
    full_name: str
    role: str

    def can(self, role: Role) -> bool:
        """Admin ⊇ leader ⊇ clerk; an unknown role can nothing."""
        return self.role in ROLES and Role(self.role).rank >= Role(role).rank


# Set-up code and tests only (e.g. creating the first accounts): it has no staff row, so the services
# that write the audit trail (intake, lifecycle) refuse it; no person's action is recorded as "Hệ thống".
SYSTEM = Actor(None, "system", "Hệ thống", Role.ADMIN)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), dklen=32,
                                n=int(n), r=_SCRYPT["r"], p=_SCRYPT["p"])
        return hmac.compare_digest(digest.hex(), digest_hex)
    except (ValueError, TypeError):
        return False


def to_actor(staff: Staff) -> Actor:
    return Actor(staff.id, staff.username, staff.full_name, staff.role)


def get_actor(username: str) -> Actor:
    staff = Staff.get_or_none(Staff.username == username.strip())
    if staff is None or not staff.active:
        raise NotFound(_("No active staff account named {username}").format(username=username))
    return to_actor(staff)


def require(actor: Actor, role: Role) -> None:
    """Refuse unless ``actor`` is a staff account of at least ``role`` (the rule lives in the services)."""
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("This needs a staff account. Log in first."))
    if not actor.can(role):
        raise PermissionDenied(_("{name} ({role}) is not allowed to do this; it needs a {needed} account.").format(
            name=actor.full_name, role=actor.role, needed=role))


def acting_staff(actor: Actor, role: Role) -> Staff:
    """The actor's own account as the database has it now, for the audit trail.

    Intake and lifecycle record the account's id and name in ``dossier_event``; an actor without a
    staff row (SYSTEM), a deactivated account or one whose role was lowered since it logged in is
    refused, so every event names the person who really acted.
    """
    require(actor, role)
    staff = Staff.get_or_none(Staff.id == actor.id) if actor.id is not None else None
    if staff is None or not staff.active:
        raise PermissionDenied(_("{name} is not an active staff account; only a logged-in member of staff can "
                                 "do this.").format(name=actor.full_name))
    require(to_actor(staff), role)
    return staff


def ensure_admin(password: str | None = None) -> Staff:
    """The first admin account, created with ``password`` (``init`` asks for it), or, without one,
    with a random password that the first start of the program replaces (first_start_pending)."""
    staff = Staff.get_or_none(Staff.username == "admin")
    if staff is None:
        if password is not None:
            check_new_password(password)
        staff = Staff.create(username="admin", full_name="Quản trị hệ thống", role=Role.ADMIN,
                             password_hash=hash_password(password or secrets.token_urlsafe(16)),
                             must_change_password=password is None)
    return staff


MIN_PASSWORD_LENGTH = 8


def check_new_password(password: str | None) -> None:
    """The one rule for a new password (every place that sets one calls this)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError({"password": _("Password must have at least 8 characters")})


def create_staff(username: str, full_name: str, role: str, password: str, *, by: Actor) -> Actor:
    require(by, Role.LEADER)
    from desk.services import limits

    problems: dict[str, str] = {}
    username = username if isinstance(username, str) else ""
    if not username.strip() or not username.strip().isidentifier():
        problems["username"] = _("User name must be letters, digits or _ without spaces")
    elif long_name := limits.too_long(username.strip(), _("User name"), limits.max_length(Staff.username)):
        problems["username"] = long_name
    full_name = limits.check_name(problems, "full_name", full_name, _("Full name"), Staff.full_name)
    if not full_name and "full_name" not in problems:
        problems["full_name"] = _("Full name is required")
    if role not in ROLES:
        problems["role"] = _("Role must be clerk, leader or admin")
    if role == Role.ADMIN and not by.can(Role.ADMIN):
        problems["role"] = _("Only an admin can create another admin")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems["password"] = _("Password must have at least 8 characters")
    if "username" not in problems and Staff.get_or_none(Staff.username == username.strip()):
        problems["username"] = _("User name {username} is taken").format(username=username)
    if problems:
        raise ValidationError(problems)
    staff = Staff.create(username=username.strip(), full_name=full_name, role=role,
                         password_hash=hash_password(password), must_change_password=False)
    return to_actor(staff)


MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15


@dataclass(frozen=True)
class StaffInfo:
    username: str
    full_name: str
    role: str
    active: bool
    must_change_password: bool


def login(username: str, password: str, *, clock: Clock | None = None) -> Actor:
    """Check a password; five wrong ones lock the account for a quarter of an hour.

    The attempt is counted in the database *before* the password is checked, by one atomic
    ``UPDATE … SET failed_logins = failed_logins + 1 … RETURNING``, and the attempt that reaches
    MAX_FAILED_LOGINS sets the lock in that same statement. So however many desks or processes
    try at once, at most MAX_FAILED_LOGINS passwords are ever checked per lock period, and a
    locked account refuses even the right password until the lock ends. A right password clears
    the count; a process killed between the count and the check leaves the attempt counted.
    """
    now = (clock or Clock()).now()
    staff = Staff.get_or_none(Staff.username == (username or "").strip())
    wrong = PermissionDenied(_("Wrong user name or password"))
    if staff is None or not staff.active:
        verify_password(password or "", _DUMMY_HASH)  # as slow as a real check: names cannot be probed
        raise wrong
    if not _count_attempt(staff.id, to_db(now), to_db(now + timedelta(minutes=LOCKOUT_MINUTES))):
        raise _locked(staff.id)
    if not verify_password(password or "", staff.password_hash):
        raise wrong
    _clear_attempts(staff.id)
    return to_actor(staff)


_DUMMY_HASH = "scrypt$16384$" + "00" * 16 + "$" + "00" * 32


def _count_attempt(staff_id: int, now: datetime, lock_end: datetime) -> bool:
    """Count one attempt unless the account is locked; True when the password may be checked.

    One statement, so the count and the lock decision cannot interleave between processes (SQLite
    runs it under BEGIN IMMEDIATE, PostgreSQL under the row lock the UPDATE takes). A lock that has
    ended starts a fresh count.
    """
    from peewee import Case

    from desk.models.db import run_write

    expired = Staff.locked_until.is_null(False) & (Staff.locked_until <= now)
    count = Case(None, [(expired, 1)], Staff.failed_logins + 1)
    lock = Case(None, [(count >= MAX_FAILED_LOGINS, lock_end), (expired, None)], Staff.locked_until)
    query = (Staff.update(failed_logins=count, locked_until=lock)
             .where((Staff.id == staff_id) & (Staff.locked_until.is_null() | (Staff.locked_until <= now)))
             .returning(Staff.failed_logins))
    return bool(run_write(lambda: list(query.execute())))


def _clear_attempts(staff_id: int) -> None:
    from desk.models.db import run_write

    run_write(lambda: Staff.update(failed_logins=0, locked_until=None).where(Staff.id == staff_id).execute())


def _locked(staff_id: int) -> PermissionDenied:
    from desk.services.clock import LOCAL_TZ, from_db

    until = Staff.select(Staff.locked_until).where(Staff.id == staff_id).scalar()
    shown = f"{from_db(until).astimezone(LOCAL_TZ):%H:%M}" if until else "?"
    return PermissionDenied(_("Too many wrong passwords. The account is locked until {time}.").format(time=shown))


def has_accounts() -> bool:
    """Whether the open database has any staff account (a new or empty one has none)."""
    return Staff.table_exists() and Staff.select().exists()


def needs_new_password(actor: Actor) -> bool:
    staff = Staff.get_or_none(Staff.id == actor.id)
    return bool(staff and staff.must_change_password)


def change_password(actor: Actor, new_password: str, *, username: str | None = None) -> None:
    """Change one's own password, or (leaders/admins) reset another account's."""
    from desk.models.db import run_write

    require(actor, Role.CLERK)
    target = (username or actor.username).strip()
    if target != actor.username:
        require(actor, Role.LEADER)
    check_new_password(new_password)
    staff = Staff.get_or_none(Staff.username == target)
    if staff is None:
        raise NotFound(_("No active staff account named {username}").format(username=target))
    if staff.role == Role.ADMIN and not actor.can(Role.ADMIN):
        raise PermissionDenied(_("Only an admin can change an admin's password"))
    run_write(lambda: Staff.update(password_hash=hash_password(new_password),
                                   must_change_password=target != actor.username,
                                   failed_logins=0, locked_until=None).where(Staff.id == staff.id).execute())


def list_staff(*, by: Actor) -> list[StaffInfo]:
    """The staff accounts, for leaders and admins (the Staff tab of the settings)."""
    require(by, Role.LEADER)
    return [StaffInfo(s.username, s.full_name, s.role, bool(s.active), bool(s.must_change_password))
            for s in Staff.select().order_by(Staff.full_name)]


def update_staff(username: str, *, by: Actor, full_name: str | None = None, role: str | None = None,
                 active: bool | None = None) -> StaffInfo:
    """Leaders manage clerks; only admins touch admins or hand out the admin role."""
    from desk.models.db import run_write

    require(by, Role.LEADER)
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        raise NotFound(_("No active staff account named {username}").format(username=username))
    if (staff.role == Role.ADMIN or role == Role.ADMIN) and not by.can(Role.ADMIN):
        raise PermissionDenied(_("Only an admin can create another admin"))
    if role is not None and role not in ROLES:
        raise ValidationError({"role": _("Role must be clerk, leader or admin")})
    if username == by.username and active is False:
        raise ValidationError({"active": _("You cannot deactivate your own account")})
    changes: dict[str, Any] = {}
    if full_name is not None:
        from desk.services import limits

        problems: dict[str, str] = {}
        full_name = limits.check_name(problems, "full_name", full_name, _("Full name"), Staff.full_name)
        if not full_name and not problems:
            problems["full_name"] = _("Full name is required")
        if problems:
            raise ValidationError(problems)
        changes["full_name"] = full_name
    if role is not None:
        changes["role"] = role
    if active is not None:
        changes["active"] = active
    if changes:
        run_write(lambda: Staff.update(**changes).where(Staff.id == staff.id).execute())
    saved = Staff.get(Staff.id == staff.id)  # a new name: the lambda above keeps the narrowed ``staff``
    return StaffInfo(saved.username, saved.full_name, saved.role, bool(saved.active), bool(saved.must_change_password))


def first_start_pending() -> bool:
    """True until someone gives the generated admin account a real password (first start of the app)."""
    staff = Staff.get_or_none(Staff.username == "admin")
    return bool(staff and staff.must_change_password and staff.failed_logins == 0
                and Staff.select().where(Staff.must_change_password == False).count() == 0)  # noqa: E712


def set_first_admin_password(password: str) -> Actor:
    """Only while first_start_pending(): the admin chooses a password and is logged in.

    The check and the change are one write transaction, so two desks starting at once cannot both
    choose the password.
    """
    from desk.models.db import run_write

    check_new_password(password)

    def work() -> None:
        if not first_start_pending():
            raise PermissionDenied(_("The first administrator password has already been set"))
        Staff.update(password_hash=hash_password(password), must_change_password=False).where(
            Staff.username == "admin").execute()

    run_write(work)
    return get_actor("admin")
