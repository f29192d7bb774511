from django.contrib import admin

from journal import models


@admin.register(models.JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """Journal entries are private to the mentee who wrote them: the admin lists that they
    exist, for support and data requests, but never shows what they say."""

    list_display = ["mentee", "activity_date", "session", "shared_at", "created_at"]
    list_filter = ["activity_date", "shared_at"]
    search_fields = ["mentee__email", "mentee__display_name"]
    fields = ["mentee", "session", "activity_date", "shared_at", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GoalNoteInline(admin.TabularInline):
    model = models.GoalNote
    fields = ["author", "text", "session", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "mentee", "topic", "status", "created_at"]
    list_filter = ["status", "topic"]
    search_fields = ["title", "mentee__email", "mentee__display_name"]
    autocomplete_fields = ["mentee"]
    inlines = [GoalNoteInline]
