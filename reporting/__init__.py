"""Quarterly framework reviews, the annual Board report, dashboards and exports."""
