"""PyInstaller runtime hook: pyzbar finds the libzbar that the bundle carries.

On Linux pyzbar asks ``ctypes.util.find_library("zbar")``, which looks only at the system's
library cache; a machine without libzbar0 installed would lose scanning. The spec copies libzbar
next to the other bundled libraries, and this hook answers with that copy. On Windows the pyzbar
wheel's own DLLs are bundled in ``pyzbar/``, where pyzbar looks first in a frozen program.
"""

import ctypes.util
import os
import sys

_bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "libzbar.so.0")
if sys.platform.startswith("linux") and os.path.isfile(_bundled):
    _system_find_library = ctypes.util.find_library

    def _find_library(name):
        if name == "zbar":
            return _bundled
        return _system_find_library(name)

    ctypes.util.find_library = _find_library
