from django.contrib import admin

from matching.models import ApprovalBatch, Match, MatchingRound, PairExclusion, Proposal


@admin.register(MatchingRound)
class MatchingRoundAdmin(admin.ModelAdmin):
    list_display = ["pk", "programme", "kind", "status", "created_at", "duration_ms"]
    list_filter = ["programme", "kind", "status"]
    search_fields = ["programme__name", "started_by__email"]
    # What the round was and did: read it, never edit it. Its input and output (RoundData)
    # are too large for a page; the coordinator's export has them.
    readonly_fields = [
        "stats",
        "labels",
        "stage",
        "error",
        "started_at",
        "finished_at",
        "duration_ms",
    ]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "round", "score", "status"]
    list_filter = ["status", "mentor_answer", "mentee_answer", "round__programme"]
    search_fields = [
        "mentor__email",
        "mentor__display_name",
        "mentee__email",
        "mentee__display_name",
    ]
    list_select_related = ["mentor", "mentee", "round"]
    raw_id_fields = ["round", "mentor", "mentee", "reviewed_by"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "programme", "status", "started_at", "ended_at"]
    list_filter = ["programme", "status"]
    search_fields = [
        "mentor__email",
        "mentor__display_name",
        "mentee__email",
        "mentee__display_name",
    ]
    list_select_related = ["mentor", "mentee", "programme"]
    raw_id_fields = ["proposal", "mentor", "mentee"]


# Closing surveys are not here: people are told only their coordinator sees their answers
# (on the programme's matches page); the people who run the service see them as statistics.


@admin.register(PairExclusion)
class PairExclusionAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "programme", "reason", "created_at"]
    list_filter = ["programme", "reason"]
    search_fields = ["mentor__email", "mentee__email"]
    raw_id_fields = ["mentor", "mentee"]


@admin.register(ApprovalBatch)
class ApprovalBatchAdmin(admin.ModelAdmin):
    """Approvals of many pairs at once, for the people who run the service to see one that is
    stuck. Read only: each pair is approved through the matching services, never here."""

    list_display = ["pk", "round", "by", "scope", "status", "checked", "approved", "total"]
    list_filter = ["status", "scope", "round__programme"]
    search_fields = ["by__email", "round__programme__name"]
    list_select_related = ["round", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
