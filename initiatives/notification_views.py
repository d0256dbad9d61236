"""The bell and the notifications page: each user sees and marks only their own."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from . import selectors, services
from .http import HtmxHttpRequest
from .models import Notification

PAGE = "initiatives/notifications.html"
PER_PAGE = 30


@never_cache
@require_safe
def bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with the unread count, polled by htmx. Never cached: one indexed
    count. A visitor who is not logged in gets nothing to swap (204)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request,
        f"{PAGE}#bell",
        {
            "unread": selectors.unread_notifications(request.user),
            "poll": settings.BELL_POLL_SECONDS,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def notifications(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the user's notifications, newest first. POST `read=<id>` or `read=all`: mark
    them read (services.mark_notifications_read). With htmx the marked item comes back
    alone, and the bell is told to refresh."""
    mine = selectors.notifications_of(request.user)
    if request.method == "POST":
        target = request.POST.get("read", "")
        if target == "all":
            services.mark_notifications_read(request.user)
        # isascii: "²" and "١٢" are digits to isdigit(); the page only ever sends 0-9.
        elif target.isascii() and target.isdigit() and len(target) < 19:
            notification = mine.filter(pk=int(target)).first()
            if notification is None:
                raise Http404  # someone else's, or gone: the same answer
            services.mark_notifications_read(request.user, [notification.pk])
            if request.htmx:
                notification.refresh_from_db(fields=["read_at"])
                context = {
                    "n": notification,
                    "unread": selectors.unread_notifications(request.user),
                    "oob": True,
                    **_shown(request, [notification]),
                }
                # The item, and the page's count out of band; the bell refreshes on the event.
                response = HttpResponse(
                    render_to_string(f"{PAGE}#item", context, request)
                    + render_to_string(f"{PAGE}#count", context, request)
                )
                response["HX-Trigger"] = "notifications-changed"
                return response
        else:
            return HttpResponseBadRequest(_("Unknown notification."))
        return redirect(request.get_full_path())
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    return render(
        request,
        PAGE,
        {
            "page": page,
            "unread": selectors.unread_notifications(request.user),
            **_shown(request, listed),
        },
    )


def _shown(request: HttpRequest, listed: list[Notification]) -> dict[str, object]:
    """What the items need besides the notifications: the changes of followed missions as
    their readers read them (`n.told`), and which milestones the reader may give news of
    (a follower is told of an alert too, but the edit page is the coordinators')."""
    selectors.describe_notifications(listed)
    milestones = [n.alert.milestone for n in listed if n.alert_id is not None and n.alert]
    return {"editable": selectors.editable_milestone_ids(request.user, milestones)}
