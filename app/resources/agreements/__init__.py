"""Memoranda and accords, with counted parties."""
