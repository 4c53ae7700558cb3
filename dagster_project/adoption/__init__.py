"""Adopting an existing database (SPEC §8)."""
