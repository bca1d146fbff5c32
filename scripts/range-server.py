#!/usr/bin/env python3
"""A static file server for tests, on 127.0.0.1 only, that honours `Range: bytes=N-`.

Usage: range-server.py DIR [--drop-after BYTES] [--lifetime SECONDS]
Prints the port it listens on, then serves DIR until SECONDS (default 300) have passed.
--drop-after cuts the first download of each object after BYTES, like a lost connection.
"""
import argparse
import http.server
import os
import socket
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("root")
parser.add_argument("--drop-after", type=int, default=0)
parser.add_argument("--lifetime", type=float, default=300)
args = parser.parse_args()
dropped = set()
lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=args.root, **kw)

    def do_GET(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start = 0
        requested = self.headers.get("Range", "")
        if requested.startswith("bytes="):
            start = int(requested[6:].split("-")[0] or 0)
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read()
        with lock:
            drop = args.drop_after and "/objects/" in self.path and self.path not in dropped and len(data) > args.drop_after
            if drop:
                dropped.add(self.path)
        if drop:
            self.wfile.write(data[: args.drop_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
