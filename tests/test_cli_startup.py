"""Start-up cost and the import surface: a collect imports nothing it does not use."""
from __future__ import annotations

import importlib
import subprocess
import sys

from tests.support.suites import write_suite

SIMPLE = """
from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

class STest(Test):
    @cluster(num_nodes=1)
    @matrix(x=[1, 2])
    def test_s(self, x):
        pass
"""

HEAVY = ("paramiko", "requests", "jinja2", "yaml", "zmq", "ducktape.services", "ducktape.tests.runner")

CONTRACT_NAMES = {
    "ducktape.tests.test": ["Test", "TestContext", "in_dir", "in_temp_dir"],
    "ducktape.tests": ["Test", "TestContext"],
    "ducktape.tests.test_context": ["TestContext", "test_logger", "TestLoggerMaker"],
    "ducktape.tests.session": ["SessionContext", "SessionLoggerMaker", "generate_session_id", "generate_results_dir"],
    "ducktape.tests.status": ["TestStatus", "PASS", "FAIL", "IGNORE", "FLAKY", "OPASS", "OFAIL"],
    "ducktape.tests.loader": ["TestLoader", "LoaderException"],
    "ducktape.mark": ["parametrize", "matrix", "defaults", "ignore", "env", "parametrized", "ignored", "is_env",
                      "ok_to_fail", "timeout"],
    "ducktape.mark.resource": ["cluster", "ClusterUseMetadata"],
    "ducktape.mark._mark": ["Mark", "Parametrize", "Matrix", "Defaults", "Ignore", "IgnoreAll", "Env",
                            "cartesian_product_dict"],
    "ducktape.mark.mark_expander": ["MarkedFunctionExpander"],
    "ducktape.mark.consts": ["CLUSTER_SPEC_KEYWORD", "CLUSTER_SIZE_KEYWORD", "CLUSTER_NODE_TYPE_KEYWORD"],
    "ducktape.utils.util": ["wait_until", "package_is_installed", "ducktape_version", "load_function"],
    "ducktape.utils.local_filesystem_utils": ["mkdir_p"],
    "ducktape.utils.persistence": ["PDict", "make_dict"],
    "ducktape.utils.http_utils": ["HttpMixin"],
    "ducktape.template": ["TemplateRenderer"],
    "ducktape.json_serializable": ["DucktapeJSONEncoder"],
    "ducktape.command_line.defaults": ["ConsoleDefaults"],
    "ducktape.command_line.parse_args": ["create_ducktape_parser", "parse_args"],
    "ducktape.command_line.main": ["main"],
}


def test_contract_names_resolve() -> None:
    for module_name, names in CONTRACT_NAMES.items():
        module = importlib.import_module(module_name)
        missing = [n for n in names if not hasattr(module, n)]
        assert not missing, f"{module_name} lacks {missing}"
    from ducktape.command_line.errors import UsageError
    from ducktape.tests.loader import LoaderException
    assert issubclass(LoaderException, UsageError)


def test_collect_imports_nothing_heavy(tmp_path) -> None:
    write_suite(tmp_path, {"pkg/test_s.py": SIMPLE})
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ducktape", "--collect-only", "pkg"],
                          cwd=tmp_path, capture_output=True, text=True, check=False, env={"HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "ducktape.tests.loader" in imported
    heavy = sorted(name for name in imported if name.split(".")[0] in HEAVY or name in HEAVY
                   or any(name.startswith(h + ".") for h in HEAVY))
    assert heavy == []
