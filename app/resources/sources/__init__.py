"""Source documents, verbatim, with their SHA-256."""
