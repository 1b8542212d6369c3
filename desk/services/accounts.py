"""Staff accounts and roles. Passwords are salted scrypt hashes; roles gate service actions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from desk.i18n import _
from desk.models import Staff
from desk.services.errors import NotFound, PermissionDenied, ValidationError

ROLES = ("clerk", "leader", "admin")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Actor:
    """Who is acting: passed to every service call that changes data."""

    id: int | None
    username: str
    full_name: str
    role: str

    def can(self, role: str) -> bool:
        """Admin ⊇ leader ⊇ clerk."""
        return ROLES.index(self.role) >= ROLES.index(role)


SYSTEM = Actor(None, "system", "Hệ thống", "admin")


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


def require(actor: Actor, role: str) -> None:
    if not actor.can(role):
        raise PermissionDenied(_("{name} ({role}) is not allowed to do this; it needs a {needed} account.").format(
            name=actor.full_name, role=actor.role, needed=role))


def ensure_admin() -> Staff:
    """The first admin account; it must set a password at first login."""
    staff = Staff.get_or_none(Staff.username == "admin")
    if staff is None:
        staff = Staff.create(username="admin", full_name="Quản trị hệ thống", role="admin",
                             password_hash=hash_password(secrets.token_urlsafe(16)), must_change_password=True)
    return staff


def create_staff(username: str, full_name: str, role: str, password: str, *, by: Actor) -> Actor:
    require(by, "leader")
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
    if role == "admin" and not by.can("admin"):
        problems["role"] = _("Only an admin can create another admin")
    if len(password) < 8:
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


def login(username: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check a password; five failures lock the account for a quarter of an hour."""
    from desk.models.db import run_write
    from desk.services.clock import from_db, to_db

    now = now or datetime.now(UTC)
    staff = Staff.get_or_none(Staff.username == (username or "").strip())
    wrong = PermissionDenied(_("Wrong user name or password"))
    if staff is None or not staff.active:
        raise wrong
    if staff.locked_until is not None and from_db(staff.locked_until) > now:
        raise PermissionDenied(_("Too many wrong passwords. The account is locked until {time}.").format(
            time=f"{from_db(staff.locked_until):%H:%M}"))
    if not verify_password(password or "", staff.password_hash):
        def record_failure() -> None:
            failures = staff.failed_logins + 1
            locked = to_db(now + timedelta(minutes=LOCKOUT_MINUTES)) if failures >= MAX_FAILED_LOGINS else None
            Staff.update(failed_logins=0 if locked else failures, locked_until=locked).where(
                Staff.id == staff.id).execute()

        run_write(record_failure)
        raise wrong
    if staff.failed_logins or staff.locked_until:
        run_write(lambda: Staff.update(failed_logins=0, locked_until=None).where(Staff.id == staff.id).execute())
    return to_actor(staff)


def needs_new_password(actor: Actor) -> bool:
    staff = Staff.get_or_none(Staff.id == actor.id)
    return bool(staff and staff.must_change_password)


def change_password(actor: Actor, new_password: str, *, username: str | None = None) -> None:
    """Change one's own password, or (leaders/admins) reset another account's."""
    from desk.models.db import run_write

    target = (username or actor.username).strip()
    if target != actor.username:
        require(actor, "leader")
    if len(new_password or "") < 8:
        raise ValidationError({"password": _("Password must have at least 8 characters")})
    staff = Staff.get_or_none(Staff.username == target)
    if staff is None:
        raise NotFound(_("No active staff account named {username}").format(username=target))
    if staff.role == "admin" and not actor.can("admin"):
        raise PermissionDenied(_("Only an admin can change an admin's password"))
    run_write(lambda: Staff.update(password_hash=hash_password(new_password),
                                   must_change_password=target != actor.username,
                                   failed_logins=0, locked_until=None).where(Staff.id == staff.id).execute())


def list_staff() -> list[StaffInfo]:
    return [StaffInfo(s.username, s.full_name, s.role, bool(s.active), bool(s.must_change_password))
            for s in Staff.select().order_by(Staff.full_name)]


def update_staff(username: str, *, by: Actor, full_name: str | None = None, role: str | None = None,
                 active: bool | None = None) -> StaffInfo:
    """Leaders manage clerks; only admins touch admins or hand out the admin role."""
    from desk.models.db import run_write

    require(by, "leader")
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        raise NotFound(_("No active staff account named {username}").format(username=username))
    if (staff.role == "admin" or role == "admin") and not by.can("admin"):
        raise PermissionDenied(_("Only an admin can create another admin"))
    if role is not None and role not in ROLES:
        raise ValidationError({"role": _("Role must be clerk, leader or admin")})
    if username == by.username and active is False:
        raise ValidationError({"active": _("You cannot deactivate your own account")})
    changes = {}
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
    staff = Staff.get(Staff.id == staff.id)
    return StaffInfo(staff.username, staff.full_name, staff.role, bool(staff.active), bool(staff.must_change_password))


def first_start_pending() -> bool:
    """True until someone gives the generated admin account a real password (first start of the app)."""
    staff = Staff.get_or_none(Staff.username == "admin")
    return bool(staff and staff.must_change_password and staff.failed_logins == 0
                and Staff.select().where(Staff.must_change_password == False).count() == 0)  # noqa: E712


def set_first_admin_password(password: str) -> Actor:
    """Only while first_start_pending(): the admin chooses a password and is logged in."""
    from desk.models.db import run_write

    if not first_start_pending():
        raise PermissionDenied(_("The first administrator password has already been set"))
    if len(password or "") < 8:
        raise ValidationError({"password": _("Password must have at least 8 characters")})
    run_write(lambda: Staff.update(password_hash=hash_password(password), must_change_password=False)
              .where(Staff.username == "admin").execute())
    return get_actor("admin")
