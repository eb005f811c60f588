"""spacefacts: a public REST API of cited facts about international space cooperation."""

__version__ = "0.1.0"
