"""Small helpers without Home Assistant state."""

from __future__ import annotations

import re
from ipaddress import ip_address

from yarl import URL

# a host name as it goes on the wire (IDNA-encoded by yarl): letters, digits, '-', '.', '_'
_HOST_NAME = re.compile(
    r"[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?"
)


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
    """Whether a URL is a ws:// or wss:// URL with a usable host and port."""
    try:
        parsed = URL(url.strip())
        host = parsed.raw_host or ""
        port = parsed.explicit_port
    except TypeError, ValueError:
        return False
    if parsed.scheme not in ("ws", "wss") or not host or port == 0:
        return False
    try:
        ip_address(host)
    except ValueError:
        return _HOST_NAME.fullmatch(host) is not None
    return True
