"""The calling bar of the intake screen (D50), driven as a clerk does: F4 in the main window calls the next
ticket to this desk's counter, call again, skip; the dossier saved while a ticket is called is linked to it."""

from __future__ import annotations

from PyQt6.QtCore import Qt

from desk.config import Settings
from desk.models import QueueTicket
from desk.services import queue
from desk.services.kinds import TicketState
from desk.views.main_window import MainWindow
from tests.views.test_intake_view import THURSDAY, fill_applicant, make_ctx, show


def test_f4_calls_the_next_ticket_and_the_saved_dossier_is_linked(qtbot, office, tmp_path, finish, idle):
    settings = Settings()
    settings.queue_counter = 2
    ctx = make_ctx(tmp_path, settings=settings)
    for field in ("HT", "CT", "HT"):
        queue.take(field, clock=ctx.clock)
    window = show(qtbot, MainWindow(ctx))
    view = window.show_page("intake")
    bar = view.queue_bar
    idle()
    assert bar.number.text() == "—" and not bar.recall_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_F4)
    finish(bar.busy)
    assert bar.number.text() == "001" and bar.counter_label.text().endswith("2:") and "Hộ tịch" in bar.note.text()
    assert queue.status(clock=ctx.clock).serving[0].counter == 2
    finish(bar.recall())
    assert QueueTicket.get(QueueTicket.number == 1).calls == 2
    view.choose_procedure("T-KT")
    fill_applicant(view)
    code = finish(view.save()).result.code
    idle()
    row = QueueTicket.get(QueueTicket.number == 1)
    assert row.state == TicketState.SERVING and row.dossier.code == code
    assert bar.current is not None and bar.current.dossier_code == code
    assert not bar.skip_button.isEnabled()  # being served: not "not present"
    finish(bar.call_next())  # ticket 1 done, ticket 2 called
    assert bar.number.text() == "002"
    finish(bar.skip())
    assert bar.number.text() == "—" and "002" in bar.note.text()
    assert QueueTicket.get(QueueTicket.number == 2).state == TicketState.SKIPPED
    finish(bar.call_next())
    finish(bar.call_next())  # nobody left
    assert bar.current is None and bar.note.text() == view.queue_bar.note.text() != ""
    assert QueueTicket.get(QueueTicket.number == 3).state == TicketState.DONE
    assert THURSDAY.date() == queue.status(clock=ctx.clock).day


def test_the_desk_tab_keeps_the_counter_ticket_paper_and_sound(qtbot, office, tmp_path):
    from desk.config import config_path
    from desk.views.settings import SettingsView

    config_path().unlink(missing_ok=True)
    ctx = make_ctx(tmp_path, settings=Settings())
    view = SettingsView(ctx)
    qtbot.addWidget(view)
    tab = view.desk_tab
    assert (tab.queue_counter.value(), tab.ticket_paper.currentData(), tab.queue_sound.isChecked()) == (1, "80mm", True)
    tab.queue_counter.setValue(3)
    tab.ticket_paper.setCurrentIndex(tab.ticket_paper.findData("A6"))
    tab.queue_sound.setChecked(False)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    stored = Settings.load()
    assert (stored.queue_counter, stored.ticket_paper, stored.queue_sound) == (3, "A6", False)
