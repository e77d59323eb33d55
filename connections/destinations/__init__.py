"""Destinations: one package per SaaS tool, one HTTP client shared by all (DESIGN.md §5.5, §6)."""
