"""Sponsorships and donations of companies."""
