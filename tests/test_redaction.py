"""desk.redaction.redact: no database password survives, whatever it holds and wherever it stands."""

from __future__ import annotations

import io
import logging
import sys
from urllib.parse import quote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desk import redaction
from desk.app import RedactingFormatter
from desk.errors import DeskError
from desk.models import db as dbmod
from desk.redaction import MASK, protect, redact, redacting_stderr

# Passwords with every character that breaks a naive parser.
PASSWORDS = [
    "secret@pa55",  # the reproduction: "pa55@host" was shown
    "Kq7v@Wx9L@Mn3p",
    "Kq7v:Wx9L:Mn3p",
    "Kq7v/Wx9L/Mn3p",
    "Kq7v#Wx9L#Mn3p",
    "Kq7v?Wx9L&Mn3p=1",
    "Kq7v%40Wx9L",  # a literal "%40"
    "Kq7v Wx9L Mn3p",
    "Kẹo🔑Ngọt Ωmega ü",
    "Kq7v@Host9/Xyzw",  # "@" then "/": a parser reads a host out of the password
    "a@b:c/d#e?f%40g h'i\"j\\k",
    "://Kq7v@Wx9L",
]


def fragments(secret: str, size: int = 4) -> set[str]:
    """Every substring of ``size`` characters or more (the shorter are inside the longer ones)."""
    return {secret[i:i + size] for i in range(len(secret) - size + 1)} or {secret}


def leaked(text: str, *secrets: str) -> set[str]:
    return {piece for secret in secrets for piece in fragments(secret) if piece in text}


def _url(password: str, form: str, scheme: str = "postgresql", rest: str = "db.example:5432/office") -> str:
    written = password if form == "as typed" else quote(password, safe="")
    return f"{scheme}://postgres:{written}@{rest}"


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("form", ["as typed", "percent-encoded"])
@pytest.mark.parametrize(("scheme", "rest"), [("postgresql", "db.example:5432/office"),
                                               ("postgres", "db.example/office?schema=o1&connect_timeout=3"),
                                               ("postgresql", "10.0.0.5,10.0.0.6:5433/office")])
def test_a_url_keeps_everything_but_its_password(password, form, scheme, rest):
    url = _url(password, form, scheme, rest)
    assert redact(url) == f"{scheme}://postgres:{MASK}@{rest}"
    assert dbmod.redact is redact  # one function, wherever it is imported from


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:5432/desk_test",
    "postgresql://127.0.0.1/office?schema=o1",
    "postgres://db.example/office",
    "postgresql://u@h:5432/db?application_name=a:b@c",
    "sqlite:///onestop.db",
    "sqlite:////srv/desk/onestop.db",
    "sqlite:///C:/Users/an@nhà/desk:1.db",
    "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=000.00.13.H42-261123-0007",
    "",
])
def test_urls_without_a_password_are_unchanged(url):
    assert redact(url) == url


def test_a_later_at_sign_on_the_line_hides_more_not_less():
    """Known and accepted: without a password, a ':' before a later '@' is read as one."""
    assert redact("postgresql://host:5432/db?application_name=me@x") == f"postgresql://host:{MASK}@x"


@pytest.mark.parametrize(("text", "expected"), [
    ("Không mở được cơ sở dữ liệu (postgresql://postgres:secret@pa55@host/x): could not translate host name "
     "\"host\" to address",
     f"Không mở được cơ sở dữ liệu (postgresql://postgres:{MASK}@host/x): could not translate host name "
     "\"host\" to address"),
    ("copy postgresql://a:Kq7v@h1/x to postgresql://b:Wx9L@h2/y", f"copy postgresql://a:{MASK}@h2/y"),
    ("dsn: host=db port=5432 user=desk password=Kq7vWx9L dbname=office",
     f"dsn: host=db port=5432 user=desk password={MASK} dbname=office"),
    ("host=db password = 'Kq7v Wx9L\\' Mn3p' dbname=office", f"host=db password = {MASK} dbname=office"),
    ("PGPASSWORD=Kq7vWx9L pg_dump", f"PGPASSWORD={MASK} pg_dump"),
    ("postgresql://u@h/db?password=Kq7v&sslmode=require", f"postgresql://u@h/db?password={MASK}&sslmode=require"),
    ("kwargs {'user': 'desk', 'password': 'Kq7v\\'Wx9L', 'host': 'h'}",
     f"kwargs {{'user': 'desk', 'password': {MASK}, 'host': 'h'}}"),
    ('{"database_url": "postgresql://desk:Kq7v@Wx9L@db.local/onestop"}',
     f'{{"database_url": "postgresql://desk:{MASK}@db.local/onestop"}}'),
    ("line one\npostgresql://u:Kq7v@h/x\nline three", f"line one\npostgresql://u:{MASK}@h/x\nline three"),
    ("Sai mật khẩu (password): còn 3 lần thử", "Sai mật khẩu (password): còn 3 lần thử"),
    ("Mã hồ sơ 000.00.13.H42-261123-0007, e-mail an@example.vn", "Mã hồ sơ 000.00.13.H42-261123-0007, e-mail an@example.vn"),
])
def test_passwords_inside_any_text(text, expected):
    assert redact(text) == expected


