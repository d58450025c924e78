"""Models for compact. Filled in by the issues that build this part of the cycle."""
