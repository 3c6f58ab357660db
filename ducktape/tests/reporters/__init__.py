"""Reporters of a session, one module per output; ``session`` assembles them (``make_reporters``)."""
