"""Every query and every commit lives here; routes and the CLI call these functions."""
