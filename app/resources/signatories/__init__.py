"""Who signed, or intends to sign, which agreement."""
