"""Quirk modules: one per device family, declared as data."""
