"""Bad look-ups slowed down per client address, with the kiosk's brake (kiosk.KioskLookup).

The kiosk counts invalid scans and pauses; the phone page does the same for each client address: after
``max_failures`` bad look-ups (bare codes, forged checks, anything but a valid slip, and forged rating
forms) within ``window_s`` seconds, every look-up from that address is refused for ``pause_s`` seconds (HTTP 429).
One rule in one place: the counting is the kiosk's; this module only keeps one brake per address.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from desk.services.clock import Clock
from desk.services.kiosk import KioskAnswer, KioskLookup

MAX_FAILURES = 10  # bad look-ups ...
WINDOW_S = 60.0  # ... within a minute ...
PAUSE_S = 60.0  # ... refuse that address for a minute
MAX_ADDRESSES = 10_000  # addresses remembered at once; the least recently seen is forgotten first


class _Entry:
    __slots__ = ("brake", "lock")

    def __init__(self, brake: KioskLookup) -> None:
        self.brake = brake
        self.lock = threading.Lock()


class ClientBrake:
    """One :class:`KioskLookup` per client address, safe to call from waitress's threads."""

    def __init__(self, *, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S, pause_s: float = PAUSE_S,
                 max_addresses: int = MAX_ADDRESSES) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.pause_s = pause_s
        self.max_addresses = max_addresses
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _entry(self, address: str) -> _Entry:
        with self._lock:
            entry = self._entries.get(address)
            if entry is None:
                entry = _Entry(KioskLookup(max_failures=self.max_failures, window_s=self.window_s,
                                           pause_s=self.pause_s))
                self._entries[address] = entry
                while len(self._entries) > self.max_addresses:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(address)
            return entry

    def look_up(self, address: str, payload: str, *, clock: Clock | None = None) -> KioskAnswer:
        """The kiosk's answer for ``payload`` asked from ``address``, or its pause (state "paused")."""
        entry = self._entry(address or "?")
        with entry.lock:
            return entry.brake(payload, clock=clock)

    def count_failure(self, address: str, *, clock: Clock | None = None) -> None:
        """A bad request from ``address`` that is not a look-up (a forged rating form) counts as a bad look-up."""
        entry = self._entry(address or "?")
        with entry.lock:
            entry.brake.count_failure(clock=clock)
