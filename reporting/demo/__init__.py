"""Demo data for each part of the portal beyond the foundation, called by `seed_demo`."""
