"""The ``client`` and ``agent-client`` verbs: REST calls, printed the way Trogdor's CLI does."""
from __future__ import annotations

import argparse
import datetime
import json
from typing import Any

from ducktape.trogdor.cli_common import UsageError, parse_spec_argument
from ducktape.trogdor.rest import RestClient, RestError, read_token


def add_parsers(verbs: Any) -> None:
    """Add ``client`` and ``agent-client`` with their verbs to the top-level parser."""
    client = verbs.add_parser("client", help="talk to a coordinator")
    _common(client)
    cmds = client.add_subparsers(dest="command", metavar="COMMAND")
    cmds.required = True
    cmds.add_parser("uptime")
    cmds.add_parser("status")
    p = cmds.add_parser("showTask")
    p.add_argument("-i", "--id", required=True)
    p.add_argument("--show-status", action="store_true")
    p = cmds.add_parser("showTasks")
    p.add_argument("-i", "--id", action="append", default=[], help="only these task ids (repeatable)")
    for flag in ("--first-start-ms", "--last-start-ms", "--first-end-ms", "--last-end-ms"):
        p.add_argument(flag, type=int, default=0)
    p.add_argument("--state", choices=["PENDING", "RUNNING", "STOPPING", "DONE"])
    p.add_argument("--json", action="store_true", help="print the raw JSON")
    p = cmds.add_parser("createTask")
    p.add_argument("-i", "--id", required=True)
    p.add_argument("--spec", required=True, help="spec file, @file or inline JSON")
    for verb in ("stopTask", "destroyTask"):
        cmds.add_parser(verb).add_argument("-i", "--id", required=True)
    p = cmds.add_parser("shutdown")
    p.add_argument("--stop-agents", action="store_true")

    agent = verbs.add_parser("agent-client", help="talk to one agent")
    _common(agent)
    cmds = agent.add_subparsers(dest="command", metavar="COMMAND")
    cmds.required = True
    cmds.add_parser("uptime")
    cmds.add_parser("status")
    p = cmds.add_parser("createWorker")
    p.add_argument("--worker-id", type=int, required=True)
    p.add_argument("--task-id", required=True)
    p.add_argument("--spec", required=True, help="spec file, @file or inline JSON")
    for verb in ("stopWorker", "destroyWorker"):
        cmds.add_parser(verb).add_argument("--worker-id", type=int, required=True)
    cmds.add_parser("shutdown")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", "-t", required=True, help="HOST:PORT of the agent or coordinator")
    parser.add_argument("--token-file", required=True, help="file holding the bearer token")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run one client verb; 0 on success, 1 when the server said no or could not be reached."""
    host, _, port = args.target.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--target must be HOST:PORT, got {args.target!r}")
    try:
        token = read_token(args.token_file)
    except OSError as e:
        raise UsageError(f"cannot read token file {args.token_file}: {e.strerror}") from None
    except ValueError as e:
        raise UsageError(str(e)) from None
    client = RestClient(host, int(port), token)
    try:
        if args.verb == "client":
            _coordinator_verb(client, args)
        else:
            _agent_verb(client, args)
    except RestError as e:
        other = _other_role(client, args.verb) if e.code == 404 else ""
        print(f"error: {e.code}: {e.message}" + (f"; {args.target} is {other}" if other else ""))
        return 1
    except OSError as e:
        print(f"error: cannot reach {args.target}: {getattr(e, 'reason', e)}; hint: is it running? check --target")
        return 1
    return 0


def _coordinator_verb(client: RestClient, args: argparse.Namespace) -> None:
    command = args.command
    if command in ("uptime", "status"):
        print(_uptime_text("Coordinator", args.target, client.get("/coordinator/uptime")))
    elif command == "showTask":
        state = client.get(f"/coordinator/tasks/{args.id}")
        print(task_line(args.id, state))
        if args.show_status:
            print("Status: " + json.dumps(state.get("status"), indent=2, sort_keys=True))
    elif command == "showTasks":
        query = {"taskId": args.id, "firstStartMs": args.first_start_ms, "lastStartMs": args.last_start_ms,
                 "firstEndMs": args.first_end_ms, "lastEndMs": args.last_end_ms}
        if args.state:
            query["state"] = args.state
        tasks = client.get("/coordinator/tasks", **query)["tasks"]
        if args.json:
            print(json.dumps(tasks, indent=2, sort_keys=True))
        else:
            print(_table(["ID", "TYPE", "STATE", "INFO"],
                         [[tid, s["spec"]["class"], s["state"], _task_info(s)] for tid, s in tasks.items()]))
    else:
        _send(client, _COORDINATOR_REQUESTS[command](args))

def _agent_verb(client: RestClient, args: argparse.Namespace) -> None:
    command = args.command
    if command == "uptime":
        print(_uptime_text("Agent", args.target, client.get("/agent/uptime")))
    elif command == "status":
        status = client.get("/agent/status")
        print(f"Agent is running at {args.target}.\n\tStart time: {fmt_time(status['serverStartMs'])}")
        print(_table(["WORKER_ID", "TASK_ID", "STATE", "TASK_TYPE"],
                     [[wid, w["taskId"], w["state"], w["spec"]["class"]] for wid, w in status["workers"].items()]))
    else:
        _send(client, _AGENT_REQUESTS[command](args))


# Verbs that send one request and say so: args -> (method, path, body, query, what was sent)
_COORDINATOR_REQUESTS = {
    "createTask": lambda a: ("POST", "/coordinator/task/create", {"id": a.id, "spec": parse_spec_argument(a.spec)},
                             None, f"CreateTaskRequest for task {a.id}"),
    "stopTask": lambda a: ("PUT", "/coordinator/task/stop", {"id": a.id}, None, f"StopTaskRequest for task {a.id}"),
    "destroyTask": lambda a: ("DELETE", "/coordinator/tasks", None, {"taskId": a.id},
                              f"DestroyTaskRequest for task {a.id}"),
    "shutdown": lambda a: ("PUT", "/coordinator/shutdown", {"stopAgents": a.stop_agents}, None, "ShutdownRequest"),
}
_AGENT_REQUESTS = {
    "createWorker": lambda a: ("POST", "/agent/worker/create", {"workerId": a.worker_id, "taskId": a.task_id,
                                                                "spec": parse_spec_argument(a.spec)},
                               None, f"CreateWorkerRequest for worker {a.worker_id}"),
    "stopWorker": lambda a: ("PUT", "/agent/worker/stop", {"workerId": a.worker_id}, None,
                             f"StopWorkerRequest for worker {a.worker_id}"),
    "destroyWorker": lambda a: ("DELETE", "/agent/worker", None, {"workerId": a.worker_id},
                                f"DestroyWorkerRequest for worker {a.worker_id}"),
    "shutdown": lambda a: ("PUT", "/agent/shutdown", {}, None, "ShutdownRequest"),
}


def _send(client: RestClient, request: tuple) -> None:
    method, path, body, query, what = request
    client.call(method, path, body, query)
    print(f"Sent {what}.")

def fmt_time(ms: int) -> str:
    """Milliseconds since the epoch as local ISO-8601 with milliseconds."""
    if ms is None or ms < 0:
        return "(never)"
    return datetime.datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="milliseconds")


def fmt_duration(ms: int) -> str:
    """``6s``, ``1m5s``, ``2h0m3s``, ``250ms``."""
    if ms < 1000:
        return f"{max(0, ms)}ms"
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{seconds}s"
    return f"{minutes}m{seconds}s" if minutes else f"{seconds}s"


def task_line(task_id: str, state: dict) -> str:
    """One line about a task, as Trogdor's client prints it."""
    return f"Task {task_id} of type {state['spec']['class']} is {state['state']}. {_task_info(state)}"


