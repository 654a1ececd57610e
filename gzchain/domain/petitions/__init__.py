"""Residents' e-petitions: rules, states, reasons, salted texts, RSA blind tokens, identity checks."""
