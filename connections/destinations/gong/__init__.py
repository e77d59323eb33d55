"""Gong Engage as a destination: CRM prospects assigned to Engage flows (destination-apis.md §2).

API: https://help.gong.io/docs/gong-engage-api-capabilities ; OAuth apps:
https://help.gong.io/docs/create-an-app-for-gong
"""
