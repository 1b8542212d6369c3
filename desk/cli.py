"""Headless commands for admins and leaders; ``python main.py --help`` lists them.

Every command that changes data or shows personal data first logs in the staff account named by
``--user``: the password is asked for on the terminal (not echoed) or read from ``DESK_PASSWORD``
(for scripts). Only OPEN_COMMANDS run without an account. ``init`` on a new database creates the
``admin`` account with a password chosen the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Never, Protocol

from desk.i18n import N_, N_plural, _, gettext, ngettext, set_language
from desk.redaction import redacts_stderr
from desk.services.kinds import Channel, Role, StopCase

if TYPE_CHECKING:
    from desk.services.clock import Clock

if TYPE_CHECKING:  # imported where used, at run time
    from desk.services.accounts import Actor
    from desk.services.attachments import AttachmentInfo

# argparse builds its messages in English with its own gettext domain, which nobody installs. Our parser
# gives them our catalog through public means only (D45): the help option, the usage prefix and the
# section headings in the help it formats (format_usage/format_help), and the error messages it hands
# to error(): those have a few known shapes, matched here and re-filled from the catalog. English needs
# nothing: a message of another shape (a future argparse's) stays English rather than wrong.
ARGPARSE_USAGE = N_("usage: ")
ARGPARSE_HEADINGS = (N_("positional arguments"), N_("options"))
ARGPARSE_ERRORS = (  # the shapes argparse 3.11-3.13 gives ArgumentParser.error(); "argument …:" wraps others
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unrecognized arguments: %s"), N_("expected one argument"), N_("expected at most one argument"),
    N_("expected at least one argument"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"), N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"), N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
)
ARGPARSE_PLURALS = (N_plural("expected %s argument", "expected %s arguments"),)
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sr]")


def _shape(template: str, count: bool = False) -> re.Pattern[str]:
    """The English message a printf-style template makes, as a pattern with one group per placeholder."""
    parts, last, text = [], 0, r"\d+" if count else ".+?"
    for i, hole in enumerate(_PLACEHOLDER.finditer(template)):
        parts.append(re.escape(template[last:hole.start()]))
        parts.append(f"(?P<{hole.group(1) or f'_{i}'}>{text})")
        last = hole.end()
    return re.compile("".join(parts) + re.escape(template[last:]) + r"\Z", re.DOTALL)


def _fill(template: str, values: dict[str, str]) -> str:
    """A translated template with the texts the English message had (already formatted, so %r is %s)."""
    holes = iter(range(len(values)))
    return _PLACEHOLDER.sub(lambda hole: values[hole.group(1) or f"_{next(holes)}"], template)


_SHAPES = [(template, _shape(template)) for template in ARGPARSE_ERRORS]
_PLURAL_SHAPES = [(pair, _shape(form, count=True)) for pair in ARGPARSE_PLURALS for form in pair]


def _argparse_message(message: str) -> str:
    """argparse's English error message in the desk's language; one of unknown shape unchanged."""
    for template, shape in _SHAPES:
        if found := shape.match(message):
            values = found.groupdict()
            if "message" in values:  # "argument X: <argparse's message, or ours from ArgumentTypeError>"
                values["message"] = _argparse_message(values["message"])
            return _fill(gettext(template), values)
    for (singular, plural), shape in _PLURAL_SHAPES:
        if found := shape.match(message):
            return _fill(ngettext(singular, plural, int(found["_0"])), found.groupdict())
    return message


def _argparse_help(text: str, prog: str) -> str:
    """argparse's formatted usage or help with its usage prefix and section headings in the desk's language."""
    lines = text.split("\n")
    english, ours = ARGPARSE_USAGE, gettext(ARGPARSE_USAGE)
    if lines[0].startswith(english + prog) and ours != english:
        end = next((i for i, line in enumerate(lines) if i and not line.startswith(" ")), len(lines))
        lines[:end] = _usage_rewrapped(lines[:end], prog, ours)
    headings = {f"{heading}:": f"{gettext(heading)}:" for heading in ARGPARSE_HEADINGS}
    return "\n".join(headings.get(line, line) for line in lines)


def _usage_items(text: str) -> list[str]:
    """The items of a usage line: split at the spaces outside brackets, where argparse may wrap it."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text + " "):
        depth += (char in "[(") - (char in "])")
        if char == " " and depth == 0:
            if i > start:
                items.append(text[start:i])
            start = i + 1
    return items


def _usage_rewrapped(lines: list[str], prog: str, ours: str) -> list[str]:
    """argparse's English usage lines with our longer prefix, laid out again by argparse's own rule, at its
    width (the terminal's less 2): prog then the options, the positionals from a new line, each part
    wrapped before an item that would pass the width; prog on a line of its own when it is long."""
    english, width = ARGPARSE_USAGE, shutil.get_terminal_size().columns - 2
    rows = [_usage_items(lines[0][len(english) + len(prog):])] + [_usage_items(line) for line in lines[1:]]
    parts = [rows[0]]
    for previous, row in zip(lines, rows[1:], strict=False):
        if row and parts[-1] and len(previous) + 1 + len(row[0]) > width:
            parts[-1] = parts[-1] + row  # argparse wrapped here for the width: one part
        else:
            parts.append(row)  # here a part began (the positionals), or prog stood alone
    parts = [part for part in parts if part]
    if len(parts) == 1:  # argparse did not wrap: the positionals start at the first plain item after no option
        items = parts[0]
        cut = next((i for i in range(1, len(items)) if items[i][0] not in "-[" and items[i - 1][0] != "-"),
                   len(items))
        parts = [items[:cut], items[cut:]]
    optionals, positionals = [item for part in parts[:-1] for item in part], parts[-1]
    if len(ours) + len(" ".join([prog, *optionals, *positionals])) <= width:
        return [" ".join([ours + prog, *optionals, *positionals])]

    def wrap(items: list[str], indent: int, first: str | None = None) -> list[str]:
        lines: list[str] = []
        line = [first] if first else []
        length = len(ours) + len(first) if first else indent - 1
        for item in items:
            if length + 1 + len(item) > width and line:
                lines.append(" ".join(line))
                line, length = [], indent - 1
            line.append(item)
            length += len(item) + 1
        if line:
            lines.append(" ".join(line))
        return [line if i == 0 and first else " " * indent + line for i, line in enumerate(lines)]

    if len(ours) + len(prog) <= 0.75 * width:
        indent = len(ours) + len(prog) + 1
        if optionals:
            wrapped = wrap(optionals, indent, prog) + wrap(positionals, indent)
        else:
            wrapped = wrap(positionals, indent, prog)
    else:
        indent = len(ours)
        wrapped = wrap(optionals + positionals, indent)
        if len(wrapped) > 1:
            wrapped = wrap(optionals, indent) + wrap(positionals, indent)
        wrapped = [prog, *wrapped]
    return [ours + wrapped[0], *wrapped[1:]]


