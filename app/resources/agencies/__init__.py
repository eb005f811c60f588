"""Space agencies, government offices and legislatures."""
