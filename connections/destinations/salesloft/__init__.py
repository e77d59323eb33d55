"""Salesloft as a destination: people, accounts and cadences (destination-apis.md §1).

API reference: https://developers.salesloft.com/docs/api/ ; conventions, OAuth and rate limits:
https://developers.salesloft.com/docs/platform/api-basics/
"""
