"""The production WSGI server of the look-up pages: waitress (pure Python, runs on Windows and Linux)."""

from __future__ import annotations

from typing import Any

THREADS = 8  # look-ups are short reads; 8 threads keep 50 requests a second well under 100 ms


def create_server(app: Any, host: str, port: int, *, threads: int = THREADS) -> Any:
    """A waitress server bound to ``host``:``port`` (0: a free port, see ``.effective_port``); not yet
    running: call ``.run()`` (blocks) and ``.close()``."""
    from waitress.server import create_server as waitress_server

    return waitress_server(app, host=host, port=port, threads=threads, ident="OneStop Desk")
