"""pytest fixtures (chromium); filled in by its owner."""
