"""Faker providers for the simulated worlds (synthetic data only)."""
