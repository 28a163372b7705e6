#!/usr/bin/env python3
"""A qvirt protocol client in plain Python (standard library only).

Connects to a qvirt socket (qvirtd's qvirt.sock or qvirt-ro.sock, or any
program serving the protocol), says hello, lists the domains, optionally
starts one, and prints the event notifications it receives:

    python3 examples/client.py $XDG_RUNTIME_DIR/qvirt/qvirt.sock
    python3 examples/client.py --start vm1 --seconds 10 /srv/vms/run/qvirt.sock

The protocol (docs/protocol.md) is JSON-RPC 2.0 with one JSON object per
line. Replies may arrive out of order and events arrive as notifications
in between, so everything read goes through one place (Client._read)
that files replies by id and queues notifications.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import argparse
import collections
import datetime
import itertools
import json
import os
import socket
import sys
import time

# sun_path holds 108 bytes, terminator included.
SUN_PATH_MAX = 107


class QvirtError(Exception):
    """A JSON-RPC error reply: code, kind (error.data.kind) and message."""

    def __init__(self, error):
        self.code = error.get("code")
        self.kind = error.get("data", {}).get("kind", "internal")
        super().__init__(error.get("message", ""))


def connect_unix(path):
    """Connects to a UNIX socket at any path length: a deep path is
    reached through a descriptor of its directory."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if len(os.fsencode(path)) <= SUN_PATH_MAX:
        sock.connect(path)
        return sock
    dir_fd = os.open(os.path.dirname(path) or ".", os.O_PATH | os.O_DIRECTORY)
    try:
        sock.connect("/proc/self/fd/%d/%s" % (dir_fd, os.path.basename(path)))
    finally:
        os.close(dir_fd)
    return sock


class Client:
    def __init__(self, path):
        self.sock = connect_unix(path)
        self.ids = itertools.count(1)
        self.buffer = b""
        self.replies = {}                          # id -> reply
        self.notifications = collections.deque()   # in arrival order

    def close(self):
        self.sock.close()

    def send(self, method, params=None):
        """Sends a request and returns its id, without waiting."""
        request_id = next(self.ids)
        request = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            request["params"] = params
        line = json.dumps(request, separators=(",", ":")) + "\n"
        self.sock.sendall(line.encode("utf-8"))
        return request_id

    def wait(self, request_id):
        """Waits for the reply to request_id; returns its result or raises
        QvirtError. Notifications that arrive meanwhile are queued."""
        while request_id not in self.replies:
            self._read(timeout=None)
        reply = self.replies.pop(request_id)
        if "error" in reply:
            raise QvirtError(reply["error"])
        return reply["result"]

    def call(self, method, params=None):
        return self.wait(self.send(method, params))

    def next_notification(self, timeout):
        """The next notification, or None if none came within timeout
        seconds (None: wait for ever)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.notifications:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            if not self._read(timeout=left):
                return None
        return self.notifications.popleft()

    def _read(self, timeout):
        """Reads what arrives (waiting up to timeout seconds) and files
        every complete line. False on timeout."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, BlockingIOError):
            return False
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            message = json.loads(line)
            if "id" in message:
                self.replies[message["id"]] = message
            else:
                self.notifications.append(message)
        return True


def print_domains(domains):
    if not domains:
        print("no domains")
        return
    print("%-20s %-9s %-10s %8s %10s" % ("NAME", "STATE", "REASON", "PID", "MEMORY"))
    for d in domains:
        print("%-20s %-9s %-10s %8s %7d MiB" % (d["name"], d["state"], d["reason"],
                                               d["pid"] or "-", d["memory-kib"] // 1024))


def format_event(params):
    when = datetime.datetime.fromtimestamp(params["timestamp"] / 1e6)
    text = "%s %s %s %s" % (when.strftime("%H:%M:%S.%f")[:-3], params["domain"],
                            params["kind"], params["event"])
    if "detail" in params:
        text += " " + params["detail"]
    if params.get("data"):
        text += " " + json.dumps(params["data"], separators=(",", ":"))
    return text


def main():
    parser = argparse.ArgumentParser(
        description="Say hello to a qvirt socket, list its domains, optionally "
                    "start one, and print events.")
    parser.add_argument("socket", help="the socket, e.g. $XDG_RUNTIME_DIR/qvirt/qvirt.sock")
    parser.add_argument("--start", metavar="NAME", help="start this defined domain")
    parser.add_argument("--seconds", type=float, metavar="N",
                        help="follow events for N seconds (default: until Ctrl-C)")
    args = parser.parse_args()

    try:
        client = Client(args.socket)
    except OSError as e:
        print("error: cannot connect to %s: %s" % (args.socket, e.strerror), file=sys.stderr)
        return 1

    try:
        hello = client.call("server.hello")
        print("connected to %s (protocol %d), %s, %s" % (
            hello["server"], hello["protocol"], hello["uri"],
            "read-only" if hello["read-only"] else "read-write"))

        print_domains(client.call("domain.list", {"inactive": True}))

        # Subscribe before starting, so the start's own events are seen.
        subscription = client.call("events.subscribe")["subscription"]
        if args.start:
            print("starting %s ..." % args.start)
            client.call("domain.start", {"name": args.start})
            print("%s is running" % args.start)

        if args.seconds is None:
            print("events (subscription %d), Ctrl-C to stop:" % subscription)
        else:
            print("events (subscription %d) for %g s:" % (subscription, args.seconds))
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            notification = client.next_notification(left)
            if notification is None:
                break
            if notification.get("method") == "event":
                print("  " + format_event(notification["params"]))
    except KeyboardInterrupt:
        pass
    except QvirtError as e:
        print("error: %s: %s" % (e.kind, e), file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
