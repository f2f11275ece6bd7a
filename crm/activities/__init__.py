"""Contact history (activities), follow-ups (Wiedervorlagen) and needs analyses."""
