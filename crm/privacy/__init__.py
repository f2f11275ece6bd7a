"""Data protection: the marketing-block (objection) list, later access, erasure and retention."""
