"""The app's routers: each turns away at once a path that none of its routes can match.

FastAPI (0.16x) keeps an included router as one entry of the app's route list, and finds a
request's route by asking every entry in turn; an entry asks each of its routes, with the
bookkeeping of its nested-router machinery around each. So finding a route cost time in
proportion to the routes before it: 33 us for `/v1/programs/{id}` and 123 us for `/v1/search`,
about a tenth of a miss. A route without parameters matches its path alone, and one with
parameters only paths that begin with its path up to the first parameter (its stem). So a
router can tell, before asking any of its routes, that a path is none of theirs; `matches`
says so. Whatever it does not turn away goes to FastAPI's own matching, which decides as it
always did: tests/test_router.py compares the route chosen with and without the shortcut for
every operation and for paths that match none.
"""

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

__all__ = ["Router"]


class Router(APIRouter):
    """An APIRouter that answers Match.NONE, without trying its routes, for a path that is
    none of its plain routes' paths and begins with none of its other routes' stems. Included
    without a prefix (the paths compared are its routes' whole paths)."""

    shortcut = True  # off only in the test that compares both ways

    _paths: tuple[frozenset[str], tuple[str, ...]] | None = None
    _paths_of: int = -1  # how many routes they were taken from

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        known = self._route_paths()
        # A root_path makes the path to match a suffix of scope["path"]: left to FastAPI.
        if known is not None and self.shortcut and not scope.get("root_path"):
            path = scope.get("path")
            exact, stems = known
            if isinstance(path, str) and path not in exact and not path.startswith(stems):
                return Match.NONE, {}
        return super().matches(scope)

    def _route_paths(self) -> tuple[frozenset[str], tuple[str, ...]] | None:
        if self._paths_of != len(self.routes):
            paths = [getattr(route, "path", None) for route in self.routes]
            # A route without a plain path (a mount, a nested router): no shortcut at all.
            self._paths = (
                (
                    frozenset(p for p in paths if isinstance(p, str) and "{" not in p),
                    tuple(p.split("{", 1)[0] for p in paths if isinstance(p, str) and "{" in p),
                )
                if paths and all(isinstance(p, str) for p in paths)
                else None
            )
            self._paths_of = len(self.routes)
        return self._paths
