"""CLI command groups; each module registers its commands on the `crm-course` app."""
