"""The arrows point one way (docs/DECISIONS.md D34): each layer imports only what is below it.

Read from the source with ``ast``, imports inside functions included, so a lazy import cannot slip past.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "desk"

# Shared by every layer; they import nothing of the project but each other.
SHARED = {"errors", "text", "i18n", "redaction", "config", "files", "timezone"}
LAYERS = {"models", "services", "hardware", "views", "web"}
# What each layer may import of desk (besides itself and the shared root modules); None: anything.
ALLOWED: dict[str, set[str] | None] = {
    "shared": set(),
    "models": set(),
    "hardware": set(),
    "services": {"models"},
    "views": {"services", "hardware"},
    "web": {"services"},
    "wiring": None,  # app.py and cli.py build everything
}
# The root of the root: errors, text and i18n import nothing of the project but each other.
ROOTMOST = {"errors", "text", "i18n"}
NO_QT = {"shared", "models", "services", "web"}
# The web framework and its server belong to desk/web (and the wiring that starts it) alone (D48).
WEB_FRAMEWORKS = {"flask", "werkzeug", "jinja2", "markupsafe", "waitress"}
NO_WEB = {"shared", "models", "services", "hardware", "views"}


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    if len(parts) > 1 and parts[1] in SHARED:
        return "shared"
    return "wiring"


def _imports(module: str, is_package: bool, text: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in a module's source."""
    module_parts = module.split(".")
    package = module_parts if is_package else module_parts[:-1]
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found += [(base, alias.name, node.lineno) for alias in node.names]
    return found


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = sorted(PACKAGE.rglob("*.py"))


def _violations(source: str, text: str, is_package: bool = False) -> list[str]:
    """What in a module's source breaks the direction of the arrows, one line each."""
    layer = _layer(source)
    allowed = ALLOWED[layer]
    found = []
    for target, name, line in _imports(source, is_package, text):
        where = f"{source}:{line}"
        if target.split(".")[0] == "PyQt6" and layer in NO_QT:
            found.append(f"{where}: {layer} imports {target}")
        if target.split(".")[0] in WEB_FRAMEWORKS and layer in NO_WEB:
            found.append(f"{where}: {layer} imports {target}")
        if target == "desk" and name:  # from desk import services
            target = f"desk.{name}"
        if not target.startswith("desk.") or allowed is None:
            continue
        target_layer = _layer(target)
        if target_layer not in {layer, "shared"} and target_layer not in allowed:
            found.append(f"{where}: {layer} imports {target}")
        if layer == "shared" and source.split(".")[1] in ROOTMOST and target.split(".")[1] not in ROOTMOST:
            found.append(f"{where}: {source} imports {target}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_point_one_way(path: Path) -> None:
    assert _violations(_module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py") == []


def test_the_rule_sees_a_violation() -> None:
    """The checker itself: Qt or a view in a service, models in a view, services in the root are caught."""
    service = "from PyQt6.QtCore import QObject\nfrom desk.views import common\ndef f():\n    from ..models import db\n"
    assert _violations("desk.services.probe", service) == [
        "desk.services.probe:1: services imports PyQt6.QtCore",
        "desk.services.probe:2: services imports desk.views",
    ]
    assert _violations("desk.views.probe", "def f():\n    from desk.models import db\n") == [
        "desk.views.probe:2: views imports desk.models"
    ]
    assert _violations("desk.config", "def f():\n    from .services import files\n") == [
        "desk.config:2: shared imports desk.services"
    ]
    assert _violations("desk.errors", "from desk import redaction\n") == ["desk.errors:1: desk.errors imports desk.redaction"]
    assert _violations("desk.views.probe", "from desk.services import intake\nfrom . import common\n") == []
    assert _violations("desk.services.probe", "def f():\n    import flask\n    from waitress import serve\n") == [
        "desk.services.probe:2: services imports flask", "desk.services.probe:3: services imports waitress"]
    assert _violations("desk.web.probe", "from desk.models import Office\nfrom PyQt6 import QtCore\n") == [
        "desk.web.probe:1: web imports desk.models", "desk.web.probe:2: web imports PyQt6"]
    assert _violations("desk.web.probe", "import flask\nfrom desk.services import kiosk\n") == []
