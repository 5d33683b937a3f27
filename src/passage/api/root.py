"""The JSON API root: /api/v1, token authentication, problem+json errors, the routers of every app."""

from __future__ import annotations

from ninja import NinjaAPI

from passage.api import problems
from passage.api.auth import ApiTokenAuth
from passage.core.api import router as core_router

api = NinjaAPI(
    title="Passage API",
    version="1",
    description=(
        "Operations, programmes, users, jobs and the audit trail of Passage. Authenticate with a personal "
        "API token (`Authorization: Bearer psg_…`, created on your profile page or with POST /tokens). "
        "Lists take `limit` (at most 200) and `offset`. Errors are RFC 9457 problems "
        "(application/problem+json)."
    ),
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
)
problems.install(api)
api.add_router("/", core_router)
api.add_router("/", "passage.registry.api.router")
api.add_router("/", "passage.registry.group_api.router")
api.add_router("/", "passage.matching.api_runs.router")
api.add_router("/", "passage.matching.api.router")
api.add_router("/", "passage.cases.api.router")
