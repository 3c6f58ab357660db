"""Expand one marked test function into its TestContexts."""
from __future__ import annotations

from typing import Any

from ducktape.mark._mark import Parametrize, _is_parametrize_mark, parametrized
from ducktape.tests.test_context import TestContext


class MarkedFunctionExpander:
    """Applies a function's marks, bottom decorator first, to a seed context."""

    def __init__(self, session_context=None, module: str | None = None, cls: type | None = None,
                 function: Any = None, file: str | None = None, cluster: Any = None) -> None:
        self.seed_context = TestContext(session_context=session_context, module=module, cls=cls,
                                        function=function, file=file, cluster=cluster)
        self.context_list = [] if parametrized(function) else [self.seed_context]

    def expand(self, test_parameters: dict | None = None) -> list[TestContext]:
        """The expanded contexts. With *test_parameters* (``--parameters``) the parametrize, matrix and
        defaults marks are replaced by one context with exactly those arguments.

        Unlike upstream, an unparametrized function then yields only the injected context, not also
        the plain one.
        """
        marks = getattr(self.seed_context.function, "marks", ())
        if test_parameters is not None:
            self.context_list = Parametrize(**test_parameters).apply(self.seed_context, [])
            marks = [m for m in marks if not _is_parametrize_mark(m)]
        for mark in marks:
            self.context_list = mark.apply(self.seed_context, self.context_list)
        return self.context_list
