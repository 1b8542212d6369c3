"""The look-up application: pages, the brake on bad look-ups, security headers, the client address."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response
from markupsafe import Markup

from desk.services.clock import Clock
from desk.web.brake import ClientBrake

# The one style sheet, inlined in every page (no second request, and it works under any path prefix the
# office's proxy gives the pages); the policy allows exactly that text by its hash.
STYLE = (Path(__file__).resolve().parent / "static" / "desk.css").read_text(encoding="utf-8")
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
# Nothing but that style sheet and inline images; no script at all, no frame, forms to ourselves only.
CONTENT_SECURITY_POLICY = (f"default-src 'none'; style-src '{STYLE_HASH}'; img-src 'self' data:; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The largest request body accepted (413 beyond, unread): the rating form's token, level and a comment of
# 300 characters percent-encoded as UTF-8 (up to 9 bytes each for Vietnamese) fit in it.
MAX_BODY = 4 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass
class WebContext:
    """What the pages share: the brake per client address and the one clock."""

    brake: ClientBrake
    clock: Clock


def create_app(*, proxies: int = 0, brake: ClientBrake | None = None, clock: Clock | None = None) -> Flask:
    """The look-up pages as a WSGI application.

    ``proxies``: how many reverse proxies of the office stand in front (0: none). Only then is the
    client address taken from ``X-Forwarded-For`` (that many entries from its right end, werkzeug's
    ProxyFix); without it the header is ignored, so nobody can pick the address the brake counts.
    """
    from desk.web.pages import pages

    app = Flask(__name__, static_folder=None, template_folder="templates")
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, MAX_FORM_MEMORY_SIZE=MAX_BODY, MAX_FORM_PARTS=8,
                      TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.globals["style"] = Markup(STYLE)  # our own file, byte for byte: its hash is in the policy
    app.extensions["desk"] = WebContext(brake or ClientBrake(), clock or Clock())
    app.register_blueprint(pages)
    app.after_request(_secure)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0, x_port=0,  # type: ignore[method-assign]
                                x_prefix=0)
    return app


def _secure(response: Response) -> Response:
    """Every response: the security headers, and never stored (a page shows a dossier's state)."""
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Set-Cookie", None)  # nothing to remember about a reader
    return response
