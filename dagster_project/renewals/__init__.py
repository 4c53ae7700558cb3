"""Renewals kept ahead of every active contract: scaffold, seed, reseed (SPEC §4)."""
