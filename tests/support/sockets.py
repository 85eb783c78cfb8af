"""Which loopback TCP connections a process group holds: read from /proc (Linux), so a test
can tell afterwards which process made a call its server received."""

import os
from pathlib import Path


def connected_ports(process_group: int, remote_port: int) -> set[int]:
    """The local ports of the process group's TCP connections to ``remote_port``."""
    inodes = {inode for pid in _members(process_group) for inode in _socket_inodes(pid)}
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and _port(remote) == remote_port:
                ports.add(_port(local))
    return ports


def _members(process_group: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == process_group:
                    members.append(int(entry))
            except ProcessLookupError:
                pass
    return members


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:  # it ended meanwhile
        return inodes
    for fd in descriptors:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _port(address: str) -> int:
    """The port of /proc/net/tcp's "0100007F:1F90"."""
    return int(address.rsplit(":", 1)[1], 16)
