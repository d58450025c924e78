"""Provider mapping: profiles, services, consortia and the shared reference data of places."""
