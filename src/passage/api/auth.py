"""Bearer-token authentication for the API. Sessions and cookies are never accepted here."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from passage.core.actions.tokens import authenticate_token
from passage.core.models import User


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer psg_…`: a personal API token that is neither expired nor revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token.strip())
        if user is not None:
            # Code written for views reads request.user; make it the token's owner, not the session's.
            request.user = user
        return user
