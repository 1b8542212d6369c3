"""Gap-free day counters: the one rule that numbers dossiers (intake) and queue tickets (queue) (D50).

A counter is a table of (office, local day, last value) with a unique key on (office, day). The next
number is taken with one upsert inside the caller's write transaction: the row it locks serialises every
desk and kiosk of the office until commit, on SQLite (``BEGIN IMMEDIATE``) and PostgreSQL alike, so two
callers never get the same number and a rolled-back caller leaves no gap. Guards in the database
(models/db.py) refuse to lower or delete a counter.
"""

from __future__ import annotations

from datetime import date

from desk.models import DailySequence, QueueSequence
from desk.models.db import database_proxy

# The tables that are day counters; nothing else may be named in the SQL below.
COUNTERS = (DailySequence, QueueSequence)


def next_value(counter: type[DailySequence] | type[QueueSequence], office_id: int, day: date) -> int:
    """Bump and return ``counter``'s value for the office's (full) local ``day``; call inside a write
    transaction (run_write), whose commit hands the number out."""
    if counter not in COUNTERS:
        raise ValueError(f"{counter!r} is not a day counter")
    table = counter._meta.table_name
    db = database_proxy.obj
    p = db.param
    cursor = db.execute_sql(
        f"INSERT INTO {table} (office_id, day, last_value) VALUES ({p}, {p}, 1) "
        f"ON CONFLICT (office_id, day) DO UPDATE SET last_value = {table}.last_value + 1 "
        "RETURNING last_value",
        (office_id, day.isoformat()),
    )
    return int(cursor.fetchone()[0])
