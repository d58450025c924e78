"""The planning hub: where commissioners and network admins find the shared evidence base and
the planning tools, with what is waiting for them."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access, selectors


@access.planner_required
@require_GET
def planning(request):
    return render(
        request,
        "commissioning/planning.html",
        {"summary": selectors.planning_summary(request.user)},
    )
