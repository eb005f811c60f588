"""Countries, by ISO 3166-1 alpha-2 code."""
