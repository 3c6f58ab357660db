"""Built-in defaults every layer may read: paths (relative to the current directory), the default
cluster class, log formats and file names. Each is written here once."""
from __future__ import annotations

import os


class ConsoleDefaults:
    """Default paths, cluster class and log formats (contract name, also importable from
    ``ducktape.command_line.defaults``)."""

    DUCKTAPE_DIR = ".ducktape"
    METADATA_DIR = os.path.join(DUCKTAPE_DIR, "metadata")
    PROJECT_CONFIG_FILE = os.path.join(DUCKTAPE_DIR, "config")
    USER_CONFIG_FILE = os.path.join("~", DUCKTAPE_DIR, "config")
    CLUSTER_TYPE = "ducktape.cluster.vagrant.VagrantCluster"
    CLUSTER_FILE = os.path.join(DUCKTAPE_DIR, "cluster.json")
    SESSION_ID_FILE = os.path.join(METADATA_DIR, "session_id")
    RESULTS_ROOT_DIRECTORY = "./results"
    SESSION_LOG_FORMATTER = "[%(levelname)s:%(asctime)s]: %(message)s"
    TEST_LOG_FORMATTER = (
        "[%(levelname)-5s - %(asctime)s - %(module)s - %(funcName)s - lineno:%(lineno)s]: %(message)s"
    )
    BAD_TEST_MESSAGE = "BAD_TEST"
    TEST_DRIVER_MIN_PORT = 5556
    TEST_DRIVER_MAX_PORT = 5656


SESSION_FILE = "session.json"  # the session record in a session's results directory
TEST_RUNNER_TIMEOUT_MS = 1800000  # --test-runner-timeout: how long the driver waits for a sign of life
