"""The services' file writing: desk.files's atomic writer, plus cleaning the program's own folders at start.

The writer itself lives in the root module desk.files (desk.config writes the settings file
through it and must not import the services); the services keep importing it from here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from desk.config import data_dir
from desk.files import (
    SQLITE_SIDE_FILES,
    STALE_AFTER,
    TEMP_MARK,
    already_exists,
    atomic_path,
    atomic_write,
    clean_stale,
    fsync_dir,
    fsync_file,
    host_label,
    is_temp_name,
    new_temp,
    numbered,
    publish,
    publish_unique,
    remove_temp,
    stale_reason,
    temp_name,
    write_bytes,
    write_error,
    write_text,
)

__all__ = [
    "SQLITE_SIDE_FILES", "STALE_AFTER", "TEMP_MARK", "already_exists", "atomic_path", "atomic_write",
    "clean_program_folders", "clean_stale", "fsync_dir", "fsync_file", "host_label", "is_temp_name", "new_temp",
    "numbered", "publish", "publish_unique", "remove_temp", "stale_reason", "temp_name", "write_bytes",
    "write_error", "write_text",
]


def clean_program_folders(*folders: Path | str | None) -> list[Path]:
    """At start: clean the data folder, the backups folder, the temporary folder (report scratch files)
    and the other folders given (the database's)."""
    base = data_dir()
    removed = []
    seen: set[str] = set()
    for folder in (base, base / "backups", Path(tempfile.gettempdir()), *folders):
        if folder is None:
            continue
        key = os.path.normcase(os.path.abspath(folder))
        if key not in seen:
            seen.add(key)
            removed += clean_stale(folder)
    return removed
