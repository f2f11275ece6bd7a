"""Offers (Angebote), the acquisition board, key accounts and company groups (Firmenverbund)."""
