"""The setuptools build hook that compiles the message catalogs; everything else is in pyproject.toml.

``pip install .`` (and a wheel built from the tree) gets ``desk/resources/locale/<lang>/LC_MESSAGES/desk.mo``
compiled from the ``desk.po`` beside it, by the same code as ``tools/messages.py --compile`` (Babel comes
from pyproject's build-system requirements), so an installed desk never runs on the English source strings.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _messages_tool():
    """tools/messages.py loaded from its file: tools/ is no package of the distribution."""
    spec = importlib.util.spec_from_file_location("desk_messages_tool", ROOT / "tools" / "messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogs(build_py):
    """build_py, then desk.mo beside every desk.po copied into the build folder."""

    def run(self) -> None:
        super().run()
        locale = Path(self.build_lib) / "desk" / "resources" / "locale"
        for mo in _messages_tool().compile_catalogs(locale):
            print(f"compiled {mo.relative_to(self.build_lib)}")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
