"""Companies (KMU) and their contact persons."""
