from django.contrib import admin

from notifications.models import EmailOptOut, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "created_at", "read_at", "email_wanted"]
    search_fields = ["person__email", "person__display_name", "event_key"]
    autocomplete_fields = ["person"]
    date_hierarchy = "created_at"


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["person__email", "person__display_name"]
    autocomplete_fields = ["person"]
