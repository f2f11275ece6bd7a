"""Audit log: who did what when."""
