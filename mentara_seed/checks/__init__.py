"""Asset checks: one per minimum requirement, one per integrity rule, and the audit summary."""
