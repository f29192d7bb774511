"""Statistics pages: coordinators see their own programmes, administrators every programme
of their organisation, and panel members the programmes whose lived-experience panel they
sit on (who may see what: reporting.access). Each page, file and JSON answer is built from
one suppressed section."""

from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.spreadsheets import csv_response, csv_text
from programmes.access import get_programme_for_coordinator, staff_required
from programmes.models import Programme
from reporting import charts
from reporting.access import (
    get_scope_for_user,
    is_panel_only,
    statistics_programmes,
    statistics_required,
)
from reporting.figures import SECTIONS, chart_value, section_for, shown
from reporting.periods import PeriodForm
from reporting.suppression import THRESHOLD


def _section(request, scope: str, section: str):
    if section not in SECTIONS:
        raise Http404("No such section")
    programmes, name = get_scope_for_user(request.user, scope)
    form = PeriodForm(request.GET or None)
    period, before = form.periods(timezone.localdate())
    data = section_for(section, [p.pk for p in programmes], period, before)
    return data, form, programmes, name


def _chart(data, table) -> str:
    if not table.chart:
        return ""
    labels = [label for label, _ in table.rows if not label.startswith(("The whole", "Before:"))]
    series = [
        charts.Series(
            name=name,
            values=[chart_value(data, cells[column]) for _, cells in table.rows[: len(labels)]],
        )
        for name, column in table.chart["series"]
    ]
    common = {"chart_id": f"chart-{table.key}", "title": table.title, "labels": labels}
    if table.chart["kind"] == "line":
        return charts.line_chart(series=series, y_max=table.chart.get("y_max"), **common)
    return charts.bar_chart(
        series=series, money=data.symbol if table.chart.get("money") else "", **common
    )


@statistics_required
def statistics(request):
    programmes = list(statistics_programmes(request.user).order_by("name"))
    runs = Programme.objects.coordinated_by(request.user).count()
    return render(
        request,
        "reporting/statistics/index.html",
        {
            "programmes": programmes,
            "sections": SECTIONS,
            "all_programmes": runs > 1,
            "panel": is_panel_only(request.user),
            "threshold": THRESHOLD,
        },
    )


@statistics_required
def statistics_section(request, scope, section):
    data, form, programmes, name = _section(request, scope, section)
    tables = [
        {
            "table": table,
            "chart": _chart(data, table),
            "rows": [(label, [shown(data, key) for key in cells]) for label, cells in table.rows],
        }
        for table in data.tables
    ]
    query = request.GET.urlencode()
    return render(
        request,
        "reporting/statistics/section.html",
        {
            "data": data,
            "form": form,
            "scope": scope,
            "scope_name": name,
            "section": section,
            "sections": SECTIONS,
            "tables": tables,
            "query": f"?{query}" if query else "",
            "threshold": THRESHOLD,
            "panel": is_panel_only(request.user),
        },
    )


def _bad_period(form) -> list[str]:
    """What is wrong with the period asked for, in words; empty when nothing is. Files and
    JSON answer a bad period with these and no figures (the page shows them above the
    figures for the default period)."""
    if not form.is_bound or form.is_valid():
        return []
    return [str(error) for errors in form.errors.values() for error in errors]


@statistics_required
def statistics_csv(request, scope, section, table):
    data, form, _programmes, name = _section(request, scope, section)
    if problems := _bad_period(form):
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    found = data.table(table)
    if found is None:
        raise Http404("No such table")
    rows = ([label, *(shown(data, key) for key in cells)] for label, cells in found.rows)
    text = csv_text([found.first_column or "", *found.columns], rows)
    filename = f"{scope}-{section}-{table}-{data.period.start}-{data.period.end}.csv"
    return csv_response(text, filename)


@statistics_required
def statistics_json(request, scope, section):
    data, form, _programmes, name = _section(request, scope, section)
    if problems := _bad_period(form):
        return JsonResponse({"errors": problems}, status=400)
    return JsonResponse(
        {
            "scope": name,
            "section": data.title,
            "period": {
                "from": data.period.start,
                "to": data.period.end,
                "label": data.period.label,
            },
            "before": {
                "from": data.before.start,
                "to": data.before.end,
                "label": data.before.label,
            },
            "suppression": f'Counts from 1 to {THRESHOLD - 1} show as "c", with any figure '
            f"that would reveal one; averages over fewer than {THRESHOLD} people too.",
            "tables": [
                {
                    "key": table.key,
                    "title": table.title,
                    "columns": [table.first_column, *table.columns],
                    "rows": [
                        {"label": label, "values": [shown(data, key) for key in cells]}
                        for label, cells in table.rows
                    ],
                }
                for table in data.tables
            ],
        }
    )


@staff_required
def coordinator_voice(request, slug):
    """Retired: "What people say" is a section of the programme's statistics, where every
    figure goes through the one suppression rule. Old links and bookmarks land there."""
    programme = get_programme_for_coordinator(request.user, slug)
    return redirect(
        "reporting:statistics_section", scope=programme.slug, section="voice", permanent=True
    )
