"""Every write in provider mapping, one module per part: profiles and services, passports,
consortia, and imports."""
