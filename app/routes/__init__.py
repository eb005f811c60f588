"""HTTP only: each module is one router, with its prefix and tags declared where it is defined."""
