"""LinkedIn Ads: Matched Audiences (DMP segments) as sync targets (destination-apis.md §3).

Vendor docs (LinkedIn Marketing API, under https://learn.microsoft.com/en-us/linkedin/):
- marketing/matched-audiences/create-and-manage-segments (creating and listing segments)
- marketing/matched-audiences/create-and-manage-segment-users and …-segment-companies (members,
  per-element statuses, streaming limits)
- shared/authentication/programmatic-refresh-tokens (365-day refresh tokens, never rotated)
- shared/api-guide/concepts/error-handling (error bodies); marketing/versioning (LinkedIn-Version)

Modules: `client` (HTTP, headers, limits, LinkedIn's error answers), `targets` (ad accounts and
the audience id format), `members` (records → hashed LinkedIn elements), `writes` (LinkedIn's
answers → record results), `destination`.
"""
