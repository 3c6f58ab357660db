"""Services of the compat suite: a toy broker and a background producer."""
