"""Small filters for generic tables of model fields."""

from django import template

register = template.Library()


@register.filter
def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


@register.filter
def field_value(item, name: str):
    field = item._meta.get_field(name)
    if field.choices:
        return getattr(item, f"get_{name}_display")()
    value = getattr(item, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "—" if value in (None, "") else value
