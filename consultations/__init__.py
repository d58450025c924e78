"""Consultations, their questions, responses, events and published outcomes."""
