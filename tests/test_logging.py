"""The log file keeps tracebacks for the technician but no ID number and no password."""

from __future__ import annotations

import logging

from desk.app import RedactingFormatter
from desk.config import Settings


def test_id_numbers_and_url_passwords_are_masked():
    formatter = RedactingFormatter("%(message)s")
    record = logging.LogRecord("desk", logging.ERROR, __file__, 1,
                               "bad id 042090012345 old 123456789 db postgresql://desk:s3cret@host/db "
                               "code 000.00.13.H42-261123-0007 phone 0912345678", None, None)
    text = formatter.format(record)
    assert "042090012345" not in text and "********2345" in text
    assert "123456789" not in text and "*****6789" in text
    assert "s3cret" not in text and "postgresql://desk:***@host/db" in text
    assert "000.00.13.H42-261123-0007" in text and "0912345678" in text  # codes and phones stay readable


def test_url_passwords_with_at_signs_and_libpq_keywords_are_masked():
    formatter = RedactingFormatter("%(message)s")
    record = logging.LogRecord("desk", logging.ERROR, __file__, 1,
                               "db postgresql://postgres:secret@pa55@host/x; dsn host=h password=pa55w0rd "
                               "dbname=x", None, None)
    text = formatter.format(record)
    assert "pa55" not in text and "secret" not in text
    assert "postgresql://postgres:***@host/x" in text and "password=*** dbname=x" in text


def test_masked_in_tracebacks_too():
    formatter = RedactingFormatter("%(message)s")
    try:
        raise ValueError("Số định danh 001090012345 không hợp lệ")
    except ValueError:
        import sys

        record = logging.LogRecord("desk", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    assert "001090012345" not in formatter.format(record)


def test_backup_retention_setting():
    assert Settings().keep_days == 30
    assert Settings.parse({"backup_keep_days": "90"}).keep_days == 90
    assert Settings.parse({"backup_keep_days": "ba mươi"}).keep_days == 30
    assert Settings.parse({"backup_keep_days": "0"}).keep_days == 30
