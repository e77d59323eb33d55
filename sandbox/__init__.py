"""Local emulators of the Salesloft, Gong, LinkedIn Ads and Salesforce APIs, and a demo warehouse.

The client code that talks to the sandbox is the code that talks to the vendors: same paths,
envelopes, errors, OAuth endpoints and rate limits (facts: shared/reference/destination-apis.md).
"""
