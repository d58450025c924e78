"""The portal's URLs. Each app's pages live under its own namespace."""

from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.db import transaction
from django.urls import include, path

from accounts import views as accounts_views

# Sign in to the Django admin through allauth, so that its rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("health/", accounts_views.health, name="health"),
    path("accessibility/", accounts_views.accessibility, name="accessibility"),
    path("privacy/", accounts_views.privacy, name="privacy"),
    # Sign-up creates a person and their organisation together: all of it, or none of it.
    path("accounts/signup/", transaction.atomic(allauth_views.signup), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("providers.urls")),
    path("", include("commissioning.urls")),
    path("django-admin/", admin.site.urls),
]
