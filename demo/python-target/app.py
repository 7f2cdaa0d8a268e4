"""A tiny Python HTTP target for py-spy profiles (standard library only).

GET /hot spends its time in hot_checksum (pure Python, deliberately slow); GET /ok answers at once.
With --workers N (N >= 1) it is a pre-fork server like gunicorn: the master opens the listening
socket, forks N workers that accept on that same socket, and only waits for them; without it one
process serves. It prints its port on the first line of stdout once it accepts connections.

    python3 demo/python-target/app.py --port 0 --workers 2
"""

import argparse
import os
import signal
import socket
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def hot_checksum(rounds):
    x = 0
    for i in range(rounds):
        x = (x * 31 + i) % 1000003
    return x


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.startswith("/hot"):
            body = f"{hot_checksum(20000)} pid {os.getpid()}\n".encode()
        elif self.path.startswith("/ok"):
            body = f"ok pid {os.getpid()}\n".encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class SharedSocketServer(HTTPServer):
    """An HTTPServer that accepts on a socket it was given (the master's) instead of binding its own."""

    def __init__(self, sock):
        super().__init__(sock.getsockname()[:2], Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock


def listen(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def serve(sock):
    SharedSocketServer(sock).serve_forever()


def prefork(sock, workers):
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            serve(sock)
            os._exit(0)
        children.append(pid)

    def stop(*_):
        for c in children:
            try:
                os.kill(c, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        pid, _ = os.wait()
        children = [c for c in children if c != pid]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3300)
    parser.add_argument("--workers", type=int, default=0, help="pre-fork workers sharing the socket (0: serve in this process)")
    args = parser.parse_args()
    sock = listen(args.host, args.port)
    print(sock.getsockname()[1], flush=True)
    if args.workers > 0:
        prefork(sock, args.workers)
    else:
        serve(sock)


if __name__ == "__main__":
    main()
