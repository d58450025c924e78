"""Factories for provider mapping's shared places."""

import factory

from providers.models import Area, AreaLevel


class AreaFactory(factory.django.DjangoModelFactory):
    """A borough."""

    class Meta:
        model = Area
        django_get_or_create = ["ons_code"]

    name = factory.Sequence(lambda n: f"Borough {n}")
    ons_code = factory.Sequence(lambda n: f"E09{n:06d}")
    level = AreaLevel.BOROUGH


class WardFactory(AreaFactory):
    name = factory.Sequence(lambda n: f"Ward {n}")
    ons_code = factory.Sequence(lambda n: f"E05{n:06d}")
    level = AreaLevel.WARD
    parent = factory.SubFactory(AreaFactory)
