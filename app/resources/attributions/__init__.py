"""Whose words a quote carries: the article, an agency's statement, a report, no one named."""
