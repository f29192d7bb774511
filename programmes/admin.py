from django.contrib import admin

from programmes import models


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


@admin.register(models.OrganisationTerm)
class OrganisationTermAdmin(admin.ModelAdmin):
    """An organisation's own words to avoid: its coordinators keep the list on their page."""

    list_display = ["word", "alternative", "organisation", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["word", "alternative"]
    readonly_fields = ["created_by", "created_at"]
