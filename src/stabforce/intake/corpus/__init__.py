"""Labelled evaluation corpus for intake extraction (YAML files; see docs/intake.md)."""
