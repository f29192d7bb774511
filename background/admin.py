from django.contrib import admin

from background.models import UnsentTask


@admin.register(UnsentTask)
class UnsentTaskAdmin(admin.ModelAdmin):
    """For the people who run the service: tasks the broker did not take. The sweep sends
    them again every few minutes; rows older than two days are left here to look at."""

    list_display = ["task", "args", "attempts", "created_at", "tried_at"]
    list_filter = ["task"]
    search_fields = ["task", "error"]
    readonly_fields = ["task", "args", "error", "attempts", "created_at", "tried_at"]

    def has_add_permission(self, request):
        return False
