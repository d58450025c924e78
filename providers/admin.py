"""Admin for provider mapping."""

from django.contrib import admin

from .models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "ons_code"]
