"""Django's admin, for platform superusers only: role definitions and raw inspection.

Everyday administration happens on Passage's own pages (/manage/); what a role may do is global
(all operations), so changing it is a platform superuser's job, here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from passage.core.models import AuditEvent, Operation, Role, RoleGrant
from passage.core.roles import PERMISSIONS


class RoleGrantForm(forms.ModelForm):
    permission = forms.ChoiceField(choices=sorted(PERMISSIONS.items()))

    class Meta:
        model = RoleGrant
        fields = ["permission"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    form = RoleGrantForm
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "requires_two_factor"]
    inlines = [RoleGrantInline]


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "is_active"]
    search_fields = ["name", "code"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail can be looked at, never changed."""

    list_display = ["id", "at", "actor_username", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_id", "action"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
