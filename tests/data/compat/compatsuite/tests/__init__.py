"""Tests of the compat suite."""
