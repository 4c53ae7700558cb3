"""Agreement staleness under a per-company / per-template policy, and report lock (SPEC §6)."""
