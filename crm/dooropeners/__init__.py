"""Door-openers (Türöffner): who opened which door, and what came of it."""
