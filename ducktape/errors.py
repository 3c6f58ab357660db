"""Exceptions that test suites import by path (contract: ducktape.errors)."""


class DucktapeError(RuntimeError):
    """Base of ducktape's own errors."""


class TimeoutError(DucktapeError):  # the contract name shadows the builtin on purpose
    """A wait ran out of time; suites catch it as ducktape.errors.TimeoutError."""
