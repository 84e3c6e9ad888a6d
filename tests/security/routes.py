"""Every route the application answers, found by walking the app itself, so that a
route added later shows up in the security tests without anyone listing it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.routing import Mount, Route

STATIC = "static"


def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(METHOD, path template, route) for every endpoint; a mount yields (STATIC, its
    path, mount).

    FastAPI keeps included routers as wrappers around the original router (with the
    include's prefix), so they are opened here; any other kind of route is an error,
    so that nothing can hide from the tables that use this."""
    for route in routes:
        if isinstance(route, Mount):
            yield STATIC, prefix + route.path, route
        elif isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method != "HEAD":  # Starlette adds HEAD to every GET
                    yield method, prefix + route.path, route
        elif hasattr(route, "original_router"):
            inner = route.include_context.prefix if hasattr(route, "include_context") else ""
            yield from walk(route.original_router.routes, prefix + inner)
        else:
            raise TypeError(f"a route of a kind the security tests cannot read: {route!r}")


def all_routes(app: Any) -> set[tuple[str, str]]:
    """{(METHOD, path template)}: every route of ``app``."""
    return {(method, path) for method, path, _route in walk(app.routes)}


def query_params(app: Any) -> set[tuple[str, str, str]]:
    """{(METHOD, path, name)}: every query parameter a route declares."""
    found = set()
    for method, path, route in walk(app.routes):
        dependant = getattr(route, "dependant", None)
        for param in getattr(dependant, "query_params", []) if dependant else []:
            found.add((method, path, param.alias or param.name))
    return found