def test_never_raises():
    for value in (None, 12, b"bytes", "\ud800://\udfff:@", "://:@", "a://" * 1000 + "@", "password=" * 100, "'password':"):
        assert isinstance(redact(value), str)


def test_a_protected_password_is_hidden_even_where_no_url_is_left():
    protect("postgresql://postgres:Zr8t/Yh4Q@Host5Name/x@127.0.0.1:1/db")
    # what a driver says after misreading that URL (port from before "/", host from after "@")
    text = "Port could not be cast to integer value as 'Zr8t'; could not translate host name \"host5name\""
    assert leaked(redact(text), "Zr8t/Yh4Q@Host5Name/x", "host5name") == set()
    assert "Port could not be cast" in redact(text)  # the rest of the message stays readable


def test_connection_messages_hide_the_password():
    with pytest.raises(DeskError) as info:
        dbmod.connect("postgresql://nobody:Kq7v@Wx9L@127.0.0.1:1/none?connect_timeout=1")
    assert leaked(str(info.value), "Kq7v@Wx9L") == set()
    assert f"postgresql://nobody:{MASK}@127.0.0.1:1/none" in str(info.value)
    with pytest.raises(DeskError) as info:
        dbmod.make_database("host=127.0.0.1 user=postgres password='Kq7v Wx9L'")
    assert leaked(str(info.value), "Kq7v Wx9L") == set() and f"password={MASK}" in str(info.value)


def test_migrate_target_message_hides_the_password(office, admin):
    from desk.services.migrate import migrate_to

    with pytest.raises(DeskError) as info:
        migrate_to("postgresql://postgres:Kq7v@Wx9L/Mn3p@127.0.0.1:1/x?connect_timeout=1", actor=admin)
    assert leaked(str(info.value), "Kq7v@Wx9L/Mn3p") == set()


# -- the log file -------------------------------------------------------------------------------
def _format(message: str, exc_info=None) -> str:
    record = logging.LogRecord("desk", logging.ERROR, __file__, 1, message, None, exc_info)
    return RedactingFormatter("%(message)s").format(record)


@pytest.mark.parametrize("password", PASSWORDS)
def test_log_records_and_tracebacks_hide_the_password(password):
    url = _url(password, "as typed")
    try:
        try:
            raise ValueError(f"driver said: {url} and password={quote(password)}")
        except ValueError as inner:
            raise DeskError(f"Cannot open the database ({url})") from inner
    except DeskError:
        text = _format(f"opening {url} failed", sys.exc_info())
    assert "Traceback" in text and "ValueError" in text
    assert leaked(text, password, quote(password, safe="")) == set(), text


# -- stderr -------------------------------------------------------------------------------------
def test_stderr_is_redacted_line_by_line_and_on_flush(monkeypatch):
    target = io.StringIO()
    monkeypatch.setattr(sys, "stderr", target)
    with redacting_stderr():
        print("error: postgresql://u:Kq7v@Wx9L", end="", file=sys.stderr)
        print("@h/x and more", file=sys.stderr)
        print("\r3/10", end="", file=sys.stderr, flush=True)
        assert target.getvalue().endswith("\r3/10")
        sys.stderr.write("password=Kq7vWx9L")
    assert sys.stderr is target
    assert target.getvalue() == f"error: postgresql://u:{MASK}@h/x and more\n\r3/10password={MASK}"


def test_an_uncaught_error_is_reported_redacted(monkeypatch):
    target = io.StringIO()
    monkeypatch.setattr(sys, "stderr", target)
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    with redacting_stderr():
        pass
    assert sys.excepthook is redaction._redacting_excepthook
    try:
        raise RuntimeError("postgresql://u:Kq7v@Wx9L@h/x")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert "RuntimeError" in target.getvalue() and "Kq7v" not in target.getvalue()


# -- properties ---------------------------------------------------------------------------------
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines() boundaries
any_password = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters=LINE_BREAKS),
                       min_size=1, max_size=40)


def _visible_rest_is_clean(password: str, rest: str) -> bool:
    """Only passwords that share no 4 characters with the rest of the URL can be checked for leaks."""
    return not leaked(f"postgresql://postgres:{MASK}@{rest} password= host=", password)


@settings(max_examples=1000, deadline=None)
@given(any_password, st.sampled_from(["as typed", "percent-encoded"]))
@example("@", "as typed")
@example("p@ss:w/o#r?d%40 ü", "as typed")
def test_any_password_in_a_url(password, form):
    url = _url(password, form)
    redacted = redact(url)
    assert redacted == f"postgresql://postgres:{MASK}@db.example:5432/office"
    if _visible_rest_is_clean(password, "db.example:5432/office"):
        assert leaked(redacted, password, quote(password, safe="")) == set()


@settings(max_examples=500, deadline=None)
@given(any_password)
def test_any_password_in_a_libpq_keyword_string(password):
    quoted = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"
    assert redact(f"host=db.example password={quoted} dbname=office") == f"host=db.example password={MASK} dbname=office"


@settings(max_examples=300, deadline=None)
@given(any_password, st.text(max_size=60), st.text(max_size=60))
def test_any_password_in_a_url_inside_any_text(password, before, after):
    url = _url(password, "as typed")
    text = redact(f"{before} {url} {after}")
    if _visible_rest_is_clean(password, f"db.example:5432/office {before} {after}"):
        assert leaked(text, password) == set()
