from django.contrib import admin

from activities.models import Activity, Place


class PlaceInline(admin.TabularInline):
    model = Place
    extra = 0
    fields = ("person", "answer", "attendance", "attendance_by")
    readonly_fields = fields
    can_delete = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "kind", "starts_at", "places", "who")
    list_filter = ("kind", "who")
    readonly_fields = ("created_by", "created_at")
    inlines = [PlaceInline]
