"""Commissioning's pages, one module per part (see commissioning/urls/)."""
