"""Activities in the Django admin: to look, not to change. Answers and attendance change
only through the services, which check who may, audit it and (for attendance) pay it."""

from django.contrib import admin

from activities.models import Activity, Place


class PlaceInline(admin.TabularInline):
    model = Place
    extra = 0
    fields = ["person", "answer", "attendance", "attendance_by", "attendance_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "kind", "starts_at", "places", "who"]
    list_filter = ["programme", "kind", "who"]
    search_fields = ["title", "kind_name", "programme__name"]
    list_select_related = ["programme"]
    inlines = [PlaceInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
