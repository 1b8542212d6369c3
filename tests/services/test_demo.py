"""Demo data: its due dates are the calendar's, whatever a procedure's cut-off."""

from __future__ import annotations

from datetime import datetime

from desk.models import Dossier, Procedure
from desk.services import demo
from desk.services.calendar import load_calendar
from desk.services.clock import FixedClock, from_db


def test_demo_due_dates_follow_each_procedures_own_cutoff(office, admin):
    # a same-day procedure with an 11:00 cut-off: a 10:00 and a 14:00 receipt of one day are due on
    # different days (the cache used to key on "after 15:00" and give both the first one's due date)
    Procedure.update(cutoff="11:00").where(Procedure.code == "T-BS").execute()
    Procedure.update(cutoff="16:00").where(Procedure.code == "T-KS").execute()
    demo.generate(800, actor=admin, months=1, clock=FixedClock(datetime(2026, 11, 25, 16, 30)))
    cal = load_calendar()
    checked = {"T-BS": 0, "T-KS": 0}
    late = 0
    for dossier in Dossier.select().join(Procedure):
        received = from_db(dossier.received_at)
        assert from_db(dossier.due_at) == cal.due_at(dossier.procedure, received), dossier.code
        if dossier.procedure.code in checked:
            checked[dossier.procedure.code] += 1
            late += cal.after_cutoff(dossier.procedure, received)
    assert min(checked.values()) > 20 and late > 0  # the case was exercised, both sides of the cut-off
