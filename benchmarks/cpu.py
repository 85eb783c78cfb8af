"""CPU time of a process and everything it started, read from Linux's /proc.

The whole-turn benchmark divides each service's CPU time by the turns it served: which part of
a turn costs what, with no profiler attached.
"""

import os
from pathlib import Path

PROC = Path("/proc")


def cpu_seconds(pid: int, proc: Path = PROC, descendants: bool = True) -> float:
    """User and system CPU seconds of ``pid`` and, unless told not to, its living descendants
    (0 if it is gone)."""
    stats = _all_stats(proc)
    tree, frontier = {pid}, [pid] if descendants else []
    while frontier:
        parent = frontier.pop()
        children = [p for p, (ppid, _) in stats.items() if ppid == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(stats[p][1] for p in tree if p in stats) / ticks


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
        if name == command and pid in stats and names.get(stats[pid][0]) != command
    ]


def _all_stats(proc: Path) -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, utime + stime in clock ticks)."""
    stats = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name in parentheses may hold spaces: split after its closing one.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while being read
        stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return stats
