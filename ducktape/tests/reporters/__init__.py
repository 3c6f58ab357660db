"""Reporters of a session, one module per output; ``ducktape.tests.reporter`` assembles them."""
