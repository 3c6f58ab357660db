"""Built-in defaults of the ducktape command, kept at this path for code that imports them here;
they live in ``ducktape.defaults`` so every layer can read them."""
from ducktape.defaults import ConsoleDefaults

__all__ = ["ConsoleDefaults"]
