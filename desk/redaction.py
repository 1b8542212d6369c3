"""Database passwords never reach a screen, stderr or the log file: the one place that hides them.

:func:`redact` takes any text (one URL, a libpq keyword string, a log record, a traceback) and
replaces every database password in it with ``***``. It finds a password three ways:

- **in a URL** (``scheme://user:PASSWORD@host/...``): the password runs from the first ``:`` after
  the user name to the *last* ``@`` on the line, so a password holding ``@``, ``:``, ``/``, ``?``,
  ``#``, ``%40``, spaces or any other character is hidden whole, even where a URL parser would cut it
  at ``/`` or ``#``. When the part before that ``:`` cannot be a user name (it holds ``/ ? # @``),
  :func:`urllib.parse.urlsplit` reads the URL the standard way. A later ``@`` on the same line that
  is not the host's (an e-mail address after the URL) makes it hide more than the password: the
  safe side;
- **as a keyword**: ``password=...`` (libpq keyword/value strings, URL queries, ``PGPASSWORD=``),
  with libpq's quoting (``password='a b\\'c'``), and ``'password': '...'`` (a dict in a traceback);
- **as a piece of a password in use**: :func:`protect` remembers the password of every URL the
  program connects with. A driver that misreads a URL echoes pieces of it (``Port could not be cast
  to integer value as 'pa55'``, ``could not translate host name "word@host"``), so any run of
  :data:`MIN_FRAGMENT` or more characters of a remembered password is hidden wherever it appears,
  ignoring case.

:func:`redacting_stderr` applies the same to everything a command writes on stderr (messages,
warnings, tracebacks). This module imports nothing of the project, so every layer can use it.
"""

from __future__ import annotations

import string
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TextIO, TypeVar
from urllib.parse import unquote, urlsplit

MASK = "***"
MIN_FRAGMENT = 4  # a remembered password is hidden down to runs of this many characters
MAX_REMEMBERED = 64  # passwords remembered per process (oldest forgotten first)

_SCHEME_CHARS = frozenset(string.ascii_letters + string.digits + "+-.")
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "_")
_NOT_IN_USER = frozenset("/?#@")
_PASSWORD_KEYS = ("password", "passwd", "passphrase")
_BLANKS = " \t"

_lock = threading.Lock()
_remembered: dict[str, None] = {}  # an ordered set of passwords
_grams: frozenset[str] = frozenset()  # every MIN_FRAGMENT-long piece of them, lower-cased

F = TypeVar("F", bound=Callable[..., object])


