"""Drives Debian's chromium and firefox-esr on a built key, from file://, no server.

Used by scripts/test.d/50-site (checks) and scripts/bench-site (timings).
Chromium: --dump-dom prints the DOM after scripts ran; --print-to-pdf prints.
Firefox: Marionette, the protocol Firefox speaks itself (PyPI marionette-driver).
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--user-data-dir={profile}"]


def file_url(path, query=None):
    url = "file://" + urllib.parse.quote(os.path.abspath(path))
    if query:
        url += "?" + urllib.parse.urlencode(query)
    return url


def chromium_dom(url, budget_ms=5000, timeout=60):
    """The DOM after scripts ran, as HTML text."""
    profile = tempfile.mkdtemp(prefix="demokit-chromium-")
    try:
        args = [a.format(profile=profile) for a in CHROMIUM]
        args += ["--virtual-time-budget=%d" % budget_ms, "--dump-dom", url]
        out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        return out.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def chromium_pdf(url, pdf, timeout=60):
    profile = tempfile.mkdtemp(prefix="demokit-chromium-")
    try:
        args = [a.format(profile=profile) for a in CHROMIUM]
        args += ["--no-pdf-header-footer", "--print-to-pdf=" + pdf, url]
        subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        return os.path.exists(pdf)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def pdf_info(pdf):
    """{'Pages': '1', 'Page size': '595.276 x 841.89 pts (A4)', ...} from pdfinfo."""
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=30).stdout
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Firefox:
    """firefox-esr --headless --marionette on a free loopback port, stopped by close()."""

    def __init__(self, width=1280, height=900, prefs=None):
        from marionette_driver.marionette import Marionette
        self.profile = tempfile.mkdtemp(prefix="demokit-firefox-")
        self.port = free_port()
        extra = prefs
        with open(os.path.join(self.profile, "user.js"), "w") as prefs:
            prefs.write('user_pref("marionette.port", %d);\n' % self.port)
            # An offline catalogue: no update checks, no telemetry, no remote settings.
            for pref in ["app.update.enabled", "datareporting.policy.dataSubmissionEnabled",
                         "toolkit.telemetry.enabled", "browser.shell.checkDefaultBrowser"]:
                prefs.write('user_pref("%s", false);\n' % pref)
            for name, value in (extra or {}).items():
                prefs.write('user_pref("%s", %s);\n' % (name, json.dumps(value)))
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_HEADLESS_WIDTH=str(width), MOZ_HEADLESS_HEIGHT=str(height))
        self.process = subprocess.Popen(
            ["firefox-esr", "--headless", "--marionette", "--no-remote", "--profile", self.profile],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    self.close()
                    raise RuntimeError("Firefox did not open its Marionette port")
                time.sleep(0.3)
        self.client = Marionette(host="127.0.0.1", port=self.port)
        self.client.start_session()
        self.client.timeout.script = 30
        self.client.timeout.page_load = 30

    def navigate(self, url):
        self.client.navigate(url)

    def script(self, source, args=None):
        return self.client.execute_script(source, script_args=args or [], sandbox=None)

    def wait(self, source, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.script(source)
            if value:
                return value
            time.sleep(0.05)
        return None

    def print_pdf(self, pdf):
        """WebDriver's print command, answered by Firefox itself."""
        import base64
        data = self.client._send_message("WebDriver:Print", {
            "page": {"width": 21.0, "height": 29.7}, "background": False, "shrinkToFit": False,
            "margin": {"top": 0, "bottom": 0, "left": 0, "right": 0}}, key="value")
        with open(pdf, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            if getattr(self, "client", None):
                self.client.delete_session()
        except Exception:
            pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def write_vectors_page(tree, vectors_json):
    """A page of the key's own folder that folds the shared vectors with search.js."""
    folder = os.path.join(tree, "catalogue", "test")
    os.makedirs(folder, exist_ok=True)
    with open(vectors_json, encoding="utf-8") as f:
        vectors = json.load(f)
    with open(os.path.join(folder, "vectors.js"), "w", encoding="utf-8") as out:
        out.write("window.VECTORS = " + json.dumps(vectors) + ";\n")
    with open(os.path.join(folder, "run-vectors.js"), "w", encoding="utf-8") as out:
        out.write("""
var bad = [];
window.VECTORS.forEach(function (v) {
  var f = DemoKitSearch.fold(v.input), t = DemoKitSearch.tokens(v.input);
  if (f !== v.folded || JSON.stringify(t) !== JSON.stringify(v.tokens)) bad.push(v.input + ' -> ' + f + ' ' + JSON.stringify(t));
});
document.getElementById('out').textContent = 'checked=' + window.VECTORS.length + ' bad=' + bad.length + ' ' + bad.join(' | ');
""")
    page = os.path.join(folder, "vectors.html")
    with open(page, "w", encoding="utf-8") as out:
        out.write("""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>vectors</title></head>
<body><pre id="out">not run</pre><script src="vectors.js"></script><script src="../assets/search.js"></script>
<script src="run-vectors.js"></script></body></html>""")
    return page


class Chromium:
    """Headless chromium driven over the DevTools protocol on a pipe
    (--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-separated JSON), so key presses
    are real input events; no extra Python package, no port."""

    def __init__(self, width=1280, height=800):
        self.profile = tempfile.mkdtemp(prefix="demokit-chromium-")
        to_child, self._to_child = os.pipe()
        self._from_child, from_child = os.pipe()

        def fds():
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        args = [a.format(profile=self.profile) for a in CHROMIUM]
        args += ["--remote-debugging-pipe", "--window-size=%d,%d" % (width, height), "about:blank"]
        # Python closes the descriptors not in pass_fds after preexec_fn: 3 and 4 are kept.
        self.process = subprocess.Popen(args, pass_fds=(3, 4, to_child, from_child), preexec_fn=fds,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next = 0
        self._events = []
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
        self.send("Page.enable", session=True)

    def send(self, method, params=None, session=False, timeout=30):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self._events.append(reply)
        raise RuntimeError("chromium did not answer " + method)

    def _read(self, deadline):
        import select
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], max(0.0, deadline - time.time()))
            if not ready:
                raise RuntimeError("chromium is silent")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def navigate(self, url, settle=0.5):
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait("document.readyState === 'complete'")
        time.sleep(settle)

    def script(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        return result.get("result", {}).get("value")

    def wait(self, expression, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.script(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.05)
        return None

    KEYS = {"ArrowRight": 39, "ArrowLeft": 37, "Home": 36, "End": 35, "PageDown": 34, "PageUp": 33,
            " ": 32, "Escape": 27, "n": 78, "f": 70}

    def press(self, key):
        code = self.KEYS[key]
        name = {" ": "Space", "n": "KeyN", "f": "KeyF"}.get(key, key)
        for kind in ("rawKeyDown", "keyUp"):
            params = {"type": kind, "key": key, "code": name, "windowsVirtualKeyCode": code}
            if kind == "rawKeyDown" and key == " ":
                self.send("Input.dispatchKeyEvent", dict(params, type="keyDown", text=" "), session=True)
                continue
            self.send("Input.dispatchKeyEvent", params, session=True)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
