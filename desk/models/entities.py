"""The tables. Datetimes are naive UTC; JSON columns hold small lists (documents).

For the type checker (peewee ships typed fields): each auto-numbered table names its ``id = AutoField()``,
the very column peewee would add by itself, so ``row.id`` is an ``int``; each foreign key's raw value,
``<name>_id``, which peewee sets on the class, is declared by annotation only (no new column).
"""

from __future__ import annotations

from peewee import (
    SQL,
    AutoField,
    BlobField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database_proxy = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class SchemaInfo(BaseModel):
    key = CharField(primary_key=True, max_length=64)
    value = CharField(max_length=255)


class Office(BaseModel):
    id = AutoField()
    # identifier code of Decision 20/2020/QĐ-TTg (at most 35 characters); "" until the office is set up
    code = CharField(unique=True, max_length=35)
    name = CharField(max_length=200)  # "UBND phường …"; "" until the office is set up
    parent_name = CharField(max_length=200, default="")  # the first header line, e.g. "UBND TỈNH …"
    address = CharField(max_length=300, default="")
    place_name = CharField(max_length=100, default="")  # the place in "Hà Tĩnh, ngày ..."
    phone = CharField(max_length=50, default="")
    hours = CharField(max_length=100, default="07:30-11:30,13:30-17:00")
    no_appointment_weekdays = CharField(max_length=20, default="")  # "2" = Wednesday (Mon=0)
    secret = CharField(max_length=128, default="")  # key for the slip QR check (payload.py)
    # When a person gave the identity (wizard, Settings, office set, init --office-code); NULL: not set up,
    # no dossier is received and no slip issued (D27). Naive UTC.
    set_up_at = DateTimeField(null=True)
    demo = BooleanField(default=False)  # a database for trying the program: its documents say so (D27)
    # The office's public look-up address ("https://tracuu.example.vn"): slips' QR codes then hold
    # "<lookup_url>/h/<payload>" (D48); "" keeps the bare payload. Schema 6.
    lookup_url = CharField(max_length=200, default="")


class ReceptionPoint(BaseModel):
    id = AutoField()
    office = ForeignKeyField(Office, backref="points", on_delete="CASCADE")
    office_id: int
    name = CharField(max_length=200)
    kind = CharField(max_length=20, default="office")  # office | e_point | postal
    address = CharField(max_length=300, default="")
    weekdays = CharField(max_length=20, default="0,1,2,3,4")
    hours = CharField(max_length=100, default="07:30-11:30,13:30-17:00")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("office", "name"), True),)


class Field(BaseModel):
    id = AutoField()
    code = CharField(unique=True, max_length=32)
    name = CharField(max_length=200)
    sort_order = IntegerField(default=0)


class Procedure(BaseModel):
    id = AutoField()
    code = CharField(unique=True, max_length=64)
    name = CharField(max_length=500)
    name_folded = CharField(max_length=500, index=True)
    field = ForeignKeyField(Field, backref="procedures")
    field_id: int
    processing_days = IntegerField(default=0)  # 0 = within the day
    day_unit = CharField(max_length=10, default="working")  # working | calendar (as the law states the time)
    cutoff = CharField(max_length=5, null=True)  # "15:00": after it, same-day work moves a day
    fee = CharField(max_length=300, default="")
    documents = TextField(default="[]")  # JSON: [{"name", "count", "kind"}]
    online_level = CharField(max_length=10, default="none")  # none | partial | full
    legal_basis = TextField(default="")
    no_appointment_day = BooleanField(default=False)  # in the office's "no-appointment weekday" list
    active = BooleanField(default=True)


class Staff(BaseModel):
    id = AutoField()
    username = CharField(unique=True, max_length=64)
    full_name = CharField(max_length=200)
    role = CharField(max_length=10, default="clerk")  # clerk | leader | admin
    password_hash = CharField(max_length=300, default="")
    must_change_password = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    active = BooleanField(default=True)


