"""Where a command may write a file: checked once, before any work, for every command that writes one.

A folder that does not exist is refused, never created: a typo in ``--out`` must not leave a new folder
tree that nobody looks in (and a slip that seems printed). A name too long for the file system, a path
through a regular file, or a name the file system cannot encode is refused with one clear line instead
of an OSError from deep inside the writer.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _

# ext4 and NTFS allow 255 (bytes, UTF-16 units); the writer's temporary file beside the target needs room.
MAX_FILE_NAME_BYTES = 200
_SHOWN = 120  # characters of a refused path quoted in the message


def _shown(path: str) -> str:
    return path if len(path) <= _SHOWN else "…" + path[-(_SHOWN - 1):]


def check_output_path(out: str | os.PathLike[str] | None, *, folder_ok: bool = False) -> Path:
    """The path to write, or ValidationError (key "out") saying why not; nothing is created or written.

    ``folder_ok``: an existing folder is accepted and the writer puts its default file name in it
    (slips, log books). Otherwise the path must name a file in an existing folder.
    """
    text = os.fspath(out) if out is not None else ""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"out": _("Give the file to write (--out)")})
    shown = _shown(text)
    try:
        encoded = os.fsencode(text)
    except UnicodeError as exc:
        raise ValidationError({"out": _("{path} is not a file name this computer can use").format(
            path=ascii(shown))}) from exc
    if b"\0" in encoded:
        raise ValidationError({"out": _("{path} is not a file name this computer can use").format(
            path=ascii(shown))})
    path = Path(text)
    means_folder = text.endswith(("/", os.sep))  # "out/" names a folder even where it does not exist
    name = os.fsencode(path.name)
    if len(name) > MAX_FILE_NAME_BYTES:
        raise ValidationError({"out": _("The file name is too long ({count} bytes, at most {limit}); choose a "
                                        "shorter name").format(count=len(name), limit=MAX_FILE_NAME_BYTES)})
    try:
        if path.is_dir():
            if folder_ok:
                return path
            raise ValidationError({"out": _("{path} is a folder; give the name of the file to write").format(
                path=shown)})
        folder = path if means_folder else path.parent
        if not folder.is_dir():
            if folder.exists():
                raise ValidationError({"out": _("{folder} is a file, not a folder; choose another folder").format(
                    folder=_shown(str(folder)))})
            raise ValidationError({"out": _("The folder {folder} does not exist; create it first or choose another "
                                            "folder. Nothing was written.").format(folder=_shown(str(folder)))})
    except OSError as exc:  # a folder name too long, a loop of links, no permission to look
        reason = _("a folder name in it is too long") if exc.errno == errno.ENAMETOOLONG else exc.strerror or exc
        raise ValidationError({"out": _("Cannot write to {path}: {reason}").format(path=shown, reason=reason)}) \
            from exc
    return path
