"""Provider mapping. For now the shared places: a borough and its wards, each with its ONS code."""

from django.db import models


class AreaLevel(models.TextChoices):
    BOROUGH = "borough", "Borough"
    WARD = "ward", "Ward"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


class Area(models.Model):
    """A place services are delivered in. Areas form a hierarchy: borough, then wards."""

    name = models.CharField(max_length=120)
    ons_code = models.CharField(
        "ONS code", max_length=9, unique=True, help_text="GSS code, for example E05009367."
    )
    level = models.CharField(max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=AreaLevel.BOROUGH) | models.Q(parent__isnull=False),
                name="area_below_borough_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
