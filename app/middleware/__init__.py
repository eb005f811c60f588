"""Pure ASGI layers in front of the routes: HTTP caching, compression, rate limiting."""
