"""Every write in commissioning, one module per part. Views call these; they never save models."""
