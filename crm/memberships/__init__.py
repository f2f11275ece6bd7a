"""Memberships, fee schedules, the yearly fee run, fee lists and SEPA direct debit."""
