"""The JSON API root: /api/v1, token authentication, problem+json errors, the routers of every app."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Passage API", version="1", urls_namespace="api-v1")
