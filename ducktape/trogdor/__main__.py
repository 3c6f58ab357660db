"""python -m ducktape.trogdor: the ducktape-trogdor command."""
from ducktape.trogdor.cli import main

raise SystemExit(main())
