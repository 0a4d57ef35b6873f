"""Who may talk to the server: the Host check, the Origin check, the access token, CSRF.

- **Host.** Like ``guidegen preview``, the server answers only requests that name it: its
  address by number or as ``localhost`` (``preview.local_hosts``). A web page elsewhere that
  points a DNS name it controls at this machine (DNS rebinding) sends that name as the Host
  and is answered 421. A server shared on the network (``--host 0.0.0.0``) also answers to an
  IP address typed as such, and to the machine's own names.
- **Origin.** A request that a page of another origin makes carries that Origin: 403.
- **Access token.** A server that listens beyond this machine prints a token; each browser
  brings it once in the address (``?token=...``), gets it back as a cookie, and every request
  without it is answered 401. On 127.0.0.1 there is no token: only this machine's users reach
  it, as with preview.
- **CSRF.** Every form carries a token made from a random cookie of the browser and a secret
  of this server run (HMAC-SHA256); a form posted from anywhere else cannot know it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass, field
from functools import cached_property

from guidegen.preview import local_hosts

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """An access token: 128 random bits, in characters that survive a URL and a terminal."""
    return secrets.token_urlsafe(16)


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``name:port`` or ``[v6]:port`` as (name, port); None for something else."""
    value = value.strip().lower()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else ""
    else:
        name, _, port_text = value.partition(":")
    if port_text and not port_text.isdigit():
        return None
    return name, int(port_text) if port_text else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Guard:
    """The checks for one server run: where it listens and the secrets it holds."""

    host: str  # what the server binds to
    port: int
    access_token: str | None = None  # required by every request when set
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @property
    def shared(self) -> bool:
        """Whether the server listens beyond this machine (and so needs the access token)."""
        return not is_loopback(self.host)

    @cached_property
    def _machine_names(self) -> frozenset[str]:
        names = {socket.gethostname().lower()}
        try:
            names.add(socket.getfqdn().lower())
        except OSError:
            pass
        names |= {f"{name}.local" for name in list(names) if "." not in name}
        if not _is_ip(self.host.strip("[]")) and self.host not in ("", "0.0.0.0", "::"):
            names.add(self.host.lower())
        return frozenset(names)

    def host_allowed(self, header: str | None) -> bool:
        """Whether a request's Host names this server (see the module's note)."""
        if header is None:
            return False
        if header.lower() in local_hosts(self.port):
            return True
        if not self.shared:
            return False
        parts = _split_host(header)
        if parts is None:
            return False
        name, port = parts
        if (port or 80) != self.port:
            return False
        # A DNS name could be rebound to this machine; an address typed as one cannot.
        return _is_ip(name) or name in self._machine_names

    def origin_allowed(self, origin: str | None) -> bool:
        """A request with no Origin (a link followed, a form of this page in some browsers)
        or this server's own; a page elsewhere, or the opaque ``null``, is refused."""
        if origin is None:
            return True
        origin = origin.strip().lower()
        if not origin.startswith("http://"):
            return False
        return self.host_allowed(origin.removeprefix("http://"))

    def token_ok(self, given: str | None) -> bool:
        if self.access_token is None:
            return True
        return given is not None and hmac.compare_digest(
            given.encode("utf-8", "replace"), self.access_token.encode()
        )

    # ---- CSRF ----

    @property
    def csrf_cookie(self) -> str:
        # Cookies are shared by every port of a host: one server's must not clobber another's.
        return f"guidegen_csrf_{self.port}"

    @property
    def access_cookie(self) -> str:
        return f"guidegen_access_{self.port}"

    def csrf_token(self, cookie: str) -> str:
        """The token a form carries for the browser whose CSRF cookie is ``cookie``."""
        return hmac.new(self.secret, cookie.encode("utf-8", "replace"), hashlib.sha256).hexdigest()

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(
            self.csrf_token(cookie).encode(), token.encode("utf-8", "replace")
        )


def new_cookie() -> str:
    return secrets.token_urlsafe(24)


def valid_cookie(value: str | None) -> bool:
    """A CSRF cookie this server could have made (32 URL-safe characters)."""
    return (
        value is not None
        and len(value) == 32
        and all(ch.isalnum() or ch in "-_" for ch in value)
        and value.isascii()
    )
