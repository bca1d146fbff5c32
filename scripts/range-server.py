#!/usr/bin/env python3
"""demokit's HTTP server for download tests, on 127.0.0.1 only: serves the files of DIR
and honours `Range: bytes=N-` (206 with Content-Range; 416 past the end).

Usage: range-server.py DIR [--drop-after BYTES] [--log FILE] [--lifetime SECONDS] [--stop-on-eof]
                         [--protocol HTTP/1.0|HTTP/1.1] [--port PORT]
Prints the port it listens on (PORT, else one the system picks), then serves DIR until SECONDS (default 300) have passed,
or, with --stop-on-eof, until its standard input closes.

Misbehaviours, to test what a client does with them:
  --drop-after BYTES  the first download of each path under /objects/ is cut after BYTES,
                      like a lost connection
  /cut-once/NAME      the first request for NAME sends half of what it announces, then
                      closes the connection; later ones are served normally (Range included)
  /wrong/NAME         other bytes of the same length (Range ignored)
  /shifted/NAME       a request for bytes=N- (N > 0) is answered 206 from N/2, its
                      Content-Range saying so; without Range, NAME whole
--log FILE appends one line per request: its path and its Range header (or "-").
--protocol: HTTP/1.0 (the default) closes the connection after each answer; HTTP/1.1 keeps it.
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
parser.add_argument("--log")
parser.add_argument("--lifetime", type=float, default=300)
parser.add_argument("--stop-on-eof", action="store_true")
parser.add_argument("--protocol", choices=["HTTP/1.0", "HTTP/1.1"], default="HTTP/1.0")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
cut = set()
lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = args.protocol

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=args.root, **kw)

    def do_GET(self):
        requested = self.headers.get("Range", "")
        if args.log:
            with lock, open(args.log, "a") as log:
                log.write(f"{self.path} {requested or '-'}\n")
        mode, path = "plain", self.path
        for prefix in ("/cut-once/", "/wrong/", "/shifted/"):
            if path.startswith(prefix):
                mode, path = prefix.strip("/"), "/" + path[len(prefix):]
        file = self.translate_path(path)
        if not os.path.isfile(file):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(file, "rb") as f:
            data = f.read()
        if mode == "wrong":
            data = bytes((b + 1) % 256 for b in data)
        size, start = len(data), 0
        if requested.startswith("bytes=") and mode != "wrong":
            start = int(requested[6:].split("-")[0] or 0)
            if mode == "shifted":
                start //= 2
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        with lock:
            keep = len(body)
            if mode == "cut-once" and path not in cut:
                cut.add(path)
                keep = len(body) // 2
            elif args.drop_after and "/objects/" in path and path not in cut and len(body) > args.drop_after:
                cut.add(path)
                keep = args.drop_after
        self.wfile.write(body[:keep])
        if keep < len(body):
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
if args.stop_on_eof:
    waiter = threading.Thread(target=sys.stdin.read, daemon=True)
    waiter.start()
    waiter.join(timeout=args.lifetime)
else:
    threading.Event().wait(args.lifetime)
server.shutdown()
