"""The audit trail (dossier_event) is append-only, in the code and in the database.

1. A scan of every module under desk/ (ast, not grep: comments and docstrings do not count) fails on
   any way of rewriting an event: ``DossierEvent.update/delete/replace...``, ``.save()`` or
   ``.delete_instance()`` on an event object, or SQL text that updates, deletes or truncates
   dossier_event. The scanner is itself tested on planted offenders so it cannot silently rot.
2. The engine refuses it too (triggers from db.install_guards) on SQLite and PostgreSQL, whichever
   path the write takes: raw SQL, a model instance's save(), delete_instance(), an upsert, SQLite's
   REPLACE / INSERT OR REPLACE (which delete without firing delete triggers), PostgreSQL's TRUNCATE;
   and the history cannot be orphaned or its numbering reused (dossiers are never deleted, replaced or
   renumbered; day counters never go down). (The query-builder path, DossierEvent.update()/delete(),
   is covered in tests/models/test_db.py.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from peewee import DatabaseError

from desk.models import DossierEvent
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.intake import Applicant, IntakeRequest, register

DESK = Path(__file__).resolve().parent.parent / "desk"
MODEL = "DossierEvent"
REWRITING_METHODS = {"update", "delete", "replace", "replace_many", "insert_or_replace", "delete_by_id",
                     "set_by_id", "bulk_update", "truncate_table", "drop_table"}
INSTANCE_METHODS = {"save", "delete_instance"}
_SQL = re.compile(r"\b(UPDATE\s+(OR\s+\w+\s+)?|DELETE\s+FROM\s+|TRUNCATE\s+(TABLE\s+)?|REPLACE\s+INTO\s+|"
                  r"INSERT\s+OR\s+REPLACE\s+INTO\s+|DROP\s+TABLE\s+(IF\s+EXISTS\s+)?)[\"`]?dossier_event\b",
                  re.IGNORECASE)


def _root_name(node: ast.AST) -> str | None:
    """``DossierEvent.select().where(...)`` → "DossierEvent"; ``row.events`` → "row"."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _string_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # f-strings: placeholders count as one word
        return "".join(v.value if isinstance(v, ast.Constant) else " X " for v in node.values)
    return None


def scan(source: str, filename: str = "<source>") -> list[str]:
    """Every place in ``source`` that could rewrite or remove an audit event."""
    tree = ast.parse(source, filename)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    # names bound to events: x = DossierEvent.get(...), for x in DossierEvent.select(), x = row.events[0] ...
    event_names: set[str] = set()
    for node in ast.walk(tree):
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.For | ast.comprehension):
            targets, value = [node.target], node.iter
        if value is None:
            continue
        root = _root_name(value)
        source_is_event = root == MODEL or any(isinstance(n, ast.Attribute) and n.attr == "events"
                                               for n in ast.walk(value))
        if source_is_event:
            event_names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    found = []
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            root = _root_name(receiver)
            if isinstance(receiver, ast.Name) and receiver.id == MODEL and method in REWRITING_METHODS:
                found.append(f"{where}: {MODEL}.{method}()")
            elif method in INSTANCE_METHODS and (
                    root == MODEL or root in event_names or (root or "").lower().endswith(("event", "events"))
                    or any(isinstance(n, ast.Attribute) and "event" in n.attr.lower() for n in ast.walk(receiver))):
                found.append(f"{where}: .{method}() on an audit event ({root})")
        text = _string_text(node)
        if text is not None and id(node) not in docstrings and _SQL.search(" ".join(text.split())):
            found.append(f"{where}: SQL rewriting dossier_event: {' '.join(text.split())[:80]!r}")
    return found


def test_no_code_path_rewrites_audit_events():
    files = sorted(DESK.rglob("*.py"))
    assert len(files) > 20, "the scan must see the whole package"
    offenders = [hit for path in files for hit in scan(path.read_text(encoding="utf-8"), str(path.relative_to(DESK)))]
    assert offenders == [], "audit events are append-only:\n" + "\n".join(offenders)


@pytest.mark.parametrize("snippet", [
    "DossierEvent.update(note='x').where(DossierEvent.id == 1).execute()",
    "DossierEvent.delete().execute()",
    "DossierEvent.replace(id=1, note='x').execute()",
    "e = DossierEvent.get_by_id(1)\ne.note = 'x'\ne.save()",
    "for ev in DossierEvent.select():\n    ev.delete_instance()",
    "row.events[0].save()",
    "last_event.delete_instance()",
    "DossierEvent.get(DossierEvent.id == 1).save()",
    "db.execute_sql('UPDATE dossier_event SET note = ?', ('x',))",
    "db.execute_sql('delete   from\\n  \"dossier_event\" where id = 1')",
    "db.execute_sql(f'UPDATE dossier_event SET note = {p}')",
    "db.execute_sql('TRUNCATE TABLE dossier_event')",
    "db.execute_sql('INSERT OR REPLACE INTO dossier_event (id) VALUES (1)')",
])
def test_scanner_catches_planted_offenders(snippet):
    assert scan(snippet), f"the scanner missed: {snippet}"


@pytest.mark.parametrize("snippet", [
    "DossierEvent.create(dossier=row, action='advance')",
    "DossierEvent.select().where(DossierEvent.dossier == row).first()",
    "Dossier.update(status='x').execute()",
    "settings.save()",
    "'CREATE TRIGGER dossier_event_no_update BEFORE UPDATE OR DELETE ON dossier_event'",
    "db.execute_sql('INSERT INTO dossier_event (dossier_id) VALUES (1)')",
    "def f():\n    '''never UPDATE dossier_event'''",
])
def test_scanner_allows_appends_and_reads(snippet):
    assert scan(snippet) == []


