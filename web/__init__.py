"""Web console (placeholder until create_app lands)."""
