"""Forms for provider mapping, one module per part."""
