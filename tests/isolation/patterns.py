"""Every URL pattern of the project, as django.urls.get_resolver() serves it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the full route for a pattern without a name
    route: str  # the full route, for the failure message
    pattern: URLPattern


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> list[Pattern]:
    found = []
    for entry in resolver.url_patterns:
        # As Django joins them (ResolverMatch.route): an inner regex's "^" is dropped.
        route = prefix + str(entry.pattern).removeprefix("^")
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            joined = ":".join(part for part in (namespace, inner) if part)
            found.extend(_walk(entry, route, joined))
        elif entry.name:
            found.append(
                Pattern(f"{namespace}:{entry.name}" if namespace else entry.name, route, entry)
            )
        else:
            found.append(Pattern(route, route, entry))
    return found


def url_patterns() -> list[Pattern]:
    """Each pattern once (a name served by two routes is listed by its first)."""
    seen: dict[str, Pattern] = {}
    for found in _walk(get_resolver(), "", ""):
        seen.setdefault(found.key, found)
    return list(seen.values())
