"""Scheduled audits of every review finding (SPEC §7), with history."""
