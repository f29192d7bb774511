from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import services
from notifications.selectors import (
    get_notification_for_person,
    notifications_of,
)

PAGE_SIZE = 25


@login_required
def notification_list(request):
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "notifications": page.object_list},
    )


@login_required
@require_POST
def notification_open(request, notification_id):
    notification = get_notification_for_person(request.user, notification_id)
    services.notification_open(notification=notification)
    # Stored addresses are our own paths; anything else goes to the list instead.
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:notifications")


@login_required
@require_POST
def notifications_read(request):
    count = services.notifications_mark_all_read(person=request.user)
    if count:
        messages.success(request, "All your notifications are marked as read.")
    else:
        messages.info(request, "You had no new notifications.")
    return redirect("notifications:notifications")
