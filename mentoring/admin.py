from django.contrib import admin

from mentoring import models


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["match", "starts_at", "duration_minutes", "status", "logged_by"]
    list_filter = ["status", "meeting_mode", "match__programme"]
    search_fields = ["match__mentor__email", "match__mentee__email", "note"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["match", "logged_by", "confirmed_by", "approved_by"]


class ConcernActionInline(admin.TabularInline):
    model = models.ConcernAction
    extra = 0
    can_delete = False
    readonly_fields = ["coordinator", "note", "new_status", "created_at"]

    # Actions are a record of what was done: added through the service, never edited.
    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["match", "kind", "status", "created_at"]
    list_filter = ["kind", "status", "match__programme"]
    search_fields = ["raised_by__email", "what_happened"]
    raw_id_fields = ["match", "raised_by"]
    inlines = [ConcernActionInline]


# Session feedback and co-production checks are not here: people are told that only
# coordinators see their answers, added together with other people's. Even without a name,
# one answer beside its session or match says who gave it (the mentor of Sam's match), so
# the people who run the service see them only as the statistics show them.
# Agreements are not here either: the two people of a match are told only they read theirs.


@admin.register(models.PlannedSession)
class PlannedSessionAdmin(admin.ModelAdmin):
    list_display = ["match", "starts_at", "duration_minutes", "meeting_mode", "cancelled_at"]
    list_filter = ["meeting_mode", "match__programme"]
    search_fields = ["match__mentor__email", "match__mentee__email"]
    raw_id_fields = ["match", "planned_by", "cancelled_by", "session"]


@admin.register(models.ProgrammeQuestion)
class ProgrammeQuestionAdmin(admin.ModelAdmin):
    """A programme's own questions. Their answers stay out of the admin, as all feedback
    does (tests/test_admin.py)."""

    list_display = ["text", "programme", "asks_in", "who", "added_at", "retired_at"]
    list_filter = ["asks_in", "who", "programme"]
    search_fields = ["text"]
    readonly_fields = ["added_by", "added_at", "retired_by", "retired_at"]