_EVENT_COLUMNS = "id, dossier_id, at, actor_name, action, to_status, note, data"


def _attacks(db) -> dict:
    """What someone with a SQL console on the database would try, per engine."""
    table = DossierEvent._meta.table_name
    p = db.param
    row = db.execute_sql(f"SELECT {_EVENT_COLUMNS} FROM {table}").fetchone()
    forged = (row[0], row[1], row[2], "Kẻ giả mạo", row[4], "refused", "sửa", "{}")
    marks = ", ".join([p] * len(forged))
    attacks = {
        "raw UPDATE": lambda: db.execute_sql(f"UPDATE {table} SET note = {p}", ("sửa",)),
        "raw DELETE": lambda: db.execute_sql(f"DELETE FROM {table}"),
        "instance save()": lambda: _save_changed(),
        "delete_instance()": lambda: DossierEvent.select().first().delete_instance(),
        "upsert ON CONFLICT DO UPDATE": lambda: db.execute_sql(
            f"INSERT INTO {table} ({_EVENT_COLUMNS}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET note = 'sửa'",
            forged),
        "dossier DELETE": lambda: db.execute_sql("DELETE FROM dossier"),
        "dossier code change": lambda: db.execute_sql("UPDATE dossier SET code = 'X-000000-0001'"),
        "dossier id change": lambda: db.execute_sql("UPDATE dossier SET id = id + 1000"),
        "dossier receipt time moved": lambda: db.execute_sql(f"UPDATE dossier SET received_at = {p}", ("2020-01-02 03:00:00",)),
        "dossier due time moved": lambda: db.execute_sql("UPDATE dossier SET due_at = appointment_at + "
                                                         + ("INTERVAL '3 days'" if dbmod.is_postgres(db) else "3")),
        "day counter DELETE": lambda: db.execute_sql("DELETE FROM daily_sequence"),
        "day counter lowered": lambda: db.execute_sql("UPDATE daily_sequence SET last_value = 0"),
    }
    if dbmod.is_postgres(db):
        attacks.update({
            "TRUNCATE dossier_event": lambda: db.execute_sql(f"TRUNCATE {table}"),
            "TRUNCATE dossier CASCADE": lambda: db.execute_sql("TRUNCATE dossier CASCADE"),
            "TRUNCATE daily_sequence": lambda: db.execute_sql("TRUNCATE daily_sequence"),
        })
    else:
        dossier = db.execute_sql("SELECT * FROM dossier").fetchone()
        dossier_marks = ", ".join([p] * len(dossier))
        attacks.update({
            "REPLACE INTO": lambda: db.execute_sql(f"REPLACE INTO {table} ({_EVENT_COLUMNS}) VALUES ({marks})", forged),
            "INSERT OR REPLACE": lambda: db.execute_sql(
                f"INSERT OR REPLACE INTO {table} ({_EVENT_COLUMNS}) VALUES ({marks})", forged),
            "peewee replace()": lambda: DossierEvent.replace(
                id=row[0], dossier=row[1], at=row[2], actor_name="Kẻ giả mạo", action=row[4], to_status="refused",
                note="sửa", data="{}").execute(),
            "REPLACE with recursive_triggers off": lambda: (
                db.execute_sql("PRAGMA recursive_triggers = OFF"),
                db.execute_sql(f"INSERT OR REPLACE INTO {table} ({_EVENT_COLUMNS}) VALUES ({marks})", forged)),
            "event id -1 (would block every later insert)": lambda: db.execute_sql(
                f"INSERT INTO {table} ({_EVENT_COLUMNS}) VALUES ({marks})", (-1, *forged[1:])),
            "REPLACE INTO dossier": lambda: db.execute_sql(f"REPLACE INTO dossier VALUES ({dossier_marks})", dossier),
        })
    return attacks


def test_engine_refuses_rewrites(any_office: str) -> None:
    register(IntakeRequest("T-KS", Applicant(name="Đỗ Văn Hùng"), notes="gốc"), actor=get_actor("admin"))
    db = dbmod.database_proxy.obj
    before = _snapshot(db)
    attacks = _attacks(db)
    if not dbmod.is_postgres(db):
        db.execute_sql("PRAGMA foreign_keys = OFF")  # a console opens the file without them
    refused = []
    for name, attempt in attacks.items():
        with pytest.raises(DatabaseError, match="append-only|never|keeps its id|only go up|positive"), \
                dbmod.write_transaction():
            attempt()
        refused.append(name)
    assert refused == list(attacks)
    assert _snapshot(db) == before
    rows = list(DossierEvent.select())
    assert len(rows) == 1 and rows[0].note == "gốc"
    if not dbmod.is_postgres(db):
        db.execute_sql("PRAGMA foreign_keys = ON")
    # and the desk's own work goes on: a second registration and a move, each with its event
    from desk.services.lifecycle import advance

    info = register(IntakeRequest("T-KS", Applicant(name="Đỗ Thị Lan")), actor=get_actor("admin"))
    advance(info.code, "processing", actor=get_actor("admin"))
    assert info.code.endswith("-0002") and DossierEvent.select().count() == 3


def _snapshot(db) -> list:
    return [db.execute_sql(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("dossier", "dossier_event", "daily_sequence")]


def _save_changed() -> None:
    event = DossierEvent.select().first()
    event.note = "sửa"
    event.save()
