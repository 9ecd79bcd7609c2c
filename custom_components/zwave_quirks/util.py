"""Small helpers without Home Assistant state."""

from __future__ import annotations

from yarl import URL


def redact_url(url: str) -> str:
    """Return the URL without credentials, query string or fragment."""
    try:
        parsed = URL(url)
    except TypeError, ValueError:
        return "**REDACTED**"
    if parsed.user or parsed.password:
        parsed = parsed.with_user(None).with_password(None)
        parsed = parsed.with_host(parsed.host or "")
    if parsed.query_string or parsed.fragment:
        parsed = parsed.with_query(None).with_fragment(None)
    return str(parsed)


def valid_server_url(url: str) -> bool:
    """Whether a URL is a ws:// or wss:// URL with a host."""
    try:
        parsed = URL(url.strip())
    except TypeError, ValueError:
        return False
    return parsed.scheme in ("ws", "wss") and bool(parsed.host)
