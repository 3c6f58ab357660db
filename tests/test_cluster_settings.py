"""A cluster class receives its own settings from the cluster file's "settings" object."""
from __future__ import annotations

import json

import pytest

from ducktape.cluster.cluster_file import (
    ClusterFileError,
    cluster_settings,
    settings_kwargs,
)
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.localhost import LocalhostCluster
from tests.support.suites import run_ducktape, write_suite

CLUSTER_MODULE = """
    import json

    from ducktape.cluster.localhost import LocalhostCluster


    class SettingsCluster(LocalhostCluster):
        def __init__(self, cluster_file=None, settings=None, **kwargs):
            super().__init__(num_nodes=int(settings.get("nodes", 1)))
            with open("seen.json", "w") as out:
                json.dump(settings, out)
"""
TEST_MODULE = """
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test


    class T(Test):
        @cluster(num_nodes=2)
        def test_two(self):
            assert len(self.test_context.cluster) == 2
"""


class KwargsCluster(LocalhostCluster):
    """Takes **kwargs but does not name settings: built as before, without them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


def _write(path, content) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def test_the_cli_hands_the_cluster_class_its_settings(suite_dir):
    write_suite(suite_dir, {"mycluster.py": CLUSTER_MODULE, "suite/test_two.py": TEST_MODULE}, packages=False)
    path = _write(suite_dir / "cluster.json", {"settings": {"nodes": 2, "region": "eu-north-1"}, "nodes": []})
    done = run_ducktape(["--cluster", "mycluster.SettingsCluster", "--cluster-file", path, "suite/test_two.py"],
                        suite_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((suite_dir / "seen.json").read_text()) == {"nodes": 2, "region": "eu-north-1"}
    _write(suite_dir / "cluster.json", {"settings": ["eu-north-1"], "nodes": []})
    bad = run_ducktape(["--cluster", "mycluster.SettingsCluster", "--cluster-file", path, "suite/test_two.py"],
                       suite_dir)
    assert bad.returncode == 2 and "'settings' must be an object" in bad.stderr + bad.stdout
    assert "Traceback" not in bad.stderr


def test_classes_that_do_not_ask_get_nothing_new(tmp_path, loopback_sshd):
    path = _write(tmp_path / "c.json", {"settings": {"x": 1}, "nodes": [{"ssh_config": loopback_sshd.ssh_config("n0")}]})
    assert settings_kwargs(KwargsCluster, path) == {} and settings_kwargs(JsonCluster, path) == {}
    assert len(JsonCluster(cluster_file=path)) == 1  # the settings key does not disturb the nodes


def test_settings_read_from_the_file_or_empty(tmp_path):
    path = _write(tmp_path / "c.json", {"settings": {"region": "eu-north-1"}})
    assert cluster_settings(path) == {"region": "eu-north-1"}
    assert cluster_settings(None) == {} and cluster_settings(str(tmp_path / "absent.json")) == {}
    assert cluster_settings(_write(tmp_path / "n.json", {"nodes": []})) == {}
    with pytest.raises(ClusterFileError) as raised:
        cluster_settings(_write(tmp_path / "bad.json", {"settings": "eu"}))
    assert str(tmp_path / "bad.json") in str(raised.value) and raised.value.hint
