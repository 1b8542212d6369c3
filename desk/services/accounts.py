"""Staff accounts and roles. Passwords are salted scrypt hashes; roles gate service actions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

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
    problems = {}
    if not username.strip() or not username.strip().isidentifier():
        problems["username"] = _("User name must be letters, digits or _ without spaces")
    if not full_name.strip():
        problems["full_name"] = _("Full name is required")
    if role not in ROLES:
        problems["role"] = _("Role must be clerk, leader or admin")
    if role == "admin" and not by.can("admin"):
        problems["role"] = _("Only an admin can create another admin")
    if len(password) < 8:
        problems["password"] = _("Password must have at least 8 characters")
    if Staff.get_or_none(Staff.username == username.strip()):
        problems["username"] = _("User name {username} is taken").format(username=username)
    if problems:
        raise ValidationError(problems)
    staff = Staff.create(username=username.strip(), full_name=full_name.strip(), role=role,
                         password_hash=hash_password(password), must_change_password=False)
    return to_actor(staff)
