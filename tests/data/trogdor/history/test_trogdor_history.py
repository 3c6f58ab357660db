"""Histories recorded by Trogdor workloads: clients on two agent nodes (an ExternalCommand script on
one, RegisterWorkloadSpec on the other) drive a register over HTTP, TrogdorService collects what
they recorded, the checker judges it."""
import os

from ducktape.checkers import check_linearizable, load_history
from ducktape.mark import parametrize
from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test
from ducktape.trogdor import ExternalCommandSpec, RegisterWorkloadSpec, TrogdorService
from ducktape.utils.util import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = 8765


class AgentNodes(Service):
    """Holds the two agent nodes, as a system under test would."""

    def __init__(self, context):
        super().__init__(context, num_nodes=2)

    def stop_node(self, node, **kwargs):
        pass

    def clean_node(self, node, **kwargs):
        node.account.ssh("rm -rf /mnt/reg", allow_fail=True)


def start_register(server, stale):
    """The register server on *server*, answering; returns its URL."""
    server.account.mkdirs("/mnt/reg")
    server.account.copy_to(os.path.join(HERE, "register_server.py"), "/mnt/reg/register_server.py")
    flag = " --stale" if stale else ""
    host = server.account.ssh_hostname
    server.account.ssh(f"nohup python3 /mnt/reg/register_server.py {host} {PORT}{flag} > /mnt/reg/server.log 2>&1 "
                       "< /dev/null & echo $! > /mnt/reg/pid")
    url = f"http://{host}:{PORT}"
    probe = f"python3 -c \"import urllib.request; urllib.request.urlopen('{url}/x')\""
    wait_until(lambda: server.account.ssh(probe, allow_fail=True) == 0,
               timeout_sec=30, err_msg="the register server did not answer")
    return url


class RegisterTest(Test):
    @cluster(num_nodes=3)
    @parametrize(stale=False)
    @parametrize(stale=True)
    def test_register_clients_as_trogdor_tasks(self, stale):
        agents = AgentNodes(self.test_context)
        trogdor = TrogdorService(self.test_context, client_services=[agents])
        server = agents.nodes[0]
        try:
            url = start_register(server, stale)  # also makes /mnt/reg on the node of the script
            server.account.copy_to(os.path.join(HERE, "register_client.py"), "/mnt/reg/register_client.py")
            trogdor.start()
            script, ours = (trogdor.node_name(node) for node in agents.nodes)
            tasks = [trogdor.create_task("reg-0", ExternalCommandSpec(
                         0, 120000, script, ["python3", "/mnt/reg/register_client.py"],
                         {"url": url, "ops": 150, "clients": 2, "keys": ["a", "b"], "seed": 1})),
                     trogdor.create_task("reg-1", RegisterWorkloadSpec(
                         0, 120000, ours, url, keys=("a", "b"), clients=2, ops_per_client=150))]
            for task in tasks:
                task.wait_for_done(timeout_sec=120)
            history = load_history(*trogdor.collect_histories())
        finally:
            server.account.ssh("kill $(cat /mnt/reg/pid)", allow_fail=True)
        result = check_linearizable(history, "cas-register", time_limit=60)
        return {"checker": result.to_json(), "processes": sorted({e["process"] for e in history}),
                "events": len(history)}

    @cluster(num_nodes=3)
    def test_histories_collected_when_the_agents_stop(self):
        """No explicit collect_histories(): the service copies them when the test's services stop."""
        agents = AgentNodes(self.test_context)
        trogdor = TrogdorService(self.test_context, client_services=[agents])
        server = agents.nodes[0]
        try:
            url = start_register(server, stale=False)
            trogdor.start()
            task = trogdor.create_task("late", RegisterWorkloadSpec(
                0, 120000, trogdor.node_name(agents.nodes[1]), url, clients=1, ops_per_client=20))
            task.wait_for_done(timeout_sec=60)
        finally:
            server.account.ssh("kill $(cat /mnt/reg/pid)", allow_fail=True)
