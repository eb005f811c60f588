"""The timeline, dated as the sources state it."""
