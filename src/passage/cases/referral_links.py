"""One-time links: how a provider without a Passage account reads a referral and answers it.

The rule, and why:
- A link carries a token of 32 random bytes. It is shown once to the caseworker (to pass on) or emailed to the
  provider's contacts who receive referrals; only its SHA-256 is stored (a 256-bit random secret cannot be
  guessed, only stolen, so a slow hash adds nothing). Issuing a new link revokes the referral's earlier ones. A
  link not opened within LINK_DAYS of being issued expires.
- Opening takes two steps, because mail scanners and link previews fetch every address in an email: fetching
  the link (GET) shows only the provider's name and a button, no personal data, and uses nothing up; pressing the
  button (POST) opens it.
- Opening consumes the token. The browser that opened it gets a session: a second random secret, in a cookie
  limited to the link pages (HttpOnly, SameSite=Lax, Secure when the site's cookies are), of which only a hash is
  stored. For SESSION_MINUTES from opening — counted from the opening, not extended by use — that browser alone
  may read the shared data and answer: acknowledge, accept or reject with a reason, record the service delivered
  and give feedback. The token never opens again: in another browser, or after the session, it is "already used",
  and the caseworker issues a new link. Reloading the page or answering in several steps within the session is
  what the session is for; a forwarded or leaked email, once the link was opened, shows nothing.
- The session ends early when the link is revoked, when the referral is closed or cancelled, and the shared data
  disappear from the page as soon as the person withdraws their consent to sharing.
- Every view is an audit event with the address it came from: the landing page, the opening, each view of the
  data, each refusal (unknown, expired, revoked, already used, session over) — except requests beyond the rate
  limit, which are answered 429 before anything is read.
- Rate limit: per address, LINK_TRIES landings and openings and SESSION_VIEWS session pages per RATE_WINDOW,
  counted in Django's cache (a fixed window). With several web processes, point CACHES at a shared cache (Redis)
  so that they count together; with the default local-memory cache each process counts on its own.
- Pages: no shell navigation, no script, nothing from another site; translatable and right to left; sent with
  Cache-Control: no-store, Referrer-Policy: same-origin (the address with the token never goes to
  another site) and X-Robots-Tag: noindex.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from passage.cases.models.referrals import ReferralLink

LINK_DAYS = 7
SESSION_MINUTES = 30
RATE_WINDOW = 600  # seconds
LINK_TRIES = 20
SESSION_VIEWS = 120
COOKIE_PREFIX = "passage_referral_"
TOKEN_BYTES = 32


def new_secret() -> tuple[str, str]:
    """(secret, its hash): the secret goes to the person, the hash to the database."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    return secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)


def find(token: str) -> ReferralLink | None:
    """The link a token belongs to, whatever its state (the caller says why it is refused)."""
    if not looks_like_token(token):
        return None
    link: ReferralLink | None = (
        ReferralLink.objects.select_related("referral", "referral__provider")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    return link


@dataclass(frozen=True)
class Refusal:
    code: str  # unknown, expired, revoked, used, finished, session_over


def refusal_to_open(link: ReferralLink | None, *, now: dt.datetime | None = None) -> Refusal | None:
    """Why this token may not be opened now, or None when it may."""
    now = now or timezone.now()
    if link is None:
        return Refusal("unknown")
    if link.revoked_at is not None:
        return Refusal("revoked")
    if link.referral.is_finished:
        return Refusal("finished")
    if link.opened_at is not None:
        return Refusal("used")
    if link.expires_at <= now:
        return Refusal("expired")
    return None


def refusal_in_session(link: ReferralLink | None, secret: str, *, now: dt.datetime | None = None) -> Refusal | None:
    """Why this browser may not read the link's page now, or None when it may."""
    now = now or timezone.now()
    if link is None or not secret or not link.session_hash:
        return Refusal("unknown")
    if not hmac.compare_digest(link.session_hash, hash_secret(secret)):
        return Refusal("unknown")
    if link.revoked_at is not None:
        return Refusal("revoked")
    if link.referral.is_finished:
        return Refusal("finished")
    if link.session_ends_at is None or link.session_ends_at <= now:
        return Refusal("session_over")
    return None


def cookie_name(link: ReferralLink) -> str:
    return f"{COOKIE_PREFIX}{link.pk.hex}"


def session_secret(request: HttpRequest, link_id: Any) -> str:
    name = f"{COOKIE_PREFIX}{getattr(link_id, 'hex', str(link_id).replace('-', ''))}"
    return request.COOKIES.get(name, "")[:100]


def session_ends(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(minutes=SESSION_MINUTES)


def link_expires(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=LINK_DAYS)


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def within_rate(request: HttpRequest, bucket: str, limit: int) -> bool:
    """Count one request of this address in `bucket`; False once it is over `limit` in the current window."""
    window = int(time.time() // RATE_WINDOW)
    key = f"passage:referral-link:{bucket}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=RATE_WINDOW + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=RATE_WINDOW + 5)
        return True
    return int(count) <= limit