class CalendarDay(BaseModel):
    id = AutoField()
    office = ForeignKeyField(Office, backref="calendar_days", on_delete="CASCADE")
    office_id: int
    day = DateField()
    kind = CharField(max_length=4)  # off | work
    note = CharField(max_length=200, default="")

    class Meta:
        indexes = ((("office", "day"), True),)


class DailySequence(BaseModel):
    """Last dossier number handed out per office and receipt day; bumped inside the intake transaction."""

    id = AutoField()
    office = ForeignKeyField(Office, on_delete="CASCADE")
    office_id: int
    day = DateField()  # local date of receipt, the full date: 1926-03-14 and 2026-03-14 are two counters
    last_value = IntegerField(default=0)

    class Meta:
        indexes = ((("office", "day"), True),)


class Dossier(BaseModel):
    id = AutoField()
    code = CharField(unique=True, max_length=64)
    office = ForeignKeyField(Office, backref="dossiers")
    office_id: int
    procedure = ForeignKeyField(Procedure, backref="dossiers", index=True)
    procedure_id: int
    applicant_name = CharField(max_length=200)
    applicant_name_folded = CharField(max_length=200, index=True)
    id_number = CharField(max_length=12, default="", index=True)
    birth_date = DateField(null=True)
    gender = CharField(max_length=5, default="")
    address = CharField(max_length=300, default="")
    phone = CharField(max_length=20, default="", index=True)
    email = CharField(max_length=200, default="")
    channel = CharField(max_length=10, default="direct")  # direct | online | postal
    reception_point = ForeignKeyField(ReceptionPoint, null=True, backref="received_dossiers")
    reception_point_id: int | None
    return_point = ForeignKeyField(ReceptionPoint, null=True, backref="returned_dossiers")
    return_point_id: int | None
    documents = TextField(default="[]")
    sets = IntegerField(default=1)
    writing_assistance = BooleanField(default=False)
    received_at = DateTimeField(index=True)
    due_at = DateTimeField(index=True)  # legal due moment; never moved, decides "late"
    appointment_at = DateTimeField()  # what the citizen was told; moved by an apology
    status = CharField(max_length=20, index=True)
    resolved_at = DateTimeField(null=True)  # indexed with due_at below (reports: resolved in a period)
    returned_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)  # refused / withdrawn moment
    returned_to = CharField(max_length=200, default="")
    received_by = ForeignKeyField(Staff, null=True, backref="received_dossiers")
    received_by_id: int | None
    handler = ForeignKeyField(Staff, null=True, backref="handled_dossiers")
    handler_id: int | None
    notes = TextField(default="")
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField()

    class Meta:
        indexes = (
            (("status", "due_at"), False),
            (("resolved_at", "due_at"), False),
        )


class DossierEvent(BaseModel):
    """Append-only audit trail: one row per action on a dossier."""

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="events", index=True)
    dossier_id: int
    at = DateTimeField()
    actor = ForeignKeyField(Staff, null=True)
    actor_id: int | None
    actor_name = CharField(max_length=200, default="")
    action = CharField(max_length=30)
    from_status = CharField(max_length=20, null=True)
    to_status = CharField(max_length=20)
    note = TextField(default="")
    data = TextField(default="{}")


class Attachment(BaseModel):
    """A digitised file of a dossier (số hóa hồ sơ): one component of its list, or its result.

    Append-only like the audit trail (guards in db.py): a file once attached is never rewritten. The bytes
    live in the database, so every desk of the office sees them and backup, restore and migrate-to carry them;
    ``sha256`` is computed on write and checked on every read.
    """

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="attachments", index=True)
    dossier_id: int
    component = IntegerField(null=True)  # 1-based number in the dossier's component list; NULL: the result
    kind = CharField(max_length=10, default="file")  # file | scan (a webcam page made into a PDF)
    file_name = CharField(max_length=255)
    media_type = CharField(max_length=50)  # application/pdf | image/jpeg | image/png
    size = IntegerField()
    sha256 = CharField(max_length=64)
    content = BlobField()
    added_by = ForeignKeyField(Staff, null=True)
    added_by_id: int | None
    added_at = DateTimeField()


