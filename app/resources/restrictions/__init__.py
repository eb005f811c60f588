"""Legal restrictions on who may work with whom."""
