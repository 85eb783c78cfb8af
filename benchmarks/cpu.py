"""CPU time of a process and everything it started, read from Linux's /proc.

The whole-turn benchmark divides each service's CPU time by the turns it served: which part of
a turn costs what, with no profiler attached.
"""

import os
from pathlib import Path
from typing import NamedTuple

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


class _Stat(NamedTuple):
    ppid: int
    own: int  # utime + stime, in clock ticks
    ended_children: int  # cutime + cstime: its children that ended and were waited for


def cpu_seconds(pid: int, proc: Path = PROC, descendants: bool = True) -> float:
    """User and system CPU seconds of ``pid`` (0 if it is gone) and, unless told not to, of
    all its descendants: the living ones, and those that have ended and been waited for (a
    PostgreSQL backend whose connection closed), which Linux adds to their parent's count."""
    stats = _all_stats(proc)
    if not descendants:
        return stats[pid].own / _TICKS if pid in stats else 0.0
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, stat in stats.items() if stat.ppid == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(stats[p].own + stats[p].ended_children for p in tree if p in stats) / _TICKS


def server_pids(command: str, proc: Path = PROC) -> list[int]:
    """The topmost processes named ``command`` (a server's main process, whose workers are its
    descendants): PostgreSQL's postmaster, redis-server."""
    names = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                names[int(entry.name)] = (entry / "comm").read_text().strip()
            except OSError:
                continue
    stats = _all_stats(proc)
    return [
        pid
        for pid, name in names.items()
        if name == command and pid in stats and names.get(stats[pid].ppid) != command
    ]


def _all_stats(proc: Path) -> dict[int, _Stat]:
    stats = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name in parentheses may hold spaces: split after its closing one.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while being read
        stats[int(entry.name)] = _Stat(
            int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
        )
    return stats
