"""URLs for this part of commissioning; see urls/__init__.py."""

urlpatterns: list = []
