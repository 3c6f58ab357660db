"""pytest fixtures (netns); filled in by its owner."""
