"""Warehouse sources: one module per type (snowflake, postgresql), found through the registry."""
