"""Every quote that proves a fact, as W3C selectors."""