class Rating(BaseModel):
    """A citizen's rating of the service for one dossier (đánh giá mức độ hài lòng), given once its result was
    returned. No personal data: the level, an optional short comment, where it was given, and the member of
    staff who returned the result (the actor of the dossier's "returned" event). One per dossier: the unique
    key on ``dossier`` makes two desks submitting at once leave one row (D49)."""

    id = AutoField()
    dossier = ForeignKeyField(Dossier, backref="ratings", unique=True)
    dossier_id: int
    level = CharField(max_length=20)  # very_satisfied | satisfied | dissatisfied (kinds.RatingLevel)
    comment = CharField(max_length=300, default="")
    channel = CharField(max_length=20)  # kiosk | counter_screen | phone (kinds.RatingChannel)
    served_by = ForeignKeyField(Staff, null=True)
    served_by_id: int | None
    at = DateTimeField(index=True)  # naive UTC
class QueueGroup(BaseModel):
    """A button of the ticket kiosk: one or more catalog fields under one name (D50).

    No row at all means the default: one group per catalog field, named and coded as the field.
    """

    id = AutoField()
    code = CharField(unique=True, max_length=32)
    name = CharField(max_length=200)
    prefix = CharField(max_length=8, default="")  # "HT" → tickets read "HT-012"; "" → "012"
    fields = TextField(default="[]")  # JSON list of field codes
    sort_order = IntegerField(default=0)
    active = BooleanField(default=True)


class QueueCounter(BaseModel):
    """A counter (quầy) of the desk and the ticket groups it calls; no row: counter N serves every group."""

    id = AutoField()
    office = ForeignKeyField(Office, on_delete="CASCADE")
    office_id: int
    number = IntegerField()
    groups = TextField(default="[]")  # JSON list of QueueGroup codes; [] = every group

    class Meta:
        indexes = ((("office", "number"), True),)


class QueueSequence(BaseModel):
    """Last ticket number handed out per office and local day; bumped like DailySequence (D50)."""

    id = AutoField()
    office = ForeignKeyField(Office, on_delete="CASCADE")
    office_id: int
    day = DateField()
    last_value = IntegerField(default=0)

    class Meta:
        indexes = ((("office", "day"), True),)


class QueueTicket(BaseModel):
    """One queue ticket (số thứ tự): waiting → called → serving → done, or skipped, or left (D50).

    Moments are naive UTC. ``called_at`` is the first call (the waiting time ends there);
    ``last_called_at`` moves with every call again, so the calling display announces it once more.
    """

    id = AutoField()
    office = ForeignKeyField(Office, on_delete="CASCADE")
    office_id: int
    day = DateField()  # the office's local day of taking
    number = IntegerField()
    group = CharField(max_length=32)  # QueueGroup code (or the field code of a default group)
    group_name = CharField(max_length=200)
    prefix = CharField(max_length=8, default="")
    state = CharField(max_length=10, default="waiting", index=True)
    taken_at = DateTimeField()
    called_at = DateTimeField(null=True)
    last_called_at = DateTimeField(null=True)
    calls = IntegerField(default=0)
    served_start = DateTimeField(null=True)
    done_at = DateTimeField(null=True)
    counter = IntegerField(null=True)
    called_by = ForeignKeyField(Staff, null=True)
    called_by_id: int | None
    dossier = ForeignKeyField(Dossier, null=True)
    dossier_id: int | None

    class Meta:
        indexes = ((("office", "day", "number"), True), (("office", "day", "state"), False))


ALL_MODELS = [
    SchemaInfo,
    Office,
    ReceptionPoint,
    Field,
    Procedure,
    Staff,
    CalendarDay,
    DailySequence,
    Dossier,
    DossierEvent,
    Attachment,
    Rating,
    QueueGroup,
    QueueCounter,
    QueueSequence,
    QueueTicket,
]
