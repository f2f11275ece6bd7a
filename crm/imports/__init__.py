"""Importing companies and contact persons from CSV and Excel files."""
