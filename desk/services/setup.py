"""First-start set-up shared by the CLI and the GUI: schema, office, points, admin, seed catalog."""

from __future__ import annotations

from dataclasses import dataclass

from desk.models.db import lock_schema, setup_desk_role, write_transaction
from desk.services.accounts import ensure_admin
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


def initialize(defaults: OfficeDefaults | None = None, *, load_catalog: bool = True) -> dict:
    """Idempotent: creates what is missing and keeps what an office has changed.

    One transaction under the schema lock, catalog included: several ``init`` at once on one
    PostgreSQL database wait for each other instead of racing to insert the same rows.
    """
    defaults = defaults or OfficeDefaults()
    with write_transaction():
        lock_schema()
        office = ensure_office(
            defaults.code, defaults.name, parent_name=defaults.parent_name, address=defaults.address,
            place_name=defaults.place_name, hours=defaults.hours,
            no_appointment_weekdays=defaults.no_appointment_weekdays,
        )
        for name, kind, address, weekdays, hours in DEFAULT_POINTS:
            ensure_point(office, name, kind=kind, address=address, weekdays=weekdays, hours=hours)
        ensure_admin()
        summary = None
        if load_catalog:
            from desk.services import catalog

            summary = catalog.load_seed(update_existing=False)  # keep what the office changed
    return {"office": office.code, "catalog": summary}


def create_desk_role(name: str, password: str) -> bool:
    """PostgreSQL: a login role for the desks that can work the register but owns nothing (True if new)."""
    return setup_desk_role(name.strip(), password)
