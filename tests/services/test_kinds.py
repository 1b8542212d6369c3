"""The stored vocabularies as enums: each member is the very word the database, the CLI and JSON hold."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from desk.models import Dossier, DossierEvent, Procedure, Staff
from desk.models.db import database_proxy
from desk.services import accounts
from desk.services.accounts import ROLES, get_actor
from desk.services.catalog import DAY_UNITS, ONLINE_LEVELS, get_procedure
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import CHANNELS, get_dossier
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kinds import Channel, DayUnit, KioskState, OnlineLevel, PayloadStatus, Role, ScanKind
from desk.services.payload import verify_payload
from desk.services.scan import interpret

# The words as the database and the command line have always spelt them: changing one is a migration.
SPELLINGS = {
    Role: ["clerk", "leader", "admin"],
    Channel: ["direct", "online", "postal"],
    DayUnit: ["working", "calendar"],
    OnlineLevel: ["none", "partial", "full"],
    KioskState: ["ready", "waiting", "supplement", "returned", "closed", "error", "paused"],
    PayloadStatus: ["valid", "bare_code", "tampered", "foreign", "malformed"],
    ScanKind: ["dossier", "cccd", "unknown"],
}
CLOCK = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))


@pytest.mark.parametrize("kind", list(SPELLINGS), ids=lambda k: k.__name__)
def test_members_are_the_stored_words(kind):
    assert [m.value for m in kind] == SPELLINGS[kind]
    for word in SPELLINGS[kind]:
        member = kind(word)
        assert member == word and str(member) == word and f"{member}" == word and hash(member) == hash(word)
        assert json.dumps(member) == json.dumps(word)
    with pytest.raises(ValueError):
        kind("no such word")


def test_the_old_names_are_the_enums():
    assert tuple(Role) == ROLES and list(CHANNELS) == list(Channel)
    assert tuple(DayUnit) == DAY_UNITS and tuple(OnlineLevel) == ONLINE_LEVELS
    assert Role.CLERK.rank < Role.LEADER.rank < Role.ADMIN.rank


def _raw(sql: str) -> list[tuple]:
    return list(database_proxy.obj.execute_sql(sql).fetchall())


def test_round_trip_through_the_database(any_office):
    admin = get_actor("admin")
    staff = accounts.create_staff("lan", "Nguyễn Thị Lan", Role.LEADER, "Matkhau#2026", by=accounts.SYSTEM)
    assert staff.role == "leader" and _raw("SELECT role FROM staff WHERE username = 'lan'") == [("leader",)]
    assert Role(Staff.get(Staff.username == "lan").role) is Role.LEADER and staff.can(Role.CLERK)
    info = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An"), channel=Channel.ONLINE), clock=CLOCK,
                    actor=admin)
    assert _raw(f"SELECT channel FROM dossier WHERE code = '{info.code}'") == [("online",)]
    assert get_dossier(info.code, actor=admin).channel == Channel.ONLINE
    event = DossierEvent.get(DossierEvent.dossier == Dossier.get(Dossier.code == info.code).id)
    assert json.loads(event.data)["channel"] == "online"
    words = register(IntakeRequest("T-KS", Applicant(name="Lê Văn Bình"), channel="postal"), clock=CLOCK, actor=admin)
    assert _raw(f"SELECT channel FROM dossier WHERE code = '{words.code}'") == [("postal",)]
    Procedure.update(day_unit="calendar", online_level="full").where(Procedure.code == "T-KS").execute()
    procedure = get_procedure("T-KS")
    assert procedure.day_unit is DayUnit.CALENDAR and procedure.online_level is OnlineLevel.FULL


def test_checks_and_scans_carry_their_kinds(office):
    check = verify_payload("not a slip")
    assert check.status is PayloadStatus.MALFORMED and not check.ok
    assert interpret("").kind is ScanKind.UNKNOWN
