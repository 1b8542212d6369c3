"""Staff accounts: first start, login with lockout, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.services import accounts
from desk.services.accounts import SYSTEM
from desk.services.errors import PermissionDenied, ValidationError


def test_first_start_sets_admin_password(office):
    assert accounts.first_start_pending()
    with pytest.raises(ValidationError):
        accounts.set_first_admin_password("short")
    admin = accounts.set_first_admin_password("matkhau-moi-123")
    assert admin.role == "admin"
    assert not accounts.first_start_pending()
    with pytest.raises(PermissionDenied):
        accounts.set_first_admin_password("another-password")
    assert accounts.login("admin", "matkhau-moi-123").username == "admin"


def test_password_hash_is_salted_and_slow():
    a, b = accounts.hash_password("secret-123"), accounts.hash_password("secret-123")
    assert a != b and a.startswith("scrypt$") and "secret-123" not in a
    assert accounts.verify_password("secret-123", a)
    assert not accounts.verify_password("secret-124", a)
    assert not accounts.verify_password("x", "garbage")


def test_lockout_after_repeated_failures(office):
    accounts.create_staff("thu", "Nguyễn Thị Thu", "clerk", "dung-mat-khau", by=SYSTEM)
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for _i in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDenied, match="Sai tên đăng nhập"):
            accounts.login("thu", "sai", now=now)
    with pytest.raises(PermissionDenied, match="bị khóa"):
        accounts.login("thu", "dung-mat-khau", now=now)
    later = now + timedelta(minutes=accounts.LOCKOUT_MINUTES + 1)
    assert accounts.login("thu", "dung-mat-khau", now=later).full_name == "Nguyễn Thị Thu"


def test_roles_gate_staff_management(office):
    leader = accounts.create_staff("lanhdao", "Trần Văn Lâm", "leader", "mat-khau-123", by=SYSTEM)
    clerk = accounts.create_staff("motcua", "Lê Thị Cúc", "clerk", "mat-khau-123", by=leader)
    with pytest.raises(PermissionDenied):
        accounts.create_staff("x1", "X", "clerk", "mat-khau-123", by=clerk)
    with pytest.raises(ValidationError):
        accounts.create_staff("x2", "X", "admin", "mat-khau-123", by=leader)
    with pytest.raises(PermissionDenied):
        accounts.update_staff("admin", by=leader, active=False)
    assert accounts.update_staff("motcua", by=leader, active=False).active is False
    with pytest.raises(PermissionDenied):
        accounts.login("motcua", "mat-khau-123")
    accounts.change_password(leader, "mat-khau-moi-1")
    assert accounts.login("lanhdao", "mat-khau-moi-1").role == "leader"
    with pytest.raises(PermissionDenied):
        accounts.change_password(clerk, "mat-khau-moi-2", username="lanhdao")
