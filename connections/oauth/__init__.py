"""OAuth for destination connections (DESIGN.md §7): social-auth backends, pipeline, wizard state.

A connection is an organization's asset, not a person's login: the pipeline stores the tokens
(encrypted) on the Connection being set up and never creates, links or logs in a user.
"""
