"""URLs for the network's register of agreements, a provider's agreements across the network
(the 360 view) and a provider's own list (views/agreements_register.py); see urls/__init__.py."""

from django.urls import path

from ..views import agreements_register as views

urlpatterns = [
    path("agreements/", views.register, name="agreements"),
    path("agreements/export.csv", views.register_csv, name="agreements_csv"),
    path("agreements/provider/<int:pk>/", views.provider_agreements, name="provider_agreements"),
    path("agreements/ours/", views.agreements_ours, name="agreements_ours"),
]