def _language_in(args: Sequence[str]) -> str | None:
    """The --lang of a command line, read before parsing so that parse errors use it too."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None

PASSWORD_ENV = "DESK_PASSWORD"
# The per-dossier forms of `slip` and `print` (desk.services.documents.FORMS; tests/test_cli.py checks they agree).
SLIP_FORMS = ("01", "02", "03", "04", "05", "06")  # Circular 03/2025 numbering (D44)
# `stop --case` words (the command line's spelling) → the Art. 21 case stored.
STOP_CASES = {"applicant": StopCase.APPLICANT_REQUEST, "cannot-continue": StopCase.CANNOT_CONTINUE}
# Commands (and calendar actions) that change nothing and show no personal data: no account needed.
OPEN_COMMANDS = frozenset({"procedures", "due", "parse-cccd", "calendar list",
                           "queue take", "queue status"})  # the ticket kiosk's own work; numbers only
# The least role of each other command, checked once the account has logged in (the services check
# again); "init" on a new database is the exception: it creates the administrator.
COMMAND_ROLES = {
    "receive": Role.CLERK, "advance": Role.CLERK, "apology": Role.CLERK, "stop": Role.CLERK, "show": Role.CLERK,
    "slip": Role.CLERK,
    "attach": Role.CLERK,
    "print": Role.CLERK, "logbook": Role.CLERK, "report": Role.LEADER, "calendar": Role.LEADER, "init": Role.ADMIN,
    "demo": Role.ADMIN, "backup": Role.ADMIN, "restore": Role.ADMIN, "migrate-to": Role.ADMIN,
    "office show": Role.CLERK, "office set": Role.LEADER,
    "queue call": Role.CLERK, "queue recall": Role.CLERK, "queue skip": Role.CLERK,
    "queue group": Role.LEADER, "queue counter": Role.LEADER, "queue figures": Role.LEADER,
}


class _Writes(Protocol):
    """Where argparse's print_help/print_usage may be told to write."""

    def write(self, text: str, /) -> object: ...


class _Parser(argparse.ArgumentParser):
    """argparse speaking the desk's language (see ARGPARSE_ERRORS), and quiet into a closed pipe."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help, kwargs["add_help"] = kwargs.get("add_help", True), False
        super().__init__(*args, **kwargs)
        if add_help:  # argparse's own -h, with its help text from our catalog
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=_("show this help message and exit"))

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        listed = list(sys.argv[1:] if args is None else args)
        language = _language_in(listed)
        if language in ("vi", "en"):
            set_language(language)
        return super().parse_known_args(listed, namespace)

    def format_usage(self) -> str:
        return _argparse_help(super().format_usage(), self.prog)

    def format_help(self) -> str:
        return _argparse_help(super().format_help(), self.prog)

    def print_usage(self, file: _Writes | None = None) -> None:
        _write(self.format_usage(), file or sys.stdout)

    def print_help(self, file: _Writes | None = None) -> None:
        _write(self.format_help(), file or sys.stdout)

    def exit(self, status: int = 0, message: str | None = None) -> Never:
        if message:
            _write(message, sys.stderr)
        sys.exit(status)

    def error(self, message: str) -> Never:  # one line, exit code 2, like every bad input
        self.exit(2, f"{self.prog}: {_('error')}: {_argparse_message(message)}\n")


def _write(text: str, file: _Writes) -> None:
    """Help, usage or a usage error; into a closed pipe (``main.py --help | head -1``) it ends quietly."""
    try:
        file.write(text)
        flush = getattr(file, "flush", None)
        if flush is not None:
            flush()
    except BrokenPipeError:
        _silence_stdout()


def _integer(text: str) -> int:
    """A whole number (the service checks its range); a one-line usage error otherwise."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a whole number: {text}").format(text=text[:40])) from None


def _port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    value = _integer(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(_("a port number from 1 to 65535: {text}").format(text=text[:40]))
    return value


def _proxy_count(text: str) -> int:
    """How many reverse proxies stand in front of lookup-server, 0 to 10."""
    value = _integer(text)
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(_("a number of proxies from 0 to 10: {text}").format(text=text[:40]))
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 1 <= value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(_("a number of seconds from 1 to 3600: {text}").format(text=text[:40]))
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): {text}").format(text=text[:40])) from exc


def _year(text: str) -> int:
    from desk.services.limits import FIRST_YEAR, LAST_YEAR, year_in_range

    try:
        year = int(text)
    except ValueError:
        year = 0
    if not year_in_range(year):
        raise argparse.ArgumentTypeError(_("a year from {first} to {last}: {text}").format(
            first=FIRST_YEAR, last=LAST_YEAR, text=text[:40]))
    return year


def _datetime(text: str) -> datetime:
    from desk.services.clock import parse_datetime

    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("not a date-time (YYYY-MM-DDTHH:MM): {text}").format(text=text[:40])) from exc


def _program_name() -> str:
    """``onestop-desk`` for the installed command and the bundle, ``main.py`` in a checkout."""
    name = (sys.argv[0] if sys.argv else "").replace("\\", "/").rsplit("/", 1)[-1]
    return "onestop-desk" if name.lower().startswith("onestop-desk") else "main.py"


def build_parser() -> argparse.ArgumentParser:
    """The command line: the global options, then the commands by what they work on (the order of --help)."""
    p = _Parser(prog=_program_name(), description=_("OneStop Desk: one-stop reception desk of a ward or commune office"))
    _global_options(p)
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    _setup_commands(sub.add_parser)
    _dossier_commands(sub.add_parser)
    _office_commands(sub.add_parser)
    _paper_commands(sub.add_parser)
    _machine_commands(sub.add_parser)
    return p


# sub.add_parser of the top-level parser: each group of commands adds its own.
_AddCommand = Callable[..., argparse.ArgumentParser]


def _global_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help=_("database: sqlite:///file.db or postgresql://user@host/db"))
    p.add_argument("--user", metavar="NAME",
                   help=_("staff account that acts; its password is asked for, or read from DESK_PASSWORD"))
    p.add_argument("--lang", choices=("vi", "en"), help=_("language of messages"))
    p.add_argument("--camera", metavar="SPEC",
                   help=_("camera for scanning, for this run only: a device number (0, 1…) or fake:FOLDER "
                          "to play test images, e.g. fake:tests/data/frames"))


