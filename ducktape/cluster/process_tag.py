"""A tag on every process a test starts on its nodes, so the driver can find and end them.

While a test runs, its process has ``DUCKTAPE_PROCESS_TAG=<session tag>-<test index>`` in
its environment. Local commands inherit it; every command a RemoteAccount runs for it
exports it first. A process inherits its parent's environment, so whatever the test starts,
daemons that detach with ``setsid`` or a double fork included, carries the tag, and
``/proc/<pid>/environ`` shows it. ``kill_command`` is the shell command that finds the
processes with a given tag on a node and SIGKILLs them: only processes that carry the exact
tag are touched, so nothing ducktape did not start is, whatever its PID. Processes that drop
their environment (``env -i``, sudo's ``env_reset``) escape the tag.
"""
from __future__ import annotations

import os
import re
import secrets
import shlex

TAG_VARIABLE = "DUCKTAPE_PROCESS_TAG"
_TAG = re.compile(r"^[0-9a-f]{12}-[0-9]+$")


def new_session_tag() -> str:
    """A random tag for one session (hex, so it is safe in a regex and a shell word)."""
    return secrets.token_hex(6)


def tag_for(session_tag: str, test_index: int) -> str:
    """The tag of test *test_index* of the session tagged *session_tag*."""
    return f"{session_tag}-{int(test_index)}"


def current_tag() -> str | None:
    """The tag of the test this process runs, or None (the driver, or a malformed value)."""
    value = os.environ.get(TAG_VARIABLE, "")
    return value if _TAG.match(value) else None


def tagged(cmd: str) -> str:
    """*cmd* preceded by the export of the current tag; *cmd* itself outside a test."""
    tag = current_tag()
    return f"export {TAG_VARIABLE}={tag}; {cmd}" if tag else cmd


def tag_pattern(tag: str) -> str:
    """The environment entry (an ERE) of one test's processes."""
    if not _TAG.match(tag):
        raise ValueError(f"not a process tag: {tag!r}")
    return f"{TAG_VARIABLE}={tag}"


def session_pattern(session_tag: str) -> str:
    """The environment entry (an ERE) of every test's processes in one session."""
    if not re.match(r"^[0-9a-f]{12}$", session_tag):
        raise ValueError(f"not a session tag: {session_tag!r}")
    return f"{TAG_VARIABLE}={session_tag}-[0-9]+"


def kill_command(pattern: str, rounds: int = 10) -> str:
    """Shell (sh) that SIGKILLs every process whose environment holds *pattern* as a whole entry.

    Each round stops what it finds before killing it, so a process cannot fork a new one in
    between, and gives the kernel a moment to reap the killed; rounds repeat until none is
    left. Prints ``<pid> <name>`` per process ended.
    """
    return (
        f"for __dt_round in $(seq {int(rounds)}); do "
        f"__dt_found=$(grep -lsxzE '{pattern}' /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx \"$$\"); "
        '[ -z "$__dt_found" ] && break; '
        'for __dt_p in $__dt_found; do echo "$__dt_p $(cat /proc/$__dt_p/comm 2>/dev/null)"; '
        'kill -STOP "$__dt_p" 2>/dev/null; done; '
        'for __dt_p in $__dt_found; do kill -KILL "$__dt_p" 2>/dev/null; done; '
        "sleep 0.1; done; true"
    )


SHOWN_CHARS = 100  # of each command line a listing shows
# ``$p`` is a tagged process's pid; each prints what a search reports of it
_PID = 'echo "$p"'
_LISTED_SH = f'echo "$p $(tr "\\000" " " < "/proc/$p/cmdline" 2>/dev/null | cut -c1-{SHOWN_CHARS})"'
_LISTED_BASH = ('mapfile -d "" -t __dt_c 2>/dev/null < "/proc/$p/cmdline"; printf -v __dt_l "%s " "${__dt_c[@]}"; '
                f'echo "$p ${{__dt_l:0:{SHOWN_CHARS}}}"')


def tagged_bash(tag: str, listing: bool = False) -> str:
    """Bash, builtins only, printing the pid of each live process that carries *tag* (with
    *listing*, ``<pid> <command line>``), the shell itself left out. It forks nothing, so it
    can run in a node's command shell itself; a forked subshell shows its parent's
    environment, never a tag it exported since, so it is not found either."""
    each = _LISTED_BASH if listing else _PID
    return ("__dt_tagged() { local IFS=$'\\n' p __dt_e __dt_v __dt_c __dt_l; for __dt_e in /proc/[0-9]*/environ; do "
            'p=${__dt_e#/proc/}; p=${p%/environ}; '
            'if [ "$p" = "$$" ] || [ "$p" = "$BASHPID" ]; then continue; fi; '
            'mapfile -d "" -t __dt_v 2>/dev/null < "$__dt_e" || continue; '
            # one pattern match per process: its entries joined by newlines
            f"""case $'\\n'"${{__dt_v[*]}}"$'\\n' in *$'\\n'{tag_pattern(tag)}$'\\n'*) {each};; esac; """
            "done; }; __dt_tagged; true")


def tagged_command(tag: str, listing: bool = False) -> str:
    """Shell (sh) doing what ``tagged_bash`` does: that in bash 5, else ``grep`` started
    without the tag in its environment, so it never finds itself (the shell that starts it,
    which may carry the tag, is left out by its pid)."""
    each = _LISTED_SH if listing else _PID
    # the pattern is hex, digits and "-": the same string as an ERE and literally
    inner = (f'for p in $(grep -lsxzE "{tag_pattern(tag)}" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do '
             f'[ "$p" != "$1" ] && [ -d "/proc/$p" ] && {each}; done; true')
    return (f'if [ "${{BASH_VERSINFO:-0}}" -ge 5 ]; then eval {shlex.quote(tagged_bash(tag, listing))}; '
            f'else env -u {TAG_VARIABLE} sh -c {shlex.quote(inner)} _ "$$"; fi')


def parse_listing(output: bytes | str) -> list[str]:
    """The ``<pid> <command line>`` lines of a listing, stripped; other lines dropped."""
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    lines = []
    for line in text.splitlines():
        pid, _, command = line.strip().partition(" ")
        if pid.isdigit():
            lines.append(f"{pid} {command.strip()}".rstrip())
    return lines


def parse_killed(output: bytes | str) -> list[str]:
    """``<pid> <name>`` lines of ``kill_command``'s output, one per pid, in order."""
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    found: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split(maxsplit=1)
        if words and words[0].isdigit():
            found[words[0]] = found.get(words[0]) or (words[1].strip() if len(words) > 1 else "")
    return [f"{pid} {name}".rstrip() for pid, name in found.items()]
