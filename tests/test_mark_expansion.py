"""Mark expansion rules and test-id strings (contract 1.5, 1.6), checked in-process."""
from __future__ import annotations

import pytest

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.errors import DucktapeError
from ducktape.mark import (
    defaults,
    env,
    ignore,
    ignored,
    is_env,
    matrix,
    ok_to_fail,
    parametrize,
    parametrized,
    timeout,
)
from ducktape.mark._mark import (
    Ignore,
    IgnoreAll,
    Matrix,
    Parametrize,
    cartesian_product_dict,
)
from ducktape.mark.mark_expander import MarkedFunctionExpander
from ducktape.mark.resource import cluster
from ducktape.tests.session import SessionContext
from ducktape.tests.test import Test


def expand(function, cls=None, params=None, session=None):
    cls = cls or type("SomeTest", (Test,), {})
    return MarkedFunctionExpander(session, "pkg.mod", cls, function, "/x/test_mod.py").expand(params)


def by_args(contexts):
    return {repr(c.injected_args): c for c in contexts}


def test_unmarked_function_gives_one_plain_context() -> None:
    def test_a(self):
        pass

    [ctx] = expand(test_a)
    assert ctx.injected_args is None and ctx.test_id == "pkg.mod.SomeTest.test_a"
    assert not parametrized(test_a)


def test_parametrize_order_and_injected_call() -> None:
    @parametrize(x=1)
    @parametrize(x=2)
    def test_a(self, x):
        return x * 10

    contexts = expand(test_a)
    assert [c.injected_args for c in contexts] == [{"x": 1}, {"x": 2}]
    assert contexts[0].function(None) == 10
    assert contexts[0].function.__name__ == "test_a"
    assert contexts[0].function.kwargs == {"x": 1} and contexts[0].function.function is test_a
    assert parametrized(test_a)


def test_stacked_cluster_applies_to_parametrizations_below() -> None:
    @cluster(num_nodes=5)
    @parametrize(x=1)
    @cluster(num_nodes=3)
    @parametrize(x=2)
    @parametrize(x=3)
    def test_a(self, x):
        pass

    sizes = {c.injected_args["x"]: c.expected_num_nodes for c in expand(test_a)}
    assert sizes == {1: 5, 2: 3, 3: 3}


def test_cluster_below_all_parametrizations_asserts() -> None:
    @parametrize(x=1)
    @cluster(num_nodes=2)
    def test_a(self, x):
        pass

    with pytest.raises(AssertionError):
        expand(test_a)


def test_defaults_fill_missing_keys_defaults_first() -> None:
    @defaults(z=[1, 2], w=["u"])
    @matrix(x=[1], y=[1, 2])
    @parametrize(x=3, y=4, z=999)
    def test_a(self, x, y, z, w):
        pass

    ids = sorted(c.injected_args_name for c in expand(test_a))
    assert "w=u.x=3.y=4.z=999" in ids
    assert "z=1.w=u.x=1.y=2" in ids
    assert len(ids) == 5


def test_defaults_keep_ignore_flag_of_rewritten_context() -> None:
    """Upstream drops it; an @ignore below @defaults must still hold."""
    @defaults(z=[1])
    @ignore(x=1)
    @parametrize(x=1)
    @parametrize(x=2)
    def test_a(self, x, z):
        pass

    flags = {c.injected_args["x"]: c.ignore for c in expand(test_a)}
    assert flags == {1: True, 2: False}


def test_ignore_one_and_all() -> None:
    @ignore(x=2)
    @parametrize(x=1)
    @parametrize(x=2)
    def test_one(self, x):
        pass

    @ignore
    @parametrize(x=1)
    def test_all(self, x):
        pass

    @ignore()
    def test_parens(self):
        pass

    assert {c.injected_args["x"]: c.ignore for c in expand(test_one)} == {1: False, 2: True}
    assert all(c.ignore for c in expand(test_all))
    assert expand(test_parens)[0].ignore, "@ignore() ignores everything (fixes upstream's no-op)"
    assert ignored(test_one) and ignored(test_parens)
    assert Ignore(x=1) == Ignore(x=1) and Ignore(x=1) != Ignore(x=2) and IgnoreAll() != Ignore(x=1)