def _setup_commands(add: _AddCommand) -> None:
    """Creating the database and reading its catalog."""
    s = add("init", help=_("create or upgrade the database and load the seed catalog"))
    s.add_argument("--office-code", help=_("office identifier code used in dossier codes (Decision 20/2020/QĐ-TTg); "
                                           "with --office-name it sets the office up in the same step"))
    s.add_argument("--office-name", help=_("the office's name, e.g. \"UBND xã …\""))
    s.add_argument("--parent", default="", help=_("superior authority, the first header line, e.g. \"UBND TỈNH …\" "
                                                  "(may stay empty)"))
    s.add_argument("--no-catalog", action="store_true", help=_("do not load the shipped catalog"))
    s.add_argument("--desk-role", metavar="NAME",
                   help=_("PostgreSQL: also set up a login role for the desks that owns nothing (password from "
                          "DESK_ROLE_PASSWORD or asked)"))

    s = add("procedures", help=_("list the procedure catalog"))
    s.add_argument("--search", help=_("words to look for (diacritics optional)"))
    s.add_argument("--json", action="store_true")


def _dossier_commands(add: _AddCommand) -> None:
    """A dossier's life: register, advance, apologize, show; and the due moment of a procedure."""
    s = add("receive", help=_("register a dossier and print it as JSON"))
    s.add_argument("--procedure", required=True, help=_("procedure code"))
    s.add_argument("--name", help=_("applicant's full name"))
    s.add_argument("--id-number", default="")
    s.add_argument("--birth-date", type=_date)
    s.add_argument("--gender", default="")
    s.add_argument("--address", default="")
    s.add_argument("--phone", default="")
    s.add_argument("--email", default="")
    s.add_argument("--cccd", help=_("QR payload of the citizen ID card; fills the applicant fields"))
    s.add_argument("--channel", default=Channel.DIRECT.value, choices=[c.value for c in Channel])
    s.add_argument("--point", help=_("reception point (name or id)"))
    s.add_argument("--return-point", help=_("where the result is returned (name or id)"))
    s.add_argument("--sets", type=_integer, default=1)
    s.add_argument("--writing-assistance", action="store_true")
    s.add_argument("--received-at", type=_datetime, help=_("ISO time received (office time); default now"))
    s.add_argument("--note", default="")

    s = add("advance", help=_("move a dossier to another status"))
    s.add_argument("code")
    s.add_argument("--to", required=True, help=_("processing, needs_supplement, resolved, returned, refused, withdrawn"))
    s.add_argument("--note", default="")
    s.add_argument("--at", type=_datetime)
    s.add_argument("--returned-to", default="", help=_("who collected the result"))

    s = add("apology", help=_("record an apology with a new return date"))
    s.add_argument("code")
    s.add_argument("--new-date", required=True, type=_datetime)
    s.add_argument("--reason", required=True)
    s.add_argument("--at", type=_datetime)

    s = add("stop", help=_("stop handling a dossier (Decree 118/2025 Art. 21; notice: form 05)"))
    s.add_argument("code")
    s.add_argument("--reason", required=True)
    s.add_argument("--case", default="applicant", choices=sorted(STOP_CASES),
                   help=_("applicant: the applicant asks to stop or withdraw; cannot-continue: the dossier cannot "
                          "lawfully be handled further"))
    s.add_argument("--at", type=_datetime)

    s = add("show", help=_("print a dossier with its history and attached files as JSON"))
    s.add_argument("code")

    s = add("attach", help=_("attach a scanned file (PDF, JPEG, PNG) to a dossier's component or its result"))
    s.add_argument("code")
    s.add_argument("file", type=Path)
    which = s.add_mutually_exclusive_group(required=True)
    which.add_argument("--component", type=int, metavar="N", help=_("the component's number on the slip (1, 2, ...)"))
    which.add_argument("--result", action="store_true", help=_("the file is the dossier's result"))

    s = add("due", help=_("print the due moment for a procedure received at a given time"))
    s.add_argument("--procedure", required=True)
    s.add_argument("--received-at", required=True, type=_datetime)


def _office_commands(add: _AddCommand) -> None:
    """The office's calendar and identity."""
    s = add("calendar", help=_("office days off and make-up working days"))
    cal = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for name, text in (("add-day-off", _("mark a day off")), ("add-working-day", _("mark a make-up working day")),
                       ("remove", _("remove the office's mark from a day"))):
        c = cal.add_parser(name, help=text)
        c.add_argument("day", type=_date)
        c.add_argument("--note", default="")
    c = cal.add_parser("list", help=_("list the office's marks and the public holidays of a year"))
    c.add_argument("--year", type=_year, default=None)  # None: this year by the command's clock

    s = add("office", help=_("the office's identity: show it, or set it (needed before the first dossier)"))
    off = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    o = off.add_parser("show", help=_("show the office's identity, whether it is set up, and its reception points"))
    o.add_argument("--json", action="store_true")
    o = off.add_parser("set", help=_("set the office's identity (leader or administrator)"))
    o.add_argument("--code", help=_("identifier code: at most 35 characters of 0-9, A-Z and \".\""))
    o.add_argument("--name", help=_("the office's name, e.g. \"UBND xã …\""))
    o.add_argument("--parent", help=_("superior authority, the first header line, e.g. \"UBND TỈNH …\""))
    o.add_argument("--address")
    o.add_argument("--phone")
    o.add_argument("--place", help=_("the place in the date line of documents, e.g. the province"))
    o.add_argument("--lookup-url", metavar="URL",
                   help=_("the office's public look-up address, e.g. https://tracuu.example.gov.vn: slips' QR codes "
                          "then open the look-up page on a phone (\"\" removes it)"))

    s = add("queue", help=_("the waiting room: take a ticket, call the next one to a counter, show the queue"))
    q = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    t = q.add_parser("take", help=_("take a ticket of a field (as the ticket kiosk does)"))
    t.add_argument("--field", required=True, metavar="CODE", help=_("field or ticket group code, e.g. HT"))
    t.add_argument("--print", action="store_true", help=_("also print the ticket on the desk's printer"))
    t.add_argument("--printer", default="", metavar="NAME", help=_("printer name; default: the system's default printer"))
    t.add_argument("--paper", choices=("80mm", "A6"), default="80mm",
                   help=_("ticket paper: an 80 mm receipt roll or A6 (default: 80mm)"))
    for name, text in (("call", _("finish the counter's ticket and call the next one waiting")),
                       ("recall", _("call the counter's ticket once more")),
                       ("skip", _("the called citizen is not present: skip the counter's ticket"))):
        c = q.add_parser(name, help=text)
        c.add_argument("--counter", required=True, type=_integer, metavar="N", help=_("counter number"))
    c = q.add_parser("status", help=_("tickets waiting per field and the ticket at each counter"))
    c.add_argument("--json", action="store_true")
    c = q.add_parser("figures", help=_("waiting and service times per field and day (leader)"))
    c.add_argument("--from", dest="date_from", required=True, type=_date)
    c.add_argument("--to", dest="date_to", required=True, type=_date)
    c.add_argument("--out", help=_("also write them as an .xlsx sheet"))
    c = q.add_parser("group", help=_("add or change a button of the ticket kiosk (leader)"))
    c.add_argument("--code", required=True, help=_("the group's code, e.g. HT"))
    c.add_argument("--name", required=True, help=_("the name on the button, e.g. \"Hộ tịch\""))
    c.add_argument("--field", dest="fields", action="append", default=[], metavar="CODE", required=True,
                   help=_("a catalog field the group covers; repeat for several"))
    c.add_argument("--prefix", default="", help=_("ticket prefix, e.g. HT for HT-012 (default: none)"))
    c.add_argument("--order", type=_integer, default=0, help=_("position on the kiosk"))
    c = q.add_parser("counter", help=_("say which ticket groups a counter calls (leader)"))
    c.add_argument("--counter", required=True, type=_integer, metavar="N", help=_("counter number"))
    c.add_argument("--group", dest="groups", action="append", default=[], metavar="CODE",
                   help=_("a group the counter calls; repeat for several; none: every group"))


