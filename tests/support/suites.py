"""pytest fixtures (suites); filled in by its owner."""
