"""First-start set-up shared by the CLI and the GUI: schema, office, points, admin, seed catalog."""

from __future__ import annotations

from dataclasses import dataclass

from desk.i18n import _
from desk.models import Office
from desk.models.db import lock_schema, setup_desk_role, write_transaction
from desk.services.accounts import Actor, ensure_admin, require, to_actor
from desk.services.errors import PermissionDenied
from desk.services.office import ensure_office, ensure_point


@dataclass(frozen=True)
class OfficeDefaults:
    code: str = "000.00.13.H42"
    name: str = "UBND phường Trần Phú"
    parent_name: str = "UBND THÀNH PHỐ HÀ TĨNH"
    address: str = "Số 1 đường Trần Phú, phường Trần Phú, thành phố Hà Tĩnh"
    place_name: str = "Hà Tĩnh"
    hours: str = "07:30-11:30,13:30-17:00"
    no_appointment_weekdays: str = "2"  # Wednesday


DEFAULT_POINTS = (
    ("Bộ phận Một cửa UBND phường", "office", "Trụ sở UBND phường", "0,1,2,3,4", "07:30-11:30,13:30-17:00"),
    ("Điểm tiếp nhận điện tử Tổ dân phố 2", "e_point", "Nhà văn hóa Tổ dân phố 2", "0,1,2,3,4",
     "07:30-11:30,13:30-17:00"),
    ("Điểm tiếp nhận điện tử Tổ dân phố 5", "e_point", "Nhà văn hóa Tổ dân phố 5", "0,1,2,3,4,5",
     "07:30-11:30,13:30-17:00"),
)


def needs_setup() -> bool:
    """True on a database without its office: ``init`` (or the program's first start) sets it up."""
    return not Office.select().exists()


def initialize(defaults: OfficeDefaults | None = None, *, actor: Actor | None, admin_password: str | None = None,
               load_catalog: bool = True) -> dict:
    """Set up a new database, or bring an existing one up to date; idempotent.

    A database without an office gets the office from ``defaults``, the reception points, the
    ``admin`` account and the seed catalog; ``actor`` is then None (nobody can log in yet) and the
    admin's password is ``admin_password`` or, without one, a random one that the first start of the
    program replaces. On a database that already has its office ``actor`` must be an administrator;
    the office stays as it is (``defaults`` never create a second one), missing points and new seed
    procedures are added and what the office changed is kept.

    One transaction under the schema lock, catalog included: several ``init`` at once on one
    PostgreSQL database wait for each other instead of racing to insert the same rows.
    """
    defaults = defaults or OfficeDefaults()
    with write_transaction():
        lock_schema()
        office = Office.select().order_by(Office.id).first()
        created = office is None
        if created:
            office = ensure_office(
                defaults.code, defaults.name, parent_name=defaults.parent_name, address=defaults.address,
                place_name=defaults.place_name, hours=defaults.hours,
                no_appointment_weekdays=defaults.no_appointment_weekdays,
            )
        elif actor is None:
            raise PermissionDenied(_("This database is already set up (office {code}). An administrator must log "
                                     "in to run init on it.").format(code=office.code))
        else:
            require(actor, "admin")
        for name, kind, address, weekdays, hours in DEFAULT_POINTS:
            ensure_point(office, name, kind=kind, address=address, weekdays=weekdays, hours=hours)
        admin = ensure_admin(admin_password if created else None)
        by = actor if actor is not None else to_actor(admin)
        summary = None
        if load_catalog:
            from desk.services import catalog

            summary = catalog.load_seed(by=by, update_existing=False)  # keep what the office changed
    return {"office": office.code, "catalog": summary, "created": created}


def create_desk_role(name: str, password: str, *, by: Actor) -> bool:
    """PostgreSQL: a login role for the desks that can work the register but owns nothing (True if new).

    Only an administrator of the office gives out database accounts."""
    require(by, "admin")
    return setup_desk_role(name.strip(), password)