def _paper_commands(add: _AddCommand) -> None:
    """What is read from paper or written for it: the card's QR code, the slips, the log book, the report."""
    s = add("parse-cccd", help=_("read a citizen ID card QR payload and print it as JSON"))
    s.add_argument("payload")

    s = add("slip", help=_("write an official slip of a dossier as .docx"))
    s.add_argument("code")
    _form_option(s)
    s.add_argument("--out", required=True, help=_("the .docx file (or a folder) to write"))
    s.add_argument("--paper", choices=("A4", "A5"), help=_("paper size of the receipt (form 01 only; default A4)"))

    s = add("print", help=_("write an official slip of a dossier and print it"))
    s.add_argument("code")
    _form_option(s)
    s.add_argument("--printer", default="", metavar="NAME", help=_("printer name; default: the system's default printer"))
    s.add_argument("--paper", choices=("A4", "A5"), help=_("paper size of the receipt (form 01 only; default A4)"))
    s.add_argument("--out", help=_("the .docx file (or a folder) to write; default: today's folder of slips"))
    s.add_argument("--json", action="store_true", help=_("print the result as JSON"))

    s = add("logbook", help=_("write the dossier log book (Mẫu 07) for a date range as .docx"))
    s.add_argument("--from", dest="date_from", required=True, type=_date)
    s.add_argument("--to", dest="date_to", required=True, type=_date)
    s.add_argument("--out", required=True)
    s.add_argument("--field", dest="fields", action="append", default=[], metavar="CODE",
                   help=_("keep the book to this field (code); repeat for a group of fields"))

    s = add("report", help=_("write the monthly statistics report (.xlsx)"))
    s.add_argument("--period", required=True, help=_("year and month, e.g. 2026-10"))
    s.add_argument("--cutoff", default="calendar", choices=("calendar", "15th"),
                   help=_("calendar month, or the 15th-to-14th reporting period of Decree 09/2019"))
    s.add_argument("--out", required=True, help=_("the .xlsx file to write"))
    s.add_argument("--field", help=_("only this field (code)"))
    s.add_argument("--json", action="store_true", help=_("also print the statistics as JSON"))


def _form_option(s: argparse.ArgumentParser) -> None:
    """--form of `slip` and `print`: the per-dossier forms (desk.services.documents.FORMS)."""
    s.add_argument("--form", default="01", choices=SLIP_FORMS,
                   help=_("01 receipt, 02 supplement request, 03 refusal, 04 apology and extension, 05 stop notice, "
                          "06 process control slip"))


def _machine_commands(add: _AddCommand) -> None:
    """The pickup kiosk, and the care of the database: demo data, backup, restore, migration."""
    s = add("kiosk", help=_("open the citizen pickup kiosk full screen (read-only)"))
    s.add_argument("--camera", metavar="SPEC", help=_("camera: 0, 1, ... or fake:FOLDER; default: handheld scanner"))
    s.add_argument("--timeout", type=_seconds, default=20, metavar="SECONDS",
                   help=_("seconds before the kiosk returns to its start screen (default: 20)"))

    s = add("ticket-kiosk", help=_("open the ticket kiosk full screen: citizens take a queue number by field"))
    s = add("queue-display", help=_("open the calling display full screen (a TV in the waiting room)"))
    s.add_argument("--quiet", action="store_true", help=_("no chime and no voice for this run"))
    s = add("lookup-server", help=_("serve the citizens' look-up pages (a slip's QR link) on the office's "
                                     "database, read-only; put it behind the office's HTTPS reverse proxy"))
    s.add_argument("--host", default="127.0.0.1",
                   help=_("address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0: every network)"))
    s.add_argument("--port", type=_port, default=8080, help=_("port to listen on (default: 8080)"))
    s.add_argument("--trusted-proxy", dest="trusted_proxies", type=_proxy_count, default=0, metavar="COUNT",
                   help=_("number of the office's reverse proxies in front: the client address is then read "
                          "from X-Forwarded-For (default: 0, the header is ignored)"))

    s = add("demo", help=_("fill the database with realistic generated dossiers"))
    s.add_argument("--dossiers", type=_integer, default=5000)
    s.add_argument("--months", type=_integer, default=18)
    s.add_argument("--seed", type=_integer, default=20261122)

    s = add("backup", help=_("write a verified backup of the database (SQLite file or pg_dump archive)"))
    s.add_argument("--out", required=True, help=_("the backup file to write"))

    s = add("restore", help=_("put a verified backup in place of the database; the previous content "
                                         "is kept as a before-restore copy"))
    s.add_argument("file", help=_("the backup file"))
    s.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    s.add_argument("--disconnect-desks", action="store_true",
                   help=_("PostgreSQL: end the sessions of desks still connected instead of refusing"))

    s = add("migrate-to", help=_("copy the whole database into another (empty) database, e.g. "
                                            "PostgreSQL, and verify it"))
    s.add_argument("url", help=_("target database: postgresql://user:pass@host/db"))