# -- finding passwords --------------------------------------------------------------------------
def _url_password_spans(line: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each URL password in one line of text."""
    search = 0
    while True:
        sep = line.find("://", search)
        if sep < 0:
            return
        start = sep
        while start > 0 and line[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < sep and not line[start].isalpha():  # a scheme starts with a letter
            start += 1
        after = sep + 3
        at = line.rfind("@", after)
        if start == sep or at < 0:
            # No scheme, or no "@" left on the line: no later URL on it has a password either.
            if at < 0:
                return
            search = after
            continue
        user, colon, _rest = line[after:at].partition(":")
        if colon and not _NOT_IN_USER.intersection(user):
            yield after + len(user) + 1, at
            search = at + 1
            continue
        # The part before ":" is not a user name (a path, a query, "user@host:port"): read the URL,
        # up to the first blank, the standard way.
        end = after
        while end < len(line) and not line[end].isspace():
            end += 1
        netloc = _netloc(line[start:end])
        if "@" in netloc:
            userinfo = netloc.rpartition("@")[0]
            user, colon, password = userinfo.partition(":")
            if colon and password:
                first = after + len(user) + 1
                yield first, first + len(password)
        search = after


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc
    except ValueError:  # an unbalanced "[" of an IPv6 host: the authority still ends at / ? #
        rest = url.partition("://")[2]
        for stop in "/?#":
            rest = rest.partition(stop)[0]
        return rest


def _keyword_password_spans(line: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each ``password=value`` / ``'password': 'value'`` value in one line."""
    lowered = line.lower()
    if not any(key in lowered for key in _PASSWORD_KEYS):
        return
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c not in "=:":
            i += 1
            continue
        j = i
        while j > 0 and line[j - 1] in _BLANKS:
            j -= 1
        quote = ""
        if c == ":":  # only the quoted-key form: 'password': '...'
            if j == 0 or line[j - 1] not in "'\"":
                i += 1
                continue
            quote = line[j - 1]
            j -= 1
        k = j
        while k > 0 and line[k - 1] in _KEY_CHARS:
            k -= 1
        key = line[k:j].lower()
        if not key.endswith(_PASSWORD_KEYS) or (quote and (k == 0 or line[k - 1] != quote)):
            i += 1
            continue
        v = i + 1
        while v < n and line[v] in _BLANKS:
            v += 1
        end = _value_end(line, v, in_query=k > 0 and line[k - 1] in "?&")
        if end > v:
            yield v, end
        i = max(end, i + 1)


def _value_end(line: str, v: int, *, in_query: bool) -> int:
    """Where a keyword's value ends: its closing quote (libpq's backslash escapes), else a blank
    (or ``&``/``#`` inside a URL query)."""
    n = len(line)
    if v < n and line[v] in "'\"":
        q, e = line[v], v + 1
        while e < n and line[e] != q:
            e += 2 if line[e] == "\\" else 1
        return min(e + 1, n)
    e = v
    stops = "&#" if in_query else ""
    while e < n and not line[e].isspace() and line[e] not in stops:
        e += 1
    return e


def _spans(line: str) -> list[tuple[int, int]]:
    return sorted([*_url_password_spans(line), *_keyword_password_spans(line)])


def _mask_spans(line: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(line[pos:start])
        out.append(MASK)
        pos = end
    out.append(line[pos:])
    return "".join(out)


# -- remembered passwords -----------------------------------------------------------------------
def _lower(text: str) -> str:
    """Lower case, one character for one (so positions still match the original)."""
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _unquoted(value: str) -> str:
    """A keyword value as libpq reads it: without its quotes and backslash escapes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner, out, i = value[1:-1], [], 0
        while i < len(inner):
            if inner[i] == "\\" and i + 1 < len(inner):
                i += 1
            out.append(inner[i])
            i += 1
        return "".join(out)
    return value


def passwords_in(text: str | None) -> set[str]:
    """Every reading of the passwords in ``text``: as written, percent-decoded (what the driver
    gets), unquoted, and as :func:`urllib.parse.urlsplit` cuts them."""
    if not isinstance(text, str) or not text:
        return set()
    found: set[str] = set()
    for line in text.splitlines():
        for start, end in _spans(line):
            found.add(line[start:end])
        try:
            password = urlsplit(line.strip()).password
        except ValueError:
            password = None
        if password:
            found.add(password)
    for value in list(found):
        found.update({_unquoted(value), unquote(value), unquote(_unquoted(value))})
    return {value for value in found if value}


def protect(url: str | None) -> None:
    """Remember the password of a URL or keyword string the program is about to use.

    From then on :func:`redact` hides every run of :data:`MIN_FRAGMENT` characters of it, even in
    messages that no longer look like a URL. Shorter passwords are hidden where they stand in a URL
    or after ``password=`` only.
    """
    global _grams
    new = [p for p in passwords_in(url) if len(p) >= MIN_FRAGMENT]
    if not new:
        return
    with _lock:
        for password in new:
            _remembered.pop(password, None)
            _remembered[password] = None
        while len(_remembered) > MAX_REMEMBERED:
            del _remembered[next(iter(_remembered))]
        _grams = frozenset(
            low[i:i + MIN_FRAGMENT]
            for low in map(_lower, _remembered) for i in range(len(low) - MIN_FRAGMENT + 1))


def forget_protected() -> None:
    """Forget every remembered password (tests start each case with none)."""
    global _grams
    with _lock:
        _remembered.clear()
        _grams = frozenset()


def _scrub_remembered(text: str) -> str:
    grams = _grams
    if not grams or len(text) < MIN_FRAGMENT:
        return text
    for _round in range(8):  # a mask next to what is left could form a new piece: again until stable
        low = text.lower()
        if len(low) != len(text):
            low = _lower(text)
        spans = []
        for gram in grams:
            at = low.find(gram)
            while at >= 0:
                spans.append((at, at + MIN_FRAGMENT))
                at = low.find(gram, at + 1)
        if not spans:
            return text
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        text = _mask_spans(text, merged)
    return text


# -- the one function ---------------------------------------------------------------------------
def redact(text: str | None) -> str:
    """``text`` with every database password replaced by ``***`` (see the module's docstring).

    Used for every URL the program prints, shows or logs; never raises.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    lines = text.splitlines(keepends=True)
    text = "".join(_mask_spans(line, _spans(line)) for line in lines)
    return _scrub_remembered(text)


# -- stderr -------------------------------------------------------------------------------------
class _RedactingStream:
    """Passes text on to ``target`` a line at a time, redacted (a partial line when flushed)."""

    def __init__(self, target: TextIO):
        self._target = target
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                done, _nl, self._pending = self._pending.rpartition("\n")
                self._target.write(redact(done + "\n"))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._target.write(redact(self._pending))
                self._pending = ""
        self._target.flush()

    def __getattr__(self, name: str):  # encoding, isatty, fileno, buffer, ...
        return getattr(self._target, name)


def _redacting_excepthook(kind, value, tb) -> None:
    """Python's own report of an uncaught error, redacted."""
    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))
    sys.stderr.flush()


@contextmanager
def redacting_stderr() -> Iterator[None]:
    """Everything written on stderr meanwhile is redacted, and so is the report of an error that
    escapes (printed by the interpreter after this block)."""
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _redacting_excepthook
    original = sys.stderr
    if isinstance(original, _RedactingStream) or original is None:
        yield
        return
    wrapper = _RedactingStream(original)
    sys.stderr = wrapper
    try:
        yield
    finally:
        wrapper.flush()
        if sys.stderr is wrapper:
            sys.stderr = original


def redacts_stderr(func: F) -> F:
    """Decorator form of :func:`redacting_stderr`, for a command's entry point."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with redacting_stderr():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
