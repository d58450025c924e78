"""Signals accounts sends, so that apps to its right can react without accounts importing them."""

from django.dispatch import Signal

# Sent once a verification decision is saved: sender is the Organisation class; kwargs
# organisation and status. Receivers should queue their work on commit.
organisation_verification_decided = Signal()
