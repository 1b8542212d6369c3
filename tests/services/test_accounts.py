"""Staff accounts: first start, login with lockout, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desk.errors import PermissionDenied, ValidationError
from desk.services import accounts
from desk.services.accounts import SYSTEM
from desk.services.clock import FixedClock
from desk.services.kinds import Role


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
            accounts.login("thu", "sai", clock=FixedClock(now))
    with pytest.raises(PermissionDenied, match="bị khóa"):
        accounts.login("thu", "dung-mat-khau", clock=FixedClock(now))
    later = now + timedelta(minutes=accounts.LOCKOUT_MINUTES + 1)
    assert accounts.login("thu", "dung-mat-khau", clock=FixedClock(later)).full_name == "Nguyễn Thị Thu"


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


# -- the lockout counter is atomic (issue 9, item 7) -------------------------------------------------
LOGIN_WORKER = r"""
import json, os, sys, time
from desk.i18n import set_language
from desk.models.db import connect
from desk.services import accounts
from desk.errors import PermissionDenied

set_language("en")
url, go, attempts = sys.argv[1], sys.argv[2], int(sys.argv[3])
connect(url, create=False)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
wrong = locked = 0
for _i in range(attempts):
    try:
        accounts.login("thu", "not-the-password")
    except PermissionDenied as exc:
        if "locked" in str(exc):
            locked += 1
        else:
            wrong += 1  # the password was really checked
print(json.dumps({"wrong": wrong, "locked": locked}), flush=True)
"""


def _race_logins(url: str, tmp_path, processes: int = 12, attempts: int = 6) -> list[dict]:
    """``processes`` real processes, released at once, each trying a wrong password ``attempts`` times."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", LOGIN_WORKER, url, str(go), str(attempts)], cwd=root,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _i in range(processes)]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        go.touch()
        results = []
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def test_parallel_wrong_passwords_check_at_most_the_limit(any_office: str, tmp_path: Path) -> None:
    """12 processes at once: no more than MAX_FAILED_LOGINS passwords are ever checked before the lock
    (the old read-then-write counter let 60 through), and the lock then refuses the right password."""
    from desk.models import Staff

    accounts.create_staff("thu", "Nguyễn Thị Thu", "clerk", "dung-mat-khau", by=SYSTEM)
    results = _race_logins(any_office, tmp_path)
    checked = sum(r["wrong"] for r in results)
    assert sum(r["wrong"] + r["locked"] for r in results) == 12 * 6
    assert checked == accounts.MAX_FAILED_LOGINS, results
    staff = Staff.get(Staff.username == "thu")
    assert staff.locked_until is not None
    with pytest.raises(PermissionDenied, match="bị khóa"):
        accounts.login("thu", "dung-mat-khau")
    later = datetime.now(UTC) + timedelta(minutes=accounts.LOCKOUT_MINUTES + 1)
    assert accounts.login("thu", "dung-mat-khau", clock=FixedClock(later)).username == "thu"


def test_lock_ends_and_counting_starts_again(office):
    accounts.create_staff("thu", "Nguyễn Thị Thu", "clerk", "dung-mat-khau", by=SYSTEM)
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for _i in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDenied, match="Sai tên đăng nhập"):
            accounts.login("thu", "sai", clock=FixedClock(now))
    for minutes in (1, accounts.LOCKOUT_MINUTES - 1):
        with pytest.raises(PermissionDenied, match="bị khóa"):
            accounts.login("thu", "dung-mat-khau", clock=FixedClock(now + timedelta(minutes=minutes)))
    later = now + timedelta(minutes=accounts.LOCKOUT_MINUTES, seconds=1)
    # after the lock a fresh count: four wrong ones do not lock again, the fifth does
    for _i in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(PermissionDenied, match="Sai tên đăng nhập"):
            accounts.login("thu", "sai", clock=FixedClock(later))
    assert accounts.login("thu", "dung-mat-khau", clock=FixedClock(later)).username == "thu"  # and a success clears it
    for _i in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(PermissionDenied, match="Sai tên đăng nhập"):
            accounts.login("thu", "sai", clock=FixedClock(later))
    assert accounts.login("thu", "dung-mat-khau", clock=FixedClock(later)).username == "thu"


def test_unknown_and_inactive_accounts_look_alike(office):
    leader = accounts.create_staff("lanhdao", "Trần Văn Lâm", "leader", "mat-khau-123", by=SYSTEM)
    accounts.create_staff("cu", "Lê Văn Cũ", "clerk", "mat-khau-123", by=SYSTEM)
    accounts.update_staff("cu", by=leader, active=False)
    for name in ("nobody", "cu", ""):
        with pytest.raises(PermissionDenied, match="Sai tên đăng nhập"):
            accounts.login(name, "mat-khau-123")


def test_acting_staff_names_the_real_account(office):
    """The audit trail takes id and name from the account row: no SYSTEM, no deactivated or demoted account."""
    from desk.services.accounts import Actor

    leader = accounts.create_staff("lanhdao", "Trần Văn Lâm", Role.LEADER, "mat-khau-123", by=SYSTEM)
    clerk = accounts.create_staff("motcua", "Lê Thị Cúc", Role.CLERK, "mat-khau-123", by=SYSTEM)
    assert accounts.acting_staff(clerk, Role.CLERK).full_name == "Lê Thị Cúc"
    for nobody in (SYSTEM, Actor(None, "x", "Ai đó", Role.ADMIN), Actor(99999, "x", "Ai đó", Role.ADMIN), None, "admin"):
        with pytest.raises(PermissionDenied):
            accounts.acting_staff(nobody, Role.CLERK)  # type: ignore[arg-type]
    accounts.update_staff("motcua", by=leader, active=False)
    with pytest.raises(PermissionDenied):
        accounts.acting_staff(clerk, Role.CLERK)
    demoted = accounts.create_staff("cu_ld", "Phạm Văn Cũ", Role.LEADER, "mat-khau-123", by=SYSTEM)
    accounts.update_staff("cu_ld", by=leader, role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        accounts.acting_staff(demoted, Role.LEADER)  # the role the database holds now decides
