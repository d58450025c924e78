"""Tasks for this part of commissioning; see tasks/__init__.py."""

__all__: list[str] = []