def _silence_stdout() -> None:
    """The reader of our output went away (``… | head -1``): send the rest, and the exit flush, nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's StringIO)
        pass
    finally:
        os.close(devnull)


def _emit(text: object = "") -> None:
    """One result line(s) on stdout. A closed pipe is not an error: the work is done and saved, so the
    command still ends normally (exit 0) and quietly, instead of a BrokenPipeError traceback that
    would make a script believe nothing was saved and register the dossier twice."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _print_json(data: object) -> None:
    _emit(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@redacts_stderr  # no database password reaches stderr: messages, warnings and tracebacks alike
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
    if args.command in ("ticket-kiosk", "queue-display"):
        from desk.app import run_queue_display, run_ticket_kiosk

        return run_ticket_kiosk(args.db) if args.command == "ticket-kiosk" else run_queue_display(args.db, args.quiet)

    if args.command == "lookup-server":
        from desk.app import run_lookup_server

        return run_lookup_server(args.db, args.host, args.port, args.trusted_proxies)

    from desk.errors import DeskError

    try:
        return _run(args)
    except DeskError as exc:
        print(f"{_('error')}: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from desk.config import resolve_database_url
    from desk.models.db import connect
    from desk.services.clock import Clock

    args.clock = Clock()  # the command's one clock: every "now" of this run comes from it

    if args.command == "parse-cccd":
        return _parse_cccd(args)
    from desk.services.files import clean_program_folders

    clean_program_folders()  # what killed runs left in the program's folders
    if args.command == "restore":  # the target may not exist yet, or be damaged: nothing to open then
        url = resolve_database_url(args.db)
        return _restore(args, url, _restore_actor(args, url))
    url = resolve_database_url(args.db)
    if args.command == "init" and args.desk_role:  # refused before anything is created
        from desk.models.db import check_desk_role, make_database

        check_desk_role(args.desk_role.strip(), make_database(url))
    # Only init makes a new database; any other command on a missing file or empty schema says so.
    connect(url, allow_new=args.command == "init")
    if args.command == "init":  # on a new database nobody can log in yet: init makes the administrator
        return _init(args)
    key = f"{args.command} {args.action}" if args.command in ("calendar", "office", "queue") else args.command
    actor = None if key in OPEN_COMMANDS else _login(args, COMMAND_ROLES.get(key) or COMMAND_ROLES[args.command])
    handler = {
        "office": _office, "procedures": _procedures, "receive": _receive, "advance": _advance,
        "apology": _apology, "stop": _stop, "show": _show, "attach": _attach, "due": _due, "calendar": _calendar, "demo": _demo,
        "slip": _slip, "print": _print, "logbook": _logbook, "queue": _queue, "report": _report, "backup": _backup, "migrate-to": _migrate_to,
    }[args.command]
    return handler(args, actor)


# -- who acts ---------------------------------------------------------------------------------
def _password(prompt: str) -> str:
    """DESK_PASSWORD when set (scripts), else asked on the terminal without echo."""
    import getpass

    from desk.errors import DeskError

    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise DeskError(_("No password: run the command in a terminal to be asked for it, or set DESK_PASSWORD."))
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt) as exc:
        raise DeskError(_("No password was given; nothing was done.")) from exc


def _login(args: argparse.Namespace, role: Role, username: str | None = None) -> Actor:
    """Log in the account named by --user with its password, or stop with one line (exit 2).

    A wrong password counts towards the lock like one typed in the window; an inactive or locked
    account, or one whose password an administrator set and its owner has not yet replaced, is
    refused. Nothing has been done when this fails.
    """
    from desk.errors import PermissionDenied
    from desk.services import accounts

    username = (username or args.user or "").strip()
    if not username:
        raise PermissionDenied(_("This command needs a staff account: add --user NAME before the command (the "
                                 "password is asked for, or read from DESK_PASSWORD)."))
    actor = accounts.login(username, _password(_("Password of {user}: ").format(user=username)), clock=args.clock)
    if accounts.needs_new_password(actor):
        raise PermissionDenied(_("The password of {user} was set by someone else. Log in once in the program to "
                                 "choose your own, then use the command line.").format(user=username))
    accounts.require(actor, role)
    return actor


def _new_admin_password() -> str:
    """The first administrator's password: DESK_PASSWORD, or typed twice on the terminal."""
    import getpass

    from desk.errors import DeskError, ValidationError
    from desk.services.accounts import check_new_password

    if PASSWORD_ENV in os.environ:
        password = os.environ[PASSWORD_ENV]
    elif not sys.stdin.isatty():
        raise DeskError(_("Choose the administrator's password: run init in a terminal to be asked for it, or set "
                          "DESK_PASSWORD. Nothing was done."))
    else:
        try:
            password = getpass.getpass(_("Choose the password of the administrator account admin "
                                         "(at least 8 characters): "))
            again = getpass.getpass(_("Type it again: "))
        except (EOFError, KeyboardInterrupt) as exc:
            raise DeskError(_("No password was given; nothing was done.")) from exc
        if password != again:
            raise ValidationError({"password": _("The two passwords are different")})
    check_new_password(password)
    return password


def _init(args: argparse.Namespace) -> int:
    """New database: create the office and the admin account with a chosen password. Existing one: an
    administrator logs in, and init adds what is missing; it never creates a second office."""
    from dataclasses import replace

    from desk.errors import PermissionDenied, ValidationError
    from desk.services import accounts
    from desk.services.setup import OfficeDefaults, initialize, needs_setup

    defaults = OfficeDefaults()
    if args.office_code or args.office_name:  # both or neither: the service says which one is missing
        defaults = replace(defaults, code=args.office_code or "", name=args.office_name or "",
                           parent_name=args.parent or "")
    load = not args.no_catalog
    role_password = _desk_role_password(args.desk_role) if args.desk_role else ""
    if needs_setup():
        if (args.user or "admin").strip() != "admin":
            raise ValidationError({"user": _("The first account of a new database is admin: run init without "
                                             "--user. Nothing was done.")})
        password = _new_admin_password()
        try:
            result = initialize(defaults, actor=None, admin_password=password, load_catalog=load, clock=args.clock)
            actor = _admin_of_new_database(password) if args.desk_role else None
        except PermissionDenied:  # another init set the database up meanwhile: log in to its admin
            actor = _admin_of_new_database(password)
            result = initialize(defaults, actor=actor, load_catalog=load, clock=args.clock)
    elif accounts.first_start_pending():  # set up by the program, whose first start never came
        actor = accounts.set_first_admin_password(_new_admin_password())
        result = initialize(defaults, actor=actor, load_catalog=load, clock=args.clock)
    else:
        actor = _login(args, Role.ADMIN)  # initialize refuses another identity for a set-up office
        result = initialize(defaults, actor=actor, load_catalog=load, clock=args.clock)
    if result["created"]:
        _emit(_("Administrator account: admin."))
    summary = result["catalog"]
    if result["set_up"]:
        _emit(_("Database ready. Office: {office}.").format(office=result["office"]))
    else:
        from desk.services.office import not_set_up_message

        _emit(_("Database ready.") + " " + not_set_up_message())
    _emit_collation()
    if summary is not None:
        _emit(_("Catalog: {fields} and {procedures} added, {updated} updated, {unchanged} unchanged.").format(
            fields=ngettext("{n} field", "{n} fields", summary.fields_created).format(n=summary.fields_created),
            procedures=ngettext("{n} procedure", "{n} procedures", summary.procedures_created).format(
                n=summary.procedures_created),
            updated=summary.fields_updated + summary.procedures_updated,
            unchanged=summary.fields_unchanged + summary.procedures_unchanged))
    if args.desk_role:
        from desk.services.setup import create_desk_role

        assert actor is not None  # a desk role asked for: logged in above on every path
        created = create_desk_role(args.desk_role, role_password, by=actor)
        text = _("Desk role {name} created") if created else _("Desk role {name} updated")
        _emit(_("{done}: it can read and add dossiers and events but owns nothing (cannot alter, truncate, "
                "drop or disable triggers).").format(done=text.format(name=args.desk_role)))
    return 0


def _emit_collation() -> None:
    """PostgreSQL: the database's collation, and that the dossier's keys compare in code-point order anyway
    (ensure_schema made them so, D35); an office's server is often not in the C collation."""
    from desk.models.db import is_postgres, pg_collation

    if not is_postgres():
        return
    collation, unordered = pg_collation()
    if unordered:  # cannot follow an init that succeeded, which brought the schema up to date
        _emit(_("Database collation: {collation}. These dossier columns do not compare in code-point order: "
                "{columns}; searching them will be slow.").format(collation=collation, columns=", ".join(unordered)))
        return
    _emit(_("Database collation: {collation}. Dossier codes, names and ID and phone numbers compare in code-point "
            "order (C) with their own indexes, so searching and sorting work as on SQLite.").format(collation=collation))


def _admin_of_new_database(password: str) -> Actor:
    from desk.services import accounts

    actor = accounts.login("admin", password)
    accounts.require(actor, Role.ADMIN)
    return actor


def _desk_role_password(name: str) -> str:
    """DESK_ROLE_PASSWORD for scripts, otherwise asked twice on the terminal; never on the command line."""
    import os

    from desk.errors import DeskError

    password = os.environ.get("DESK_ROLE_PASSWORD", "")
    if password:
        return password
    if not sys.stdin.isatty():
        raise DeskError(_("Set DESK_ROLE_PASSWORD or run init in a terminal to type the password of {name}.")
                        .format(name=name))
    from getpass import getpass

    first = getpass(_("Password for the desk role {name}: ").format(name=name))
    if not first or getpass(_("The same password again: ")) != first:
        raise DeskError(_("The passwords are empty or differ; nothing was changed."))
    return first


def _office(args: argparse.Namespace, actor) -> int:
    from dataclasses import replace

    from desk.errors import ValidationError
    from desk.services import office

    status = office.office_status()
    if args.action == "set":
        given = {"code": args.code, "name": args.name, "parent_name": args.parent, "address": args.address,
                 "phone": args.phone, "place_name": args.place, "lookup_url": args.lookup_url}
        if not status.set_up:  # who the office is, said by a person now: nothing is taken from before
            missing = {key: text for key, text in (("code", _("--code CODE is required")),
                                                   ("name", _("--name NAME is required"))) if not given[key]}
            if missing:
                raise ValidationError(missing)
            base = replace(status.settings, code="", name="", parent_name="", address="", phone="", place_name="",
                           lookup_url="")
            settings = replace(base, **{k: v for k, v in given.items() if v is not None})
            office.set_up_office(settings, by=actor, clock=args.clock)
        else:
            office.update_office(replace(status.settings, **{k: v for k, v in given.items() if v is not None}),
                                 by=actor, clock=args.clock)
        status = office.office_status()
    if getattr(args, "json", False):
        _print_json(status.to_json())
        return 0
    s = status.settings
    days = dict(enumerate((_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
                           _("Sunday"))))
    rows = [(_("Office name"), s.name), (_("Superior authority"), s.parent_name), (_("Identifier code"), s.code),
            (_("Address"), s.address), (_("Phone"), s.phone), (_("Place name"), s.place_name),
            (_("Office hours"), s.hours), (_("Public look-up address"), s.lookup_url),
            (_("No-appointment weekday"), ", ".join(
                days[d] for d in sorted(office.parse_weekdays(s.no_appointment_weekdays, lenient=True))))]
    for label, value in rows:
        _emit(f"{label}: {value or '—'}")
    if status.demo:
        _emit(_("State: demo office (its documents are marked as sample data)"))
    elif status.set_up and status.set_up_at:
        _emit(_("State: set up on {day}").format(day=f"{status.set_up_at:%d/%m/%Y %H:%M}"))
    else:
        _emit(_("State: NOT SET UP.") + " " + office.not_set_up_message())
    _emit(_("Reception points:") + ("" if status.points else " —"))
    for p in status.points:
        state = "" if p.active else " " + _("(inactive)")
        _emit(f"  {p.id}. {p.name} [{p.kind}] {office.format_weekdays(p.weekdays)} {p.hours}{state}")
    return 0


def _procedures(args: argparse.Namespace, actor=None) -> int:
    from dataclasses import asdict

    from desk.services import catalog
    from desk.services.calendar import processing_time_label

    items = catalog.search_procedures(args.search, limit=1000) if args.search else catalog.list_procedures()
    if args.json:
        _print_json([asdict(p) for p in items])
    else:
        for p in items:
            days = processing_time_label(p.processing_days, p.day_unit, p.cutoff)
            _emit(f"{p.code:<14} {p.field_name:<22} {days:<20} {p.name}")
    return 0


def _receive(args: argparse.Namespace, actor) -> int:
    from desk.errors import ValidationError
    from desk.services.identity import parse_cccd
    from desk.services.intake import Applicant, IntakeRequest, register

    applicant = Applicant(name=args.name or "", id_number=args.id_number, birth_date=args.birth_date,
                          gender=args.gender, address=args.address, phone=args.phone, email=args.email)
    if args.cccd:
        card = parse_cccd(args.cccd, clock=args.clock)
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
    info = register(request, actor=actor, clock=args.clock)
    _print_json(info.to_json())
    return 0


def _advance(args: argparse.Namespace, actor) -> int:
    from desk.services.lifecycle import advance

    info = advance(args.code, args.to, actor=actor, note=args.note, at=args.at, returned_to=args.returned_to,
                   clock=args.clock)
    _print_json(info.to_json())
    return 0


def _apology(args: argparse.Namespace, actor) -> int:
    from desk.services.lifecycle import apologize

    info = apologize(args.code, args.new_date, reason=args.reason, actor=actor, at=args.at, clock=args.clock)
    _print_json(info.to_json())
    return 0


def _stop(args: argparse.Namespace, actor) -> int:
    from desk.services.lifecycle import stop

    info = stop(args.code, reason=args.reason, case=STOP_CASES[args.case], actor=actor, at=args.at, clock=args.clock)
    _print_json(info.to_json())
    return 0


def _show(args: argparse.Namespace, actor) -> int:
    from dataclasses import asdict

    from desk.services.attachments import list_attachments
    from desk.services.dossiers import get_dossier, history

    info = get_dossier(args.code, actor=actor)
    data = info.to_json(at=args.clock.now())
    data["history"] = [{**asdict(e), "at": e.at.isoformat()} for e in history(args.code, actor=actor)]
    data["attachments"] = [_attachment_json(a) for a in list_attachments(args.code, actor=actor)]
    _print_json(data)
    return 0


def _attachment_json(info: AttachmentInfo) -> dict:
    """An attached file as show and attach print it: name, component (null: the result), bytes, sha256."""
    from dataclasses import asdict

    return {**asdict(info), "added_at": info.added_at.isoformat()}


def _attach(args: argparse.Namespace, actor) -> int:
    from desk.services.attachments import attach

    info = attach(args.code, args.file, component=args.component, result=args.result, actor=actor, clock=args.clock)
    _print_json(_attachment_json(info))
    return 0


def _due(args: argparse.Namespace, actor=None) -> int:
    from desk.services.calendar import load_calendar
    from desk.services.catalog import get_procedure

    procedure = get_procedure(args.procedure)
    _emit(load_calendar().due_at(procedure, args.received_at).isoformat())
    return 0


def _calendar(args: argparse.Namespace, actor) -> int:
    from desk.services import calendar

    if args.action == "list":
        cal = calendar.load_calendar()
        year = args.year or args.clock.today().year
        day = date(year, 1, 1)
        while day.year == year:
            info = cal.describe(day)
            if info.reason and (not info.working or day.weekday() >= 5 or day in cal.overrides):
                mark = _("working") if info.working else _("day off")
                _emit(f"{day.isoformat()} {mark:<10} {info.reason}")
            day = date.fromordinal(day.toordinal() + 1)
        return 0
    kind = {"add-day-off": "off", "add-working-day": "work", "remove": ""}[args.action]
    calendar.set_day(args.day, kind, args.note, by=actor)
    _emit(_("Saved: {day}").format(day=args.day.isoformat()))
    return 0


def _parse_cccd(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desk.services.identity import parse_cccd

    card = parse_cccd(args.payload, clock=args.clock)
    if not card.ok:  # like every refusal: the reasons on one line of stderr, nothing on stdout
        print(f"{_('error')}: {'; '.join(card.problems)}", file=sys.stderr)
        return 2
    data = asdict(card)
    data["problems"] = list(card.problems)
    _print_json(data)
    return 0


def _form_options(args: argparse.Namespace) -> dict[str, Any]:
    """The receipt's paper; refused for the other forms, which have one size."""
    from desk.errors import ValidationError

    if args.paper and args.form != "01":
        raise ValidationError({"paper": _("--paper is for the receipt (form 01) only; form {form} is printed on "
                                          "A4").format(form=args.form)})
    return {"paper": args.paper or "A4"} if args.form == "01" else {}


def _slip(args: argparse.Namespace, actor) -> int:
    from desk.services import documents
    from desk.services.output import check_output_path

    kwargs = _form_options(args)
    out = check_output_path(args.out, folder_ok=True)
    path = documents.render_form(args.code, args.form, out, actor=actor, **kwargs)
    _emit(path)
    return 0


def _slips_folder(clock: Clock) -> Path:
    """Today's folder of slips in the desk's data folder, where the desk program puts them too."""
    from desk.config import data_dir

    folder = data_dir() / "slips" / f"{clock.today():%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _print(args: argparse.Namespace, actor) -> int:
    """Write the slip (kept whatever happens next), then print it; exit 2 with one line when not accepted."""
    from desk.hardware.printing import PrinterUnavailable, SystemPrinter
    from desk.services import documents
    from desk.services.output import check_output_path

    kwargs = _form_options(args)
    out = check_output_path(args.out, folder_ok=True) if args.out else _slips_folder(args.clock)
    path = documents.render_form(args.code, args.form, out, actor=actor, **kwargs)
    title = f"Mẫu {args.form} {args.code.strip()}"
    try:
        job = SystemPrinter().print_document(path, printer=args.printer.strip(), title=title)
    except PrinterUnavailable as exc:
        print(f"{_('error')}: {exc} ({path})", file=sys.stderr)
        return 2
    if args.json:
        _print_json({"code": args.code.strip(), "form": args.form, "path": str(path), "printer": job.printer,
                     "job_id": job.job_id, "pages": job.pages})
    else:
        _emit(ngettext("Sent to the printer {printer} (job {job}, {pages} page): {path}",
                       "Sent to the printer {printer} (job {job}, {pages} pages): {path}", job.pages).format(
            printer=job.printer, job=job.job_id or "-", pages=job.pages, path=path))
    return 0


def _queue(args: argparse.Namespace, actor) -> int:
    """The waiting room's commands; each prints the ticket as JSON (``number`` first)."""
    from desk.services import queue

    if args.action == "status":
        state = queue.status(clock=args.clock)
        if args.json:
            _print_json(state.to_json())
            return 0
        for group, waiting in state.waiting:
            _emit(_("{name} ({code}): {n} waiting").format(name=group.name, code=group.code, n=waiting))
        for ticket in state.serving:
            _emit(_("Counter {counter}: {label}").format(counter=ticket.counter, label=ticket.label))
        return 0
    if args.action == "figures":
        from desk.services.queue_report import write_queue_workbook

        rows = queue.queue_figures(args.date_from, args.date_to, clock=args.clock)
        data: dict[str, Any] = {"figures": [row.to_json() for row in rows]}
        if args.out:
            from desk.services.output import check_output_path

            data["path"] = str(write_queue_workbook(check_output_path(args.out), args.date_from, args.date_to,
                                                    by=actor, clock=args.clock))
        _print_json(data)
        return 0
    if args.action == "group":
        group = queue.save_group(args.code, args.name, fields=args.fields, prefix=args.prefix, sort_order=args.order,
                                 by=actor)
        _print_json({"code": group.code, "name": group.name, "prefix": group.prefix, "fields": list(group.fields)})
        return 0
    if args.action == "counter":
        groups = queue.set_counter(args.counter, args.groups, by=actor)
        _print_json({"counter": args.counter, "groups": list(groups)})
        return 0
    if args.action == "take":
        ticket = queue.take(args.field, clock=args.clock)
        data = ticket.to_json()
        if args.print:
            from desk.hardware.printing import PrinterUnavailable

            try:
                data["printed"] = _print_ticket(ticket, args)
            except PrinterUnavailable as exc:  # the ticket stands: its number is taken and shown
                print(f"{_('error')}: {exc}", file=sys.stderr)
                _print_json(data)
                return 2
        _print_json(data)
        return 0
    if args.action == "call":
        called = queue.call_next(args.counter, actor=actor, clock=args.clock)
        _print_json(called.to_json() if called else {"number": None, "counter": args.counter})
        return 0
    change = queue.recall if args.action == "recall" else queue.skip
    _print_json(change(args.counter, actor=actor, clock=args.clock).to_json())
    return 0


def _print_ticket(ticket: Any, args: argparse.Namespace) -> dict:
    """Write the ticket's page into today's folder of slips and print it (same path as the slips)."""
    from desk.hardware.printing import SystemPrinter
    from desk.services import documents

    path = documents.queue_ticket(ticket, _slips_folder(args.clock), paper=args.paper, clock=args.clock)
    job = SystemPrinter().print_document(path, printer=args.printer.strip(), title=f"STT {ticket.label}")
    return {"path": str(path), "printer": job.printer, "job_id": job.job_id, "pages": job.pages}


def _logbook(args: argparse.Namespace, actor) -> int:
    from desk.services import documents
    from desk.services.output import check_output_path

    out = check_output_path(args.out, folder_ok=True)
    _emit(documents.log_book(args.date_from, args.date_to, out, actor=actor, fields=args.fields, clock=args.clock))
    return 0


def _report(args: argparse.Namespace, actor) -> int:
    from desk.services import report_workbook as reports
    from desk.services.output import check_output_path

    out = check_output_path(args.out)

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    path = reports.write_report(out, args.period, args.cutoff, field_code=args.field, progress=progress,
                                clock=args.clock, by=actor)
    print(file=sys.stderr)
    if args.json:
        stats = reports.compute_statistics(args.period, args.cutoff, field_code=args.field, clock=args.clock)
        data = reports.statistics_json(stats, reports.period_digitisation(stats, actor=actor))
        data |= _report_additions(args, actor)
        _print_json(data)
    _emit(path)
    return 0


def _report_additions(args: argparse.Namespace, actor) -> dict:
    """The report's JSON beyond the official table (issues 13, 14; D49, D50): the satisfaction figures per field and per
    clerk, and the "Bộ chỉ số 766" scorecard of the 12 months ending with the period."""
    from desk.services.periods import as_period
    from desk.services.queue import queue_figures
    from desk.services.ratings import satisfaction
    from desk.services.scorecard import compute_scorecard

    period = as_period(args.period, args.cutoff)
    waiting = queue_figures(period.first_day, period.last_day, clock=args.clock, per_day=False)
    return {"satisfaction": satisfaction(args.period, args.cutoff, by=actor).to_json(),
            "scorecard": compute_scorecard(args.period, args.cutoff, by=actor, clock=args.clock).to_json(),
            "queue": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                      "fields": [row.to_json() for row in waiting]}}


def _demo(args: argparse.Namespace, actor) -> int:
    from desk.services.demo import generate

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    stats = generate(args.dossiers, actor=actor, months=args.months, seed=args.seed, clock=args.clock,
                     progress=progress)
    print(file=sys.stderr)
    _print_json(stats)
    return 0


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _size(size: int) -> str:
    """A file size as people read it, in whole kB or MB (no decimal separator to localise)."""
    return f"{max(1, round(size / 1000))} kB" if size < 1_000_000 else f"{round(size / 1_000_000)} MB"


def _backup(args: argparse.Namespace, actor) -> int:
    from desk.services.backup import backup
    from desk.services.output import check_output_path

    try:
        info = backup(check_output_path(args.out), actor=actor, progress=_progress)
    finally:
        if sys.stderr.isatty():
            print(file=sys.stderr)
    _emit(_("Backup written and verified: {path} ({size}), {counts}.").format(
        path=info.path, size=_size(info.size), counts=_backup_counts(info.counts)))
    return 0


def _backup_counts(counts: dict[str, int]) -> str:
    """"12 dossiers, 1 event": what a backup holds, each count with its own plural."""
    dossiers, events = counts.get("dossier", 0), counts.get("dossier_event", 0)
    return ", ".join((ngettext("{n} dossier", "{n} dossiers", dossiers).format(n=dossiers),
                      ngettext("{n} event", "{n} events", events).format(n=events)))


def _restore_actor(args: argparse.Namespace, url: str):
    """An administrator of the database that the backup would replace, logged in. A target with no
    accounts yet (a missing or empty file, a schema without tables) holds nothing to lose or to read:
    None, no login. Whether there is a target is the backup service's own answer (``target_state``)."""
    from peewee import DatabaseError

    from desk.errors import DeskError
    from desk.models.db import close, connect, redact
    from desk.services.accounts import has_accounts
    from desk.services.backup import target_state

    def unreadable(error: str) -> DeskError:
        return DeskError(_("The database {url} cannot be read ({error}), so no account can be checked. If it is "
                           "damaged, move its file elsewhere and run restore again. Nothing was changed.").format(
            url=redact(url), error=error))

    state = target_state(url)
    if state == "missing":
        return None
    if state == "damaged":
        raise unreadable("file is not a database")  # SQLite's own words for it
    try:
        connect(url, create=False)
        if not has_accounts():
            return None
        return _login(args, Role.ADMIN)
    except DatabaseError as exc:
        raise unreadable(str(exc).strip()) from exc
    finally:
        close()


def _restore(args: argparse.Namespace, url: str, actor) -> int:
    from desk.models.db import redact
    from desk.services.backup import SHOWN_CODES, restore, verify_backup

    info = verify_backup(args.file)
    if not info.ok:
        print(f"{_('error')}: " + _("The backup {path} is not usable: {problems}. Nothing was changed.")
              .format(path=args.file, problems="; ".join(info.problems)), file=sys.stderr)
        return 2
    print(_("Backup {path}: {counts}.").format(path=args.file, counts=_backup_counts(info.counts)), file=sys.stderr)
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
    result = restore(args.file, target_url=url, actor=actor, clock=args.clock, disconnect=args.disconnect_desks)
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
        print(ngettext("{n} dossier was in the database but is not in the backup: {codes}. It remains in {kept}; "
                       "its code will not be issued again.",
                       "{n} dossiers were in the database but are not in the backup: {codes}. They remain in {kept}; "
                       "their codes will not be issued again.", len(result.missing)).format(n=len(result.missing), codes=shown, kept=result.kept))
    if result.changed:
        shown = ", ".join(result.changed[:SHOWN_CODES]) + (" …" if len(result.changed) > SHOWN_CODES else "")
        print(ngettext("{n} dossier had later steps or digitised files than the backup: {codes}. They are back as the "
                       "backup has them; the later ones remain in {kept}.",
                       "{n} dossiers had later steps or digitised files than the backup: {codes}. They are back as "
                       "the backup has them; the later ones remain in {kept}.", len(result.changed)).format(
                           n=len(result.changed), codes=shown, kept=result.kept))
    return 0


def _migrate_to(args: argparse.Namespace, actor) -> int:
    from desk.services.migrate import migrate_to

    def progress(table: str, done: int, total: int) -> None:
        print(f"\r{table}: {done}/{total}   ", end="", file=sys.stderr, flush=True)

    report = migrate_to(args.url, actor=actor, progress=progress)
    print(file=sys.stderr)
    _print_json(report.to_json())
    return 0 if report.ok else 2
