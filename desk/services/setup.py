"""First-start set-up shared by the CLI and the GUI: schema, office, points, admin, seed catalog."""

from __future__ import annotations

from dataclasses import dataclass

from desk.errors import PermissionDenied, ValidationError
from desk.i18n import _
from desk.models import Office
from desk.models.db import lock_schema, setup_desk_role, write_transaction
from desk.services.accounts import Actor, ensure_admin, require, to_actor
from desk.services.clock import Clock
from desk.services.kinds import Role
from desk.services.office import (
    OfficeSettings,
    PointSpec,
    check_office_code,
    ensure_office,
    is_set_up,
    set_up_office,
)


@dataclass(frozen=True)
class OfficeDefaults:
    """What ``init`` knows about the office. Without a code the office is created without identity and
    is not set up (D27): nothing is received until a person gives it in the wizard, Settings or
    ``office set``. With a code (``init --office-code``) it is set up in the same step."""

    code: str = ""
    name: str = ""
    parent_name: str = ""
    address: str = ""
    place_name: str = ""
    phone: str = ""
    hours: str = "07:30-11:30,13:30-17:00"
    no_appointment_weekdays: str = "2"  # Wednesday
    points: tuple[PointSpec, ...] = ()  # none: one main point named after the office


# The sample ward: demo databases, the test suite and screenshots only. Never the identity of a real office.
SAMPLE_POINTS = (
    PointSpec("Bộ phận Một cửa UBND phường", "office", "Trụ sở UBND phường", "0,1,2,3,4", "07:30-11:30,13:30-17:00"),
    PointSpec("Điểm tiếp nhận điện tử Tổ dân phố 2", "e_point", "Nhà văn hóa Tổ dân phố 2", "0,1,2,3,4",
              "07:30-11:30,13:30-17:00"),
    PointSpec("Điểm tiếp nhận điện tử Tổ dân phố 5", "e_point", "Nhà văn hóa Tổ dân phố 5", "0,1,2,3,4,5",
              "07:30-11:30,13:30-17:00"),
)
SAMPLE_OFFICE = OfficeDefaults(
    code="000.00.13.H42", name="UBND phường Trần Phú", parent_name="UBND TỈNH HÀ TĨNH",
    address="Số 1 đường Trần Phú, phường Trần Phú, tỉnh Hà Tĩnh", place_name="Hà Tĩnh",
    points=SAMPLE_POINTS,
)


def settings_of(defaults: OfficeDefaults) -> OfficeSettings:
    """The identity part of ``defaults`` as the office service saves it."""
    return OfficeSettings(code=defaults.code, name=defaults.name, parent_name=defaults.parent_name,
                          address=defaults.address, place_name=defaults.place_name, phone=defaults.phone,
                          hours=defaults.hours, no_appointment_weekdays=defaults.no_appointment_weekdays)


def needs_setup() -> bool:
    """True on a database without its office row: ``init`` (or the program's first start) creates it.

    Whether a person has given the office its identity is ``office.is_set_up``."""
    return not Office.select().exists()


def initialize(defaults: OfficeDefaults | None = None, *, actor: Actor | None, admin_password: str | None = None,
               load_catalog: bool = True, clock: Clock | None = None) -> dict:
    """Set up a new database, or bring an existing one up to date; idempotent.

    A database without an office gets the office row, the ``admin`` account and the seed catalog;
    ``actor`` is then None (nobody can log in yet) and the admin's password is ``admin_password`` or,
    without one, a random one that the first start of the program replaces. The office has the
    identity of ``defaults`` when it names a code (set up now, with ``defaults.points`` or one main
    point), otherwise none (not set up; no reception point either). On a database that already has its
    office ``actor`` must be an administrator; an identity in ``defaults`` sets up an office that is
    not set up yet and is refused if it differs from a set-up office's (that is ``office set``); new seed
    procedures are added and what the office changed is kept.

    One transaction under the schema lock, catalog included: several ``init`` at once on one
    PostgreSQL database wait for each other instead of racing to insert the same rows.
    """
    defaults = defaults or OfficeDefaults()
    identity = bool(defaults.code.strip() or defaults.name.strip())
    with write_transaction():
        lock_schema()
        office = Office.select().order_by(Office.id).first()
        created = office is None
        if created:
            office = ensure_office(
                defaults.code, defaults.name, parent_name=defaults.parent_name, address=defaults.address,
                place_name=defaults.place_name, hours=defaults.hours,
                no_appointment_weekdays=defaults.no_appointment_weekdays, clock=clock,
            )
        elif actor is None:
            raise PermissionDenied(_("This database is already set up (office {code}). An administrator must log "
                                     "in to run init on it.").format(code=office.code or "—"))
        else:
            require(actor, Role.ADMIN)
        admin = ensure_admin(admin_password if created else None)
        by = actor if actor is not None else to_actor(admin)
        if identity:
            if is_set_up(office) and not created:
                wanted = check_office_code(defaults.code) if defaults.code.strip() else ""
                name = " ".join(defaults.name.split())
                if (wanted and wanted != office.code) or (name and name != office.name):
                    raise ValidationError({"code": _(
                        "The office is already set up as {name} ({code}); init does not change it. Use: office "
                        "set --code CODE --name NAME").format(name=office.name, code=office.code)})
            else:
                set_up_office(settings_of(defaults), list(defaults.points) or None, by=by, clock=clock)
        summary = None
        if load_catalog:
            from desk.services import catalog

            summary = catalog.load_seed(by=by, update_existing=False)  # keep what the office changed
    office = Office.get_by_id(office.id)
    return {"office": office.code, "catalog": summary, "created": created, "set_up": is_set_up(office)}


def create_desk_role(name: str, password: str, *, by: Actor) -> bool:
    """PostgreSQL: a login role for the desks that can work the register but owns nothing (True if new).

    Only an administrator of the office gives out database accounts."""
    require(by, Role.ADMIN)
    return setup_desk_role(name.strip(), password)
