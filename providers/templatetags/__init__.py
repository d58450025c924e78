"""Template tags for provider mapping."""
