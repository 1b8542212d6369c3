"""Headless commands for admins and leaders; ``python main.py --help`` lists them."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime

from desk.i18n import _, set_language


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2, like every bad input
        self.exit(2, f"{self.prog}: {_('error')}: {message}\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): {text}").format(text=text)) from exc


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1900 <= year <= 2200:
        raise argparse.ArgumentTypeError(_("a year from 1900 to 2200: {text}").format(text=text))
    return year


def _datetime(text: str) -> datetime:
    from desk.services.clock import parse_datetime

    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("not a date-time (YYYY-MM-DDTHH:MM): {text}").format(text=text)) from exc


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="main.py", description=_("OneStop Desk: one-stop reception desk of a ward or commune office"))
    p.add_argument("--db", metavar="URL", help=_("database: sqlite:///file.db or postgresql://user@host/db"))
    p.add_argument("--user", default="admin", help=_("staff account acting (default: admin)"))
    p.add_argument("--lang", choices=("vi", "en"), help=_("language of messages"))
    p.add_argument("--camera", metavar="SPEC",
                   help=_("camera for scanning, for this run only: a device number (0, 1…) or fake:FOLDER "
                          "to play test images, e.g. fake:tests/data/frames"))
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("init", help=_("create or upgrade the database and load the seed catalog"))
    s.add_argument("--office-code", help=_("office identifier code used in dossier codes"))
    s.add_argument("--office-name")
    s.add_argument("--no-catalog", action="store_true", help=_("do not load the shipped catalog"))

    s = sub.add_parser("procedures", help=_("list the procedure catalog"))
    s.add_argument("--search", help=_("words to look for (diacritics optional)"))
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("receive", help=_("register a dossier and print it as JSON"))
    s.add_argument("--procedure", required=True, help=_("procedure code"))
    s.add_argument("--name", help=_("applicant's full name"))
    s.add_argument("--id-number", default="")
    s.add_argument("--birth-date", type=_date)
    s.add_argument("--gender", default="")
    s.add_argument("--address", default="")
    s.add_argument("--phone", default="")
    s.add_argument("--email", default="")
    s.add_argument("--cccd", help=_("QR payload of the citizen ID card; fills the applicant fields"))
    s.add_argument("--channel", default="direct", choices=("direct", "online", "postal"))
    s.add_argument("--point", help=_("reception point (name or id)"))
    s.add_argument("--return-point", help=_("where the result is returned (name or id)"))
    s.add_argument("--sets", type=int, default=1)
    s.add_argument("--writing-assistance", action="store_true")
    s.add_argument("--received-at", type=_datetime, help=_("ISO time received (office time); default now"))
    s.add_argument("--note", default="")

    s = sub.add_parser("advance", help=_("move a dossier to another status"))
    s.add_argument("code")
    s.add_argument("--to", required=True, help=_("processing, needs_supplement, resolved, returned, refused, withdrawn"))
    s.add_argument("--note", default="")
    s.add_argument("--at", type=_datetime)
    s.add_argument("--returned-to", default="", help=_("who collected the result"))

    s = sub.add_parser("apology", help=_("record an apology with a new return date"))
    s.add_argument("code")
    s.add_argument("--new-date", required=True, type=_datetime)
    s.add_argument("--reason", required=True)
    s.add_argument("--at", type=_datetime)

    s = sub.add_parser("show", help=_("print a dossier with its history as JSON"))
    s.add_argument("code")

    s = sub.add_parser("due", help=_("print the due moment for a procedure received at a given time"))
    s.add_argument("--procedure", required=True)
    s.add_argument("--received-at", required=True, type=_datetime)

    s = sub.add_parser("calendar", help=_("office days off and make-up working days"))
    cal = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for name, text in (("add-day-off", _("mark a day off")), ("add-working-day", _("mark a make-up working day")),
                       ("remove", _("remove the office's mark from a day"))):
        c = cal.add_parser(name, help=text)
        c.add_argument("day", type=_date)
        c.add_argument("--note", default="")
    c = cal.add_parser("list", help=_("list the office's marks and the public holidays of a year"))
    c.add_argument("--year", type=_year, default=datetime.now().year)

    s = sub.add_parser("parse-cccd", help=_("read a citizen ID card QR payload and print it as JSON"))
    s.add_argument("payload")

    s = sub.add_parser("slip", help=_("write an official slip of a dossier as .docx"))
    s.add_argument("code")
    s.add_argument("--form", default="01", choices=("01", "02", "03", "04", "05"),
                   help=_("01 receipt, 02 supplement request, 03 refusal, 04 apology, 05 process control slip"))
    s.add_argument("--out", required=True, help=_("the .docx file (or a folder) to write"))
    s.add_argument("--paper", default="A4", choices=("A4", "A5"), help=_("paper size of the receipt"))

    s = sub.add_parser("logbook", help=_("write the dossier log book (Mẫu 06) for a date range as .docx"))
    s.add_argument("--from", dest="date_from", required=True, type=_date)
    s.add_argument("--to", dest="date_to", required=True, type=_date)
    s.add_argument("--out", required=True)

    s = sub.add_parser("report", help=_("write the monthly statistics report (.xlsx)"))
    s.add_argument("--period", required=True, help=_("year and month, e.g. 2026-10"))
    s.add_argument("--cutoff", default="calendar", choices=("calendar", "15th"),
                   help=_("calendar month, or the 15th-to-14th reporting period of Decree 09/2019"))
    s.add_argument("--out", required=True, help=_("the .xlsx file to write"))
    s.add_argument("--field", help=_("only this field (code)"))
    s.add_argument("--json", action="store_true", help=_("also print the statistics as JSON"))

    s = sub.add_parser("kiosk", help=_("open the citizen pickup kiosk full screen (read-only)"))
    s.add_argument("--camera", metavar="SPEC", help=_("camera: 0, 1, ... or fake:FOLDER; default: handheld scanner"))
    s.add_argument("--timeout", type=float, default=20, metavar="SECONDS",
                   help=_("seconds before the kiosk returns to its start screen (default: 20)"))

    s = sub.add_parser("demo", help=_("fill the database with realistic generated dossiers"))
    s.add_argument("--dossiers", type=int, default=5000)
    s.add_argument("--months", type=int, default=18)
    s.add_argument("--seed", type=int, default=20261122)

    s = sub.add_parser("backup", help=_("write a verified backup of the database (SQLite file or pg_dump archive)"))
    s.add_argument("--out", required=True, help=_("the backup file to write"))

    s = sub.add_parser("restore", help=_("put a verified backup in place of the database; the previous content "
                                         "is kept as a before-restore copy"))
    s.add_argument("file", help=_("the backup file"))
    s.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    s.add_argument("--disconnect-desks", action="store_true",
                   help=_("PostgreSQL: end the sessions of desks still connected instead of refusing"))

    s = sub.add_parser("migrate-to", help=_("copy the whole database into another (empty) database, e.g. "
                                            "PostgreSQL, and verify it"))
    s.add_argument("url", help=_("target database: postgresql://user:pass@host/db"))
    return p


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    set_language(args.lang)
    if args.camera:
        import os

        os.environ["DESK_CAMERA"] = args.camera  # read by Settings.load() wherever the settings are used
    if args.command is None:
        from desk.app import run_gui

        return run_gui(args.db)
    if args.command == "kiosk":
        from desk.app import run_kiosk

        return run_kiosk(args.db, args.camera, args.timeout)

    from desk.services.errors import DeskError

    try:
        return _run(args)
    except DeskError as exc:
        print(f"{_('error')}: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from desk.config import resolve_database_url
    from desk.models.db import connect

    if args.command == "parse-cccd":
        return _parse_cccd(args)
    from desk.services.files import clean_program_folders

    clean_program_folders()  # what killed runs left in the program's folders
    if args.command == "restore":  # the target may not exist yet, or be damaged: nothing to open then
        from desk.services.backup import target_state

        url = resolve_database_url(args.db)
        actor = None
        if target_state(url) == "present":
            connect(url, create=False)
            actor = _actor(args)
        return _restore(args, url, actor)
    connect(resolve_database_url(args.db))
    handler = {
        "init": _init, "procedures": _procedures, "receive": _receive, "advance": _advance,
        "apology": _apology, "show": _show, "due": _due, "calendar": _calendar, "demo": _demo,
        "slip": _slip, "logbook": _logbook, "report": _report, "backup": _backup, "migrate-to": _migrate_to,
    }[args.command]
    return handler(args)


def _actor(args: argparse.Namespace):
    from desk.services.accounts import get_actor

    return get_actor(args.user)


def _init(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from desk.services.setup import OfficeDefaults, initialize

    defaults = OfficeDefaults()
    if args.office_code:
        defaults = replace(defaults, code=args.office_code)
    if args.office_name:
        defaults = replace(defaults, name=args.office_name)
    result = initialize(defaults, load_catalog=not args.no_catalog)
    summary = result["catalog"]
    print(_("Database ready. Office: {office}.").format(office=result["office"]))
    if summary is not None:
        print(_("Catalog: {summary}").format(summary=summary))
    return 0


def _procedures(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desk.services import catalog

    items = catalog.search_procedures(args.search, limit=1000) if args.search else catalog.list_procedures()
    if args.json:
        _print_json([asdict(p) for p in items])
    else:
        for p in items:
            days = _("same day") if p.processing_days == 0 else _("{n} working days").format(n=p.processing_days)
            print(f"{p.code:<14} {p.field_name:<22} {days:<20} {p.name}")
    return 0


def _receive(args: argparse.Namespace) -> int:
    from desk.services.errors import ValidationError
    from desk.services.identity import parse_cccd
    from desk.services.intake import Applicant, IntakeRequest, register

    applicant = Applicant(name=args.name or "", id_number=args.id_number, birth_date=args.birth_date,
                          gender=args.gender, address=args.address, phone=args.phone, email=args.email)
    if args.cccd:
        card = parse_cccd(args.cccd)
        if not card.id_number and not card.full_name:
            raise ValidationError({"cccd": "; ".join(card.problems)})
        applicant.name = applicant.name or card.full_name
        applicant.id_number = applicant.id_number or card.id_number
        applicant.birth_date = applicant.birth_date or card.birth_date
        applicant.gender = applicant.gender or card.gender
        applicant.address = applicant.address or card.address
    request = IntakeRequest(
        procedure_code=args.procedure, applicant=applicant, channel=args.channel,
        reception_point=args.point, return_point=args.return_point, sets=args.sets,
        writing_assistance=args.writing_assistance, received_at=args.received_at, notes=args.note,
    )
    info = register(request, actor=_actor(args))
    _print_json(info.to_json())
    return 0


def _advance(args: argparse.Namespace) -> int:
    from desk.services.lifecycle import advance

    info = advance(args.code, args.to, actor=_actor(args), note=args.note, at=args.at, returned_to=args.returned_to)
    _print_json(info.to_json())
    return 0


def _apology(args: argparse.Namespace) -> int:
    from desk.services.lifecycle import apologize

    info = apologize(args.code, args.new_date, reason=args.reason, actor=_actor(args), at=args.at)
    _print_json(info.to_json())
    return 0


def _show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desk.services.clock import Clock
    from desk.services.dossiers import get_dossier, history

    info = get_dossier(args.code)
    data = info.to_json(at=Clock().now())
    data["history"] = [{**asdict(e), "at": e.at.isoformat()} for e in history(args.code)]
    _print_json(data)
    return 0


def _due(args: argparse.Namespace) -> int:
    from desk.services.calendar import load_calendar
    from desk.services.catalog import get_procedure

    procedure = get_procedure(args.procedure)
    print(load_calendar().due_at(procedure, args.received_at).isoformat())
    return 0


def _calendar(args: argparse.Namespace) -> int:
    from desk.services import calendar

    if args.action == "list":
        cal = calendar.load_calendar()
        day = date(args.year, 1, 1)
        while day.year == args.year:
            info = cal.describe(day)
            if info.reason and (not info.working or day.weekday() >= 5 or day in cal.overrides):
                mark = _("working") if info.working else _("day off")
                print(f"{day.isoformat()} {mark:<10} {info.reason}")
            day = date.fromordinal(day.toordinal() + 1)
        return 0
    kind = {"add-day-off": "off", "add-working-day": "work", "remove": ""}[args.action]
    calendar.set_day(args.day, kind, args.note, by=_actor(args))
    print(_("Saved: {day}").format(day=args.day.isoformat()))
    return 0


def _parse_cccd(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desk.services.identity import parse_cccd

    card = parse_cccd(args.payload)
    data = asdict(card)
    data["problems"] = list(card.problems)
    _print_json(data)
    return 0 if card.ok else 2


def _slip(args: argparse.Namespace) -> int:
    from desk.services import documents

    kwargs = {"paper": args.paper} if args.form == "01" else {}
    path = documents.render_form(args.code, args.form, args.out, **kwargs)
    print(path)
    return 0


def _logbook(args: argparse.Namespace) -> int:
    from desk.services import documents

    print(documents.log_book(args.date_from, args.date_to, args.out))
    return 0


def _report(args: argparse.Namespace) -> int:
    from desk.services import reports
    from desk.services.accounts import require

    require(_actor(args), "leader")

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    path = reports.write_report(args.out, args.period, args.cutoff, field_code=args.field, progress=progress)
    print(file=sys.stderr)
    if args.json:
        _print_json(reports.compute_statistics(args.period, args.cutoff, field_code=args.field).to_json())
    print(path)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from desk.services.demo import generate

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    stats = generate(args.dossiers, months=args.months, seed=args.seed, progress=progress)
    print(file=sys.stderr)
    _print_json(stats)
    return 0


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _size(size: int) -> str:
    """A file size as people read it, in whole kB or MB (no decimal separator to localise)."""
    return f"{max(1, round(size / 1000))} kB" if size < 1_000_000 else f"{round(size / 1_000_000)} MB"


def _backup(args: argparse.Namespace) -> int:
    from desk.services.backup import backup

    try:
        info = backup(args.out, actor=_actor(args), progress=_progress)
    finally:
        if sys.stderr.isatty():
            print(file=sys.stderr)
    print(_("Backup written and verified: {path} ({size}), {dossiers} dossiers, {events} events.").format(
        path=info.path, size=_size(info.size), dossiers=info.counts.get("dossier", 0),
        events=info.counts.get("dossier_event", 0)))
    return 0


def _restore(args: argparse.Namespace, url: str, actor) -> int:
    from desk.models.db import redact
    from desk.services.backup import SHOWN_CODES, restore, verify_backup

    info = verify_backup(args.file)
    if not info.ok:
        print(f"{_('error')}: " + _("The backup {path} is not usable: {problems}. Nothing was changed.")
              .format(path=args.file, problems="; ".join(info.problems)), file=sys.stderr)
        return 2
    print(_("Backup {path}: {dossiers} dossiers, {events} events.").format(
        path=args.file, dossiers=info.counts.get("dossier", 0), events=info.counts.get("dossier_event", 0)),
        file=sys.stderr)
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"{_('error')}: " + _("Restoring replaces the database {url}. Add --yes to confirm.")
                  .format(url=redact(url)), file=sys.stderr)
            return 2
        answer = input(_("Replace the database {url} with this backup? Type yes to continue: ")
                       .format(url=redact(url)))
        if answer.strip().lower() not in ("yes", "y", "có", "co"):
            print(_("Cancelled; nothing was changed."), file=sys.stderr)
            return 1
    result = restore(args.file, target_url=url, actor=actor, disconnect=args.disconnect_desks)
    for who in result.disconnected:
        print(_("Disconnected the desk {who}.").format(who=who))
    print(_("Restored {path} into {url}.").format(path=args.file, url=redact(url)))
    if result.created:
        print(_("There was no database there; it was created from the backup."))
    if result.kept:
        print(_("The database as it was just before the restore is kept in {kept}.").format(kept=result.kept))
    if result.kept_problems:
        print(_("Warning: the database was already damaged before the restore: {problems}").format(
            problems="; ".join(result.kept_problems)), file=sys.stderr)
    if result.missing:
        shown = ", ".join(result.missing[:SHOWN_CODES]) + (" …" if len(result.missing) > SHOWN_CODES else "")
        print(_("{n} dossiers were in the database but are not in the backup: {codes}. They remain in {kept}; "
                "their codes will not be issued again.").format(n=len(result.missing), codes=shown, kept=result.kept))
    return 0


def _migrate_to(args: argparse.Namespace) -> int:
    from desk.services.migrate import migrate_to

    def progress(table: str, done: int, total: int) -> None:
        print(f"\r{table}: {done}/{total}   ", end="", file=sys.stderr, flush=True)

    report = migrate_to(args.url, progress=progress)
    print(file=sys.stderr)
    _print_json(report.to_json())
    return 0 if report.ok else 2
