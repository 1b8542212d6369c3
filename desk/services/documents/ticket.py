"""The queue ticket (phiếu số thứ tự, D50): a small page printed through the same path as the slips.

An 80 mm receipt roll (the kiosks' common printer; 8 × 11 cm of it) or A6 on a normal printer. The page
is a .docx like every slip, so desk.hardware.printing lays it out and hands it to the print system
exactly as it does the forms. The wording is Vietnamese, as on the forms.
"""

from __future__ import annotations

from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.documents._blocks import DEMO_MARK
from desk.services.documents._kit import Layout, new_document, para, save
from desk.services.office import current_office
from desk.services.queue import Ticket

TICKET_LAYOUTS = {
    "80mm": Layout(8.0, 11.0, 0.4, 0.4, 0.4, 0.4, body=10, head=9, title=12, small=8, header_cols=(3.6, 3.6)),
    "A6": Layout(10.5, 14.8, 1.0, 1.0, 1.0, 1.0, body=12, head=11, title=14, small=9, header_cols=(4.2, 4.3)),
}
# The number is what the citizen reads from across the room: the largest type on the page.
NUMBER_PT = {"80mm": 44, "A6": 60}


def queue_ticket(ticket: Ticket, out: Path | str, *, paper: str = "80mm", clock: Clock | None = None) -> Path:
    """Write the ticket's page (``out`` a file or a folder): office, number, field, time, how many wait before."""
    if paper not in TICKET_LAYOUTS:
        raise ValidationError({"paper": _("Ticket paper is 80mm or A6, not {paper}").format(paper=str(paper)[:20])})
    layout = TICKET_LAYOUTS[paper]
    office = current_office()
    doc = new_document(layout)
    if office.name:
        para(doc, office.name.upper(), bold=True, size=layout.head, align="center")
    para(doc, "PHIẾU SỐ THỨ TỰ", bold=True, size=layout.title, align="center", before=4)
    para(doc, ticket.label, bold=True, size=NUMBER_PT[paper], align="center", before=2, after=2)
    para(doc, f"Lĩnh vực: {ticket.group_name}", bold=True, size=layout.body, align="center")
    taken = ticket.taken_at.astimezone(LOCAL_TZ)
    para(doc, f"Lấy số lúc {taken:%H:%M}, ngày {taken:%d/%m/%Y}", size=layout.body, align="center", before=2)
    para(doc, f"Số người đang chờ trước: {ticket.waiting_before}", size=layout.body, align="center")
    para(doc, "Xin vui lòng chờ đến khi số của mình được gọi.", italic=True, size=layout.small, align="center",
         before=4)
    if office.demo:
        para(doc, DEMO_MARK, bold=True, size=layout.small, align="center", before=2)
    return save(doc, out, f"stt_{ticket.day:%Y%m%d}_{ticket.number:03d}.docx")
