"""One package per resource (its queries, its documents, what they read); `registry` lists them."""
