from django.contrib import admin

from mentoring import models


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["programmes__matching_mode"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "matching_mode", "open_for_applications"]
    list_filter = ["organisation", "matching_mode", "open_for_applications"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Administrator)
class AdministratorAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["person__email", "person__display_name"]
    autocomplete_fields = ["person"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "programme", "role", "joined_at", "ended_at"]
    list_filter = ["programme", "role", "ended_at"]
    search_fields = ["person__email", "person__display_name"]
    autocomplete_fields = ["person"]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["programme", "role", "email", "created_at", "expires_at", "accepted_at"]
    list_filter = ["programme", "role", "accepted_at", "revoked_at"]
    search_fields = ["email", "note"]
    exclude = ["token"]


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["person", "programme", "role", "status", "created_at"]
    list_filter = ["programme", "role", "status"]
    search_fields = ["person__email", "person__display_name"]


@admin.register(models.Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["pcf_domains"]
    search_fields = ["name", "slug", "description"]
    filter_horizontal = ["pcf_domains"]


@admin.register(models.LivedExperienceArea)
class LivedExperienceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["relevant_practice_areas"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["relevant_practice_areas"]


@admin.register(models.PCFDomain, models.PracticeArea, models.Language, models.LocalAuthority)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["name"]
    search_fields = ["name", "slug"]


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


@admin.register(models.PlannedSession)
class PlannedSessionAdmin(admin.ModelAdmin):
    list_display = ["match", "starts_at", "duration_minutes", "meeting_mode", "cancelled_at"]
    list_filter = ["meeting_mode", "match__programme"]
    search_fields = ["match__mentor__email", "match__mentee__email"]
    raw_id_fields = ["match", "planned_by", "cancelled_by", "session"]
