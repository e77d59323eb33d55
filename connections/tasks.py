"""Connections' periodic work, run by the worker on the beat's schedule."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="syncline.prune_oauth_links", ignore_result=True)
def prune_oauth_links() -> None:
    from connections.oauth.links import oauth_links_prune

    oauth_links_prune()
