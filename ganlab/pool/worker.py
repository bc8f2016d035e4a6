"""A pool worker: a long-lived process that hosts many runs (``python -m ganlab.pool.worker``).

The server starts one per core (``ganlab.pool.local``). Each imports torch once, loads the datasets once,
and answers the server's connections (``multiprocessing.connection``, authenticated): one request at a time
per connection, ``(method, args, kwargs)`` of :class:`~ganlab.pool.host.RunHost`, answered with
``("ok", result)`` or ``("error", exception)`` (``ganlab.pool.protocol``). It trains at a lower priority than the web server (``nice``),
so pages stay quick while every core trains.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import sys
import threading
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Listener

from ganlab.pool.protocol import answer

READY = "ganlab-worker-ready"


def serve_connection(conn, host) -> None:
    """Answer one connection's requests until it closes."""
    while True:
        try:
            method, args, kwargs = receive(conn)
        except (EOFError, OSError):
            return
        try:
            send(conn, answer(host, method, args, kwargs))
        except (pickle.PicklingError, TypeError, AttributeError) as err:  # an answer that cannot cross
            send(conn, ("error", RuntimeError(f"{type(err).__name__}: {err}")))
        except (EOFError, OSError):
            return


def send(conn, obj) -> None:
    """Plain pickles (tensors copied), not multiprocessing's: torch registers its own reductions there, which
    pass tensors as shared-memory handles that only a process of the same family may open."""
    conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def receive(conn):
    return pickle.loads(conn.recv_bytes())


def _outlive_no_parent(parent: int) -> None:
    """End this worker when the server that started it is gone (killed, or it crashed without closing its
    pool): a worker nobody can reach must not go on training, or holding memory."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--socket", required=True, help="the Unix socket to listen on")
    parser.add_argument("--name", default="worker")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (one per worker: a worker per core)")
    parser.add_argument("--nice", type=int, default=5, help="how much lower than the server it runs")
    parser.add_argument("--preload", default="", help="datasets to load at start, comma-separated")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--warm-up", default="", help="build and drop one run on this data before saying ready")
    parser.add_argument("--parent", type=int, default=None, help="the server's pid: the worker ends when it does")
    ns = parser.parse_args(argv)
    authkey = bytes.fromhex(os.environ.pop("GANLAB_WORKER_KEY", ""))
    if not authkey:
        print("the worker needs GANLAB_WORKER_KEY (the server sets it)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    if ns.parent:
        threading.Thread(target=_outlive_no_parent, args=(ns.parent,), daemon=True, name="ganlab-parent").start()
    if ns.nice:
        try:
            os.nice(ns.nice)
        except OSError:
            pass
    import torch

    torch.set_num_threads(max(1, ns.threads))
    from ganlab.pool.host import RunHost

    host = RunHost(name=ns.name)
    if ns.preload and ns.data_dir:
        threading.Thread(target=host.preload, args=(tuple(ns.preload.split(",")), ns.data_dir), daemon=True).start()
    if ns.warm_up:
        host.warm_up(ns.warm_up)
    listener = Listener(ns.socket, family="AF_UNIX", authkey=authkey)
    print(READY, "gpu" if torch.cuda.is_available() else "cpu", flush=True)  # what it trains on, for the pool
    try:
        while True:
            try:
                conn = listener.accept()
            except (OSError, EOFError, AuthenticationError):  # a client that failed the handshake: wait for the next
                continue
            threading.Thread(target=serve_connection, args=(conn, host), daemon=True, name="ganlab-conn").start()
    finally:
        host.close()
        listener.close()


if __name__ == "__main__":
    sys.exit(main())
