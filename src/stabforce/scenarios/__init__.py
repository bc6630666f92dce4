"""Mission scenarios as data: each subdirectory is one mission."""
