"""The package installs with pip and runs outside the source tree; the GUI's unattended smoke mode ends.

The fresh virtualenv gets the project with ``pip install`` from a copy of the files the package is
built from; its third-party dependencies come from the test's own environment through a .pth file
(installing PyQt6 and OpenCV again would take minutes), and ``pip check`` then proves that what
pyproject.toml declares is satisfied by the pinned versions.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "DESK_"))}
    env.update(DESK_DATA_DIR=str(tmp / "data"), DESK_CONFIG_DIR=str(tmp / "config"), HOME=str(tmp / "home"),
               QT_QPA_PLATFORM="offscreen")
    return env


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_declared_dependencies_accept_the_pins():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = _pins()
    runtime = (ROOT / "requirements.txt").read_text(encoding="utf-8").split("# Tests and tooling")[0]
    runtime_names = {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
                     for line in runtime.splitlines() if "==" in line}
    names = set()
    for text in declared:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        names.add(name)
        assert name in pins, f"{name} is declared but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {req.specifier}"
    assert names == runtime_names, "requirements.txt's runtime pins and pyproject's dependencies differ"


def test_build_requirements_accept_the_pins():
    """What setup.py's build step needs (Babel compiles the catalogs) is what venv.sh installs."""
    required = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    pins = _pins()
    for text in required:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name in pins:
            assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {req.specifier}"
    assert "babel" in pins and any(Requirement(text).name.lower() == "babel" for text in required)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv in a temp folder with the project pip-installed from a copy of its package files."""
    tmp = tmp_path_factory.mktemp("pkg")
    src = tmp / "src"
    # No .mo: the build step (setup.py, D36) must compile the catalogs itself, as on a fresh clone.
    shutil.copytree(ROOT / "desk", src / "desk", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    for name in ("pyproject.toml", "README.md", "setup.py", "MANIFEST.in", "tools/messages.py"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, src / name)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # The build backend (setuptools) comes from the package index, as for anyone running `pip install .`.
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(src)],
                            capture_output=True, text=True, timeout=300, env=_clean_env(tmp))
    assert result.returncode == 0, result.stderr
    return bindir


def _run(bindir: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    exe = bindir / ("onestop-desk.exe" if os.name == "nt" else "onestop-desk")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=_clean_env(cwd) | (env or {}))


def test_installed_package_is_not_the_source_tree(installed, tmp_path):
    python = installed / ("python.exe" if os.name == "nt" else "python")
    where = subprocess.run([str(python), "-c", "import desk, desk.i18n as i; print(desk.__file__); print(i.LOCALE_DIR)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True, env=_clean_env(tmp_path))
    module, locale = where.stdout.splitlines()
    assert Path(module).is_relative_to(installed.parent) and Path(locale).is_relative_to(installed.parent)
    assert (Path(locale) / "vi" / "LC_MESSAGES" / "desk.mo").is_file()  # compiled at install (D36)
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True,
                           env=_clean_env(tmp_path))
    broken = [line for line in check.stdout.splitlines() if line.lower().startswith("onestop-desk")]
    assert broken == [], broken  # e.g. "onestop-desk 0.1.0 has requirement PyQt6>=7, but you have pyqt6 6.11.0"


def test_command_runs_outside_the_source_tree(installed, tmp_path):
    help_run = _run(installed, "--help", cwd=tmp_path)
    assert help_run.returncode == 0, help_run.stderr
    assert help_run.stdout.startswith("cách dùng: onestop-desk")  # argparse speaks Vietnamese too
    # The description, translated: the Vietnamese catalog was found through the installed package.
    assert "bộ phận tiếp nhận và trả kết quả" in " ".join(help_run.stdout.split())

    init = _run(installed, "--db", "sqlite:///office.db", "init", cwd=tmp_path,
                env={"DESK_PASSWORD": "package-test-password"})
    assert init.returncode == 0, init.stderr
    listing = _run(installed, "--db", "sqlite:///office.db", "procedures", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "1.001193" in listing.stdout and "ngày làm việc" in listing.stdout  # seed catalog + translations

    exe = installed / ("onestop-desk.exe" if os.name == "nt" else "onestop-desk")
    gui = subprocess.run([str(exe), "--db", "sqlite:///office.db"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env=_clean_env(tmp_path) | {"DESK_SMOKE_QUIT_MS": "300"})
    assert gui.returncode == 0, gui.stderr  # no command: the desktop app, started and closed unattended
    assert "smoke: first window shown at" in gui.stderr


def test_smoke_mode_starts_the_gui_and_quits(tmp_path):
    """DESK_SMOKE_QUIT_MS ends the GUI even in the first-start dialog, after the bundle checks passed.

    The default database of a fresh machine: the windows create only that one on a first start."""
    env = _clean_env(tmp_path) | {"DESK_SMOKE_QUIT_MS": "300", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, env=env)
    assert (tmp_path / "data" / "onestop.db").exists()
    assert run.returncode == 0, run.stderr
    assert "QR read" in run.stderr
    assert re.search(r"^smoke: first window shown at \d+\.\d+: ", run.stderr, re.M), run.stderr
