from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "display_name", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login", "deleted_at"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "display_name", "password1", "password2"]}),
    ]
    readonly_fields = ["date_joined", "last_login", "deleted_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "action", "actor", "object_type", "object_id", "programme"]
    list_filter = ["action", "programme", "occurred_at"]
    search_fields = ["actor__email", "object_type", "object_id"]
    date_hierarchy = "occurred_at"

    # The audit log is evidence: nobody edits or deletes it, not even administrators.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProfileAdmin(admin.ModelAdmin):
    search_fields = ["user__email", "user__display_name"]
    list_select_related = ["user"]


@admin.register(MentorProfile)
class MentorProfileAdmin(ProfileAdmin):
    list_display = ["user", "region", "capacity", "paused_at"]
    list_filter = ["region", "capacity", "lived_experience"]
    filter_horizontal = [
        "languages",
        "lived_experience",
        "looked_after_by",
        "topics_offered",
        "topics_off_limits",
    ]


@admin.register(MenteeProfile)
class MenteeProfileAdmin(ProfileAdmin):
    list_display = ["user", "practitioner_role", "employer", "region"]
    list_filter = ["practitioner_role", "region", "practice_areas"]
    filter_horizontal = ["languages", "practice_areas", "learning_goals"]