def _task_info(state: dict) -> str:
    spec = state["spec"]
    kind = state["state"]
    if kind == "PENDING":
        return f"Will start at {fmt_time(spec.get('startMs', 0))}."
    if kind == "RUNNING":
        return f"Started {fmt_time(state['startedMs'])}; will stop after {fmt_duration(spec.get('durationMs', 0))}."
    if kind == "STOPPING":
        return f"Started {fmt_time(state['startedMs'])}."
    outcome = "FAILED" if state.get("error") else "CANCELLED" if state.get("cancelled") else "FINISHED"
    after = fmt_duration(state["doneMs"] - state["startedMs"]) if state.get("startedMs", -1) >= 0 else "0ms"
    text = f"{outcome} at {fmt_time(state['doneMs'])} after {after}."
    return text + (f" Error: {state['error']}" if state.get("error") else "")


def _uptime_text(what: str, target: str, uptime: dict) -> str:
    return (f"{what} is running at {target}.\n\tStart time: {fmt_time(uptime['serverStartMs'])}\n"
            f"\tCurrent time: {fmt_time(uptime['nowMs'])}\n"
            f"\tUptime: {fmt_duration(uptime['nowMs'] - uptime['serverStartMs'])}")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def _other_role(client: RestClient, verb: str) -> str:
    """When a 404 came from the other kind of daemon, what it is and which verb to use."""
    path, other = ("/agent/uptime", "agent") if verb == "client" else ("/coordinator/uptime", "coordinator")
    try:
        client.get(path)
    except (RestError, OSError, ValueError):
        return ""
    use = "agent-client" if other == "agent" else "client"
    wanted = "a coordinator" if verb == "client" else "an agent"
    return (f"a Trogdor {other}, not {wanted}; hint: use 'ducktape-trogdor {use}', "
            f"or --target the {wanted.split()[-1]}")
