"""Commissioning's forms, one module per part."""
