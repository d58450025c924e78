"""Template context every page needs: the portal's name and the person's organisation and roles."""

from django.conf import settings


def portal(request):
    return {"portal_name": settings.PORTAL_NAME, "portal": getattr(request, "portal", None)}
