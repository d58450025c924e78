"""Models for commissioning. Filled in by the issues that build this part of the cycle."""
