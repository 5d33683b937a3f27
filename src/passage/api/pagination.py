"""Limit/offset pagination for every list: `?limit=50&offset=0` -> {count, limit, offset, items}."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class LimitOffset(PaginationBase):
    """A page of at most MAX_LIMIT items; a larger `limit` is capped, and the answer says so."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Items per page; at most {MAX_LIMIT}.")
        offset: int = Field(0, ge=0, description="Items to skip.")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: list[Any]

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        limit = min(pagination.limit, MAX_LIMIT)
        offset = pagination.offset
        return {
            "count": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
            "items": queryset[offset : offset + limit],
        }
