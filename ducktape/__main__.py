"""`python -m ducktape` is the `ducktape` command."""
import sys

from ducktape.command_line.main import main

sys.exit(main())
