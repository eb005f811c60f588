"""Prometheus metrics: what is counted (collect.py), how each request is observed
(middleware.py), and the directory several worker processes share (multiproc.py)."""
