"""Payments in the Django admin: to look, not to change. Money changes only through the
services, which check, audit and keep the ledger append-only."""

from django.contrib import admin

from payments.models import (
    ActivityRate,
    Advance,
    EmploymentDecision,
    Expense,
    LedgerLine,
    PaymentRun,
    PaymentSchedule,
    Purchase,
    RateCard,
)


class LookOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActivityRateInline(admin.TabularInline):
    model = ActivityRate
    extra = 0
    fields = ["kind", "basis", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RateCard)
class RateCardAdmin(LookOnly):
    inlines = [ActivityRateInline]
    list_display = ["programme", "effective_from", "hourly_rate", "preparation_minutes"]
    list_filter = ["programme"]
    search_fields = ["programme__name"]


@admin.register(LedgerLine)
class LedgerLineAdmin(LookOnly):
    list_display = ["earned_on", "mentor", "programme", "kind", "amount", "created_at"]
    list_filter = ["programme", "kind", "category"]
    search_fields = ["mentor__display_name", "mentor__email", "description"]
    list_select_related = ["mentor", "programme"]


@admin.register(Expense)
class ExpenseAdmin(LookOnly):
    list_display = ["spent_on", "mentor", "programme", "kind", "amount", "status"]
    list_filter = ["programme", "kind", "status"]
    search_fields = ["mentor__display_name", "mentor__email", "description"]
    list_select_related = ["mentor", "programme"]
    # The receipt file is opened from the coordinator's page, where opening it is audited.
    exclude = ["receipt"]


@admin.register(Advance)
class AdvanceAdmin(LookOnly):
    list_display = ["needed_on", "mentor", "programme", "kind", "amount", "status", "spent"]
    list_filter = ["programme", "kind", "status"]
    search_fields = ["mentor__display_name", "mentor__email", "description"]
    list_select_related = ["mentor", "programme"]
    # As for claims: the receipt is opened from the coordinator's page, where it is audited.
    exclude = ["receipt"]


@admin.register(Purchase)
class PurchaseAdmin(LookOnly):
    list_display = ["bought_on", "mentor", "programme", "kind", "amount", "recorded_by"]
    list_filter = ["programme", "kind"]
    search_fields = ["mentor__display_name", "mentor__email", "description"]
    list_select_related = ["mentor", "programme", "recorded_by"]


@admin.register(PaymentRun)
class PaymentRunAdmin(LookOnly):
    list_display = ["__str__", "programme", "status", "created_at", "paid_on"]
    list_filter = ["programme", "status"]
    search_fields = ["programme__name"]
    list_select_related = ["programme"]


@admin.register(EmploymentDecision)
class EmploymentDecisionAdmin(LookOnly):
    list_display = ["mentor", "organisation", "status", "decided_on", "decided_by", "recorded_at"]
    list_filter = ["organisation", "status"]
    search_fields = ["mentor__display_name", "mentor__email"]
    list_select_related = ["mentor", "organisation", "decided_by"]


@admin.register(PaymentSchedule)
class PaymentScheduleAdmin(LookOnly):
    list_display = ["programme", "frequency", "first_run_on", "updated_at"]
    list_filter = ["frequency"]
    search_fields = ["programme__name"]
    list_select_related = ["programme"]
