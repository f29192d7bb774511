from django.urls import path

from payments import views

# Addresses starting /pay/ and /coordinate/<programme>/pay/.
app_name = "payments"

urlpatterns = [
    # A mentor's own pay, statements, expenses and payment choice
    path("pay/", views.pay, name="pay"),
    path(
        "pay/statements/<int:year>.<str:fmt>",
        views.pay_statement_file,
        name="pay_statement_file",
    ),
    path("pay/runs/<int:run_id>/", views.pay_run_statement, name="pay_run_statement"),
    path(
        "pay/runs/<int:run_id>/statement.<str:fmt>",
        views.pay_run_statement_file,
        name="pay_run_statement_file",
    ),
    path("pay/how/", views.payment_preference, name="payment_preference"),
    path("pay/alert/", views.earnings_alert, name="earnings_alert"),
    path("pay/benefits/", views.benefits, name="benefits"),
    path("pay/benefits/letter.pdf", views.work_coach_letter, name="work_coach_letter"),
    path("pay/benefits/settings/", views.benefits_settings, name="benefits_settings"),
    path("pay/hours/", views.pay_hours, name="pay_hours"),
    path("pay/expenses/new/", views.expense_new, name="expense_new"),
    path("pay/expenses/<int:expense_id>/", views.expense_detail, name="expense_detail"),
    path(
        "pay/expenses/<int:expense_id>/withdraw/",
        views.expense_withdraw,
        name="expense_withdraw",
    ),
    path("pay/advances/new/", views.advance_new, name="advance_new"),
    path("pay/advances/<int:advance_id>/", views.advance_detail, name="advance_detail"),
    # The mentor and the programme's coordinators
    path(
        "pay/expenses/<int:expense_id>/receipt/",
        views.expense_receipt,
        name="expense_receipt",
    ),
    path(
        "pay/advances/<int:advance_id>/receipt/",
        views.advance_receipt,
        name="advance_receipt",
    ),
    # Coordinators: their own programmes only
    path("coordinate/<slug:slug>/pay/", views.coordinator_pay, name="coordinator_pay"),
    path("coordinate/<slug:slug>/pay/rates/", views.coordinator_rates, name="coordinator_rates"),
    path(
        "coordinate/<slug:slug>/pay/expenses/<int:expense_id>/",
        views.coordinator_expense,
        name="coordinator_expense",
    ),
    path(
        "coordinate/<slug:slug>/pay/expenses/<int:expense_id>/approve/",
        views.coordinator_expense_approve,
        name="coordinator_expense_approve",
    ),
    path(
        "coordinate/<slug:slug>/pay/advances/<int:advance_id>/",
        views.coordinator_advance,
        name="coordinator_advance",
    ),
    path(
        "coordinate/<slug:slug>/pay/advances/<int:advance_id>/approve/",
        views.coordinator_advance_approve,
        name="coordinator_advance_approve",
    ),
    path(
        "coordinate/<slug:slug>/pay/mentors/<int:person_id>/bought/",
        views.coordinator_purchase_new,
        name="coordinator_purchase_new",
    ),
    path(
        "coordinate/<slug:slug>/pay/runs/new/",
        views.coordinator_run_new,
        name="coordinator_run_new",
    ),
    path(
        "coordinate/<slug:slug>/pay/runs/<int:run_id>/",
        views.coordinator_run,
        name="coordinator_run",
    ),
    path(
        "coordinate/<slug:slug>/pay/runs/<int:run_id>/export.csv",
        views.coordinator_run_export,
        name="coordinator_run_export",
    ),
    path(
        "coordinate/<slug:slug>/pay/runs/<int:run_id>/payroll.csv",
        views.coordinator_run_payroll_export,
        name="coordinator_run_payroll_export",
    ),
    path(
        "coordinate/<slug:slug>/pay/schedule/",
        views.coordinator_run_schedule,
        name="coordinator_run_schedule",
    ),
    path(
        "coordinate/<slug:slug>/pay/payees/<int:payee_id>/failed/",
        views.coordinator_payee_fail,
        name="coordinator_payee_fail",
    ),
    path(
        "coordinate/<slug:slug>/pay/payees/<int:payee_id>/remove/",
        views.coordinator_payee_remove,
        name="coordinator_payee_remove",
    ),
    path(
        "coordinate/<slug:slug>/pay/mentors/<int:person_id>/",
        views.coordinator_mentor_pay,
        name="coordinator_mentor_pay",
    ),
    path(
        "coordinate/<slug:slug>/pay/mentors/<int:person_id>/status/",
        views.coordinator_employment_status,
        name="coordinator_employment_status",
    ),
    path(
        "coordinate/<slug:slug>/pay/lines/<int:line_id>/correct/",
        views.coordinator_line_reverse,
        name="coordinator_line_reverse",
    ),
]
