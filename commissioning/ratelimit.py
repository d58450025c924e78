"""Limits on public forms, kept in the cache (Redis when REDIS_URL is set, so every web process
shares them) and never in the database. A client is known only by an HMAC of its address keyed
with SECRET_KEY: the address itself is stored nowhere, and each count expires with its window."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied


def client_fingerprint(request) -> str:
    """A stable, one-way name for the client's address. The address is found as allauth finds it
    for its own rate limits (ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy)."""
    try:
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        address = "unknown"
    return hmac.new(
        settings.SECRET_KEY.encode(), f"client-address:{address}".encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` uses in a fixed window of `window` seconds, for each key."""

    name: str
    limit: int
    window: int

    def _key(self, *parts: object) -> str:
        return ":".join(["ratelimit", self.name, *(str(part) for part in parts)])

    def take(self, *parts: object) -> bool:
        """Count one use; False if it goes over the limit. Atomic in Redis (INCR)."""
        key = self._key(*parts)
        cache.add(key, 0, timeout=self.window)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window starts
            cache.set(key, 1, timeout=self.window)
            used = 1
        return used <= self.limit

    @property
    def minutes(self) -> int:
        return max(1, self.window // 60)


# A person can give feedback on one service at most five times in ten minutes from one address.
FEEDBACK_RATE = RateLimit("feedback", limit=5, window=600)


def claim_once(name: str, value: str, *, timeout: int = 86400) -> bool:
    """True the first time a value is claimed: so a form sent twice (a double click, or the back
    button) is stored once."""
    return cache.add(f"once:{name}:{value}", 1, timeout=timeout)


def release(name: str, value: str) -> None:
    """Give a claim back, when what it guarded was not done after all."""
    cache.delete(f"once:{name}:{value}")
