"""HTTP security: response headers and same-origin redirect targets."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else ``None``.

    Rejects absolute and scheme-relative URLs (``//host``, ``/\\host``, ``https:host``) also when
    they are percent-encoded once or twice, and anything with control characters.
    """
    if not target:
        return None
    decoded = target
    for _ in range(3):  # undo nested percent-encoding before judging
        decoded = unquote(decoded)
    for candidate in (target, decoded):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return None
        if "\\" in candidate:
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


def set_security_headers(response: Response, *, hsts: bool) -> Response:
    """Add the headers every response carries; logged-in pages are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if hsts:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    """Register the header hook on ``app``."""
    hsts = bool(app.config.get("HSTS"))

    @app.after_request
    def _headers(response: Response) -> Response:
        return set_security_headers(response, hsts=hsts)
