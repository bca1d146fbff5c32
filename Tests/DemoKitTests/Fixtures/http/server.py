#!/usr/bin/env python3
"""A small HTTP server for demokit's download tests, on 127.0.0.1 only.

Serves the files of a folder with Range support, and two misbehaviours:
  /cut-once/NAME  the first request for NAME sends half the file then closes the
                  connection (Content-Length announces the whole file); later
                  requests are served normally (Range included)
  /wrong/NAME     serves other bytes of the same length
Every request line and Range header is appended to requests.log in the folder.
Prints the port on stdout, then serves until stdin closes or 120 seconds pass.
"""
import http.server, os, sys, threading

root = sys.argv[1]
cut_done = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(os.path.join(root, "requests.log"), "a") as log:
            log.write(f"{self.path} {self.headers.get('Range', '-')}\n")
        path = self.path.lstrip("/")
        mode = "plain"
        for prefix in ("cut-once/", "wrong/"):
            if path.startswith(prefix):
                mode, path = prefix[:-1], path[len(prefix):]
        file = os.path.join(root, "files", path)
        if not os.path.isfile(file):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(file, "rb").read()
        if mode == "wrong":
            data = bytes((b + 1) % 256 for b in data)
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and mode != "wrong":
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if mode == "cut-once" and path not in cut_done:
            cut_done.add(path)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
waiter = threading.Thread(target=sys.stdin.read, daemon=True)
waiter.start()
waiter.join(timeout=120)
server.shutdown()
