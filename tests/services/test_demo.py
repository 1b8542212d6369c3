"""Demo data: its due dates are the calendar's, whatever a procedure's cut-off; its stops and files."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime

import cv2
import numpy as np

from desk.models import Attachment, Dossier, DossierEvent, Procedure
from desk.models import db as dbmod
from desk.services import demo
from desk.services.accounts import get_actor
from desk.services.attachments import digitisation_counts, open_attachment
from desk.services.calendar import load_calendar
from desk.services.clock import LOCAL_TZ, FixedClock, from_db
from desk.services.dossiers import Status, get_dossier
from desk.services.kinds import StopCase
from tests.conftest import make_office


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


NOW = datetime(2026, 11, 20, 17, 0, tzinfo=LOCAL_TZ)


def _outcome() -> tuple[list, list]:
    """The stops (code, when, case, reason) and the files (code, component, name, sha256) a demo run made."""
    stops = [(e.dossier.code, from_db(e.at), json.loads(e.data)["case"], e.note)
             for e in DossierEvent.select().where(DossierEvent.action == "stop").order_by(DossierEvent.id)]
    files = [(a.dossier.code, a.component, a.file_name, a.sha256) for a in Attachment.select().order_by(Attachment.id)]
    return stops, files


def test_demo_stops_a_few_and_digitises_some(any_office, admin, tmp_path):
    """Issue 12: a demo database has stopped dossiers (through lifecycle.stop, with their reason and case) and
    attached PDFs and PNGs that read back whole, so this month's digitisation rate is neither 0 nor 100 %."""
    result = demo.generate(400, actor=admin, months=3, clock=FixedClock(NOW))
    assert result["stopped"] == 1 and result["by_status"]["stopped"] == 1
    assert sum(result["by_status"].values()) == result["dossiers"] == 400
    stops, files = _outcome()
    assert len(stops) == 1
    code, when, case, reason = stops[0]
    stopped = Dossier.get(Dossier.code == code)
    assert stopped.status == Status.STOPPED and from_db(stopped.closed_at) == when <= NOW
    assert case in {c.value for c in StopCase} and reason
    assert get_dossier(code, actor=admin).status == Status.STOPPED
    assert len(files) == result["attachments"] > 0 and result["digitised"] == len({f[0] for f in files})
    kinds = set()
    for number, row in enumerate(Attachment.select().order_by(Attachment.id)):
        info, content = open_attachment(row.id, actor=admin)  # checksum checked on read
        kinds.add(info.media_type)
        if number < 6:  # a few, read back as a viewer would
            path = tmp_path / info.file_name
            path.write_bytes(content)
            if info.media_type == "application/pdf":
                text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60,
                                      check=True).stdout
                assert info.code in text and "DU LIEU MAU" in text
            else:
                image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_GRAYSCALE)
                assert image.shape == (170, 120) and image.min() < 128 < image.max()
    assert kinds == {"application/pdf", "image/png"}
    month = digitisation_counts(date(2026, 11, 1), date(2026, 11, 30), actor=admin)
    done, received = sum(r.digitised for r in month), sum(r.total for r in month)
    assert 0 < done < received


def test_demo_with_its_stops_and_files_is_the_same_every_time(office, admin, tmp_path):
    """The same seed and clock give the same stops and the same files (by checksum) on a second database."""
    clock = FixedClock(NOW)
    demo.generate(400, actor=admin, months=3, clock=clock)
    first = _outcome()
    dbmod.connect(f"sqlite:///{tmp_path / 'again.db'}")
    make_office()
    demo.generate(400, actor=get_actor("admin"), months=3, clock=clock)
    assert _outcome() == first and first[0] and first[1]