def test_env_mark(monkeypatch) -> None:
    monkeypatch.setenv("DT_MARK_TEST", "on")

    @env(DT_MARK_TEST="on")
    def test_yes(self):
        pass

    @env(DT_MARK_TEST="off")
    @parametrize(x=1)
    def test_no(self, x):
        pass

    assert expand(test_yes)[0].ignore is False
    assert expand(test_no)[0].ignore is True
    assert is_env(test_yes)


def test_matrix_needs_iterables_and_strings_iterate() -> None:
    with pytest.raises(DucktapeError, match="iterable"):
        matrix(x=5)

    @matrix(s="ab")
    def test_a(self, s):
        pass

    assert sorted(c.injected_args["s"] for c in expand(test_a)) == ["a", "b"]
    assert Matrix(x=[1]) == Matrix(x=[1]) and Matrix(x=[1]) != Parametrize(x=[1])


def test_cartesian_product_order() -> None:
    assert cartesian_product_dict({"a": [1, 2], "b": "xy"}) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]


@pytest.mark.parametrize(("args", "name"), [
    ({"y": "a b"}, "y=ab"),
    ({"y": [1, 2]}, "y=.1.2"),
    ({"y": {"k": "v"}}, "y=.k.v"),
    ({"x": 1.5, "p": "a/b"}, "x=1.5.p=a.b"),
    ({"t": (1, 2)}, "t=.1.2"),
    ({"u": "é-ok"}, "u=é-ok"),
])
def test_injected_args_name_escaping(args, name) -> None:
    @parametrize(**args)
    def test_a(self, **kw):
        pass

    [ctx] = expand(test_a)
    assert ctx.injected_args_name == name
    assert ctx.test_id == f"pkg.mod.SomeTest.test_a.{name}"


def test_parameters_replace_parametrizations_but_keep_other_marks() -> None:
    @cluster(num_nodes=2)
    @parametrize(x=1)
    @parametrize(x=2)
    def test_a(self, x):
        pass

    def test_plain(self):
        pass

    [ctx] = expand(test_a, params={"x": 7})
    assert ctx.injected_args == {"x": 7} and ctx.expected_num_nodes == 2
    [plain] = expand(test_plain, params={"x": 7})
    assert plain.injected_args == {"x": 7}, "one context only (upstream also kept the plain one)"


def test_cluster_spec_and_node_type(tmp_path) -> None:
    @cluster(num_nodes=2, node_type="large")
    def test_typed(self):
        pass

    @cluster(cluster_spec=ClusterSpec.simple_linux(3, "small"))
    def test_spec(self):
        pass

    @cluster()
    def test_empty(self):
        pass

    assert str(expand(test_typed)[0].expected_cluster_spec) == '[{"node_type": "large", "num_nodes": 2, "os": "linux"}]'
    assert expand(test_spec)[0].expected_num_nodes == 3
    assert expand(test_empty)[0].cluster_use_metadata == {}
    session = SessionContext(session_id="s", results_dir=str(tmp_path), ignore_node_type=True)
    assert str(expand(test_typed, session=session)[0].expected_cluster_spec) == '[{"num_nodes": 2, "os": "linux"}]'
    assert "node_type" not in str(expand(test_spec, session=session)[0].expected_cluster_spec)


def test_timeout_mark_and_session_default(tmp_path) -> None:
    @timeout(30)
    @parametrize(x=1)
    def test_a(self, x):
        pass

    def test_b(self):
        pass

    session = SessionContext(session_id="s", results_dir=str(tmp_path), test_timeout=5.0)
    assert expand(test_a, session=session)[0].timeout_seconds == 30.0
    assert expand(test_b, session=session)[0].timeout_seconds == 5.0
    assert expand(test_b)[0].timeout_seconds is None
    with pytest.raises(DucktapeError):
        timeout(0)


def test_ok_to_fail_bare_and_called() -> None:
    @ok_to_fail
    def test_a(self):
        pass

    @ok_to_fail()
    @parametrize(x=1)
    def test_b(self, x):
        pass

    def test_c(self):
        pass

    assert expand(test_a)[0].ok_to_fail and expand(test_b)[0].ok_to_fail
    assert not expand(test_c)[0].ok_to_fail
