"""The citizens' look-up pages (D48): a phone opens a slip's QR link and sees what the kiosk shows.

A small Flask application over the services, served by waitress (``python main.py lookup-server``):

- ``app.py``: :func:`create_app` builds the application: the pages, the brake on bad look-ups, the
  security headers and, behind a reverse proxy, which client address counts;
- ``pages.py``: the routes (``/``, ``/h/<payload>``) and the words of every page;
- ``brake.py``: bad look-ups per client address, with the kiosk's own brake (kiosk.KioskLookup);
- ``server.py``: the waitress server;
- ``templates/``, ``static/``: Jinja templates (autoescaped) and the one style sheet, inlined in every
  page and allowed by its hash in the Content-Security-Policy.

No model, no Qt: the pages get dataclasses from the services (kiosk.lookup, office settings).
"""

from desk.web.app import create_app

__all__ = ["create_app"]
