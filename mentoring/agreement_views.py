"""Our agreement: the page where the two people of a match read, fill in and change their
agreement, and its history. Coordinators get a 404, as for everything private to the pair
(matching.access.get_match_for_person)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.requests import posted
from matching.access import get_match_for_person
from mentoring import agreements
from mentoring.forms import AgreementForm
from mentoring.models import AgreementVersion


@login_required
def agreement(request, match_id):
    match = get_match_for_person(request.user, match_id)
    current = agreements.agreement_current(match)
    other = match.other_party(request.user)
    changed_meanwhile = None
    form = None
    if match.is_live:
        initial = current.values() if current else {}
        form = AgreementForm(
            posted(request), initial={**initial, "based_on": current.number if current else 0}
        )
    if form is not None and request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in AgreementVersion.FIELDS}
        try:
            version = agreements.agreement_save(
                match=match, by=request.user, based_on=form.cleaned_data["based_on"], **values
            )
        except agreements.AgreementChanged as changed:
            # Shown above the form, with what they typed still in it; the next save starts
            # from the version they have now seen.
            changed_meanwhile = changed.latest
            current = changed.latest
            data = request.POST.copy()
            data["based_on"] = str(current.number if current else 0)
            form = AgreementForm(data)
            form.is_valid()
            if current is None:
                # Only a changed page names a version that was never saved.
                form.add_error(
                    None,
                    "This page was out of date. Check what you typed and save it again.",
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if version is None:
                messages.info(request, "You did not change anything, so nothing was saved.")
            else:
                messages.success(
                    request,
                    f"Your agreement is saved. {other} can read it now, and we have told them.",
                )
            return redirect("mentoring:agreement", match_id=match.pk)
    return render(
        request,
        "mentoring/agreement.html",
        {
            "match": match,
            "programme": match.programme,
            "other": other,
            "current": current,
            "form": form,
            "changed_meanwhile": changed_meanwhile,
        },
    )


@login_required
def agreement_history(request, match_id):
    match = get_match_for_person(request.user, match_id)
    return render(
        request,
        "mentoring/agreement_history.html",
        {
            "match": match,
            "programme": match.programme,
            "other": match.other_party(request.user),
            "history": agreements.agreement_history(match),
        },
    )
