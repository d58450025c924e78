"""People, organisations, memberships, invitations and the audit trail."""
