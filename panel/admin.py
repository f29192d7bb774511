from django.contrib import admin

from panel import models


@admin.register(models.Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Proposals and their decisions. Changes go through panel.services, so the admin only
    reads them. Votes stay out: the panel is told nobody sees who voted which way."""

    list_display = ["change", "programme", "about", "status", "proposed_at", "decided_at"]
    list_filter = ["status", "about", "programme"]
    search_fields = ["change", "why", "decision"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Entry)
class EntryAdmin(admin.ModelAdmin):
    """ "You said, we did" entries, as every member of the programme reads them."""

    list_display = ["said", "programme", "published_at"]
    list_filter = ["programme"]
    search_fields = ["said", "did"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
