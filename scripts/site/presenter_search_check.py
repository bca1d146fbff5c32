"""The queries a presenter types, in both browsers, on the repository's kit.

Tests/DemoKitTests/Fixtures/presenter-queries.json holds them with the first result
expected (the same file PresenterSearchTests checks in SQLite and in Node). Here the
key's own search.js and search-index.js run them inside Chromium and Firefox.
"""
import html
import json
import os
import re

import browsers

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
QUERIES = os.path.join(REPO, "Tests", "DemoKitTests", "Fixtures", "presenter-queries.json")


def write_page(tree, queries):
    folder = os.path.join(tree, "catalogue", "test")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "presenter-queries.js"), "w", encoding="utf-8") as out:
        out.write("window.PRESENTER_QUERIES = " + json.dumps(queries, ensure_ascii=False) + ";\n")
    with open(os.path.join(folder, "run-presenter.js"), "w", encoding="utf-8") as out:
        out.write("""
var index = new DemoKitSearch.Index(window.DEMOKIT_SEARCH);
var results = window.PRESENTER_QUERIES.map(function (q) {
  return index.search(q, {}, 10).results.map(function (r) { return r.doc[0]; });
});
document.getElementById('out').textContent = JSON.stringify(results);
""")
    page = os.path.join(folder, "presenter.html")
    with open(page, "w", encoding="utf-8") as out:
        out.write("""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>presenter queries</title></head>
<body><pre id="out">not run</pre><script src="presenter-queries.js"></script><script src="../assets/search.js"></script>
<script src="../search-index.js"></script><script src="run-presenter.js"></script></body></html>""")
    return page


def compare(browser, results, spec, check):
    firsts, fives = spec["first"], spec["firstFive"]
    wrong = ["« %s » → %s" % (q["query"], (r or ["nothing"])[0])
             for q, r in zip(firsts, results) if not r or r[0] != q["first"]]
    check("%s: %d presenter queries give their expected first result" % (browser, len(firsts)),
          len(results) == len(firsts) + len(fives) and not wrong, "; ".join(wrong[:5]))
    missing = ["« %s »: %s" % (q["query"], ", ".join(i for i in q["expected"] if i not in r[:5]))
               for q, r in zip(fives, results[len(firsts):]) if any(i not in r[:5] for i in q["expected"])]
    check("%s: broad queries have the software meant in their first five" % browser, not missing, "; ".join(missing))


def run(tree, check):
    with open(QUERIES, encoding="utf-8") as f:
        spec = json.load(f)
    queries = [q["query"] for q in spec["first"]] + [q["query"] for q in spec["firstFive"]]
    page = write_page(tree, queries)
    dom = browsers.chromium_dom(browsers.file_url(page))
    match = re.search(r'<pre id="out">([^<]*)', dom)
    try:
        compare("chromium", json.loads(html.unescape(match.group(1))) if match else [], spec, check)
    except ValueError as error:
        check("chromium: presenter queries run", False, str(error))
    try:
        firefox = browsers.Firefox()
    except Exception as error:  # noqa: BLE001 - reported as a failed check
        check("firefox: starts for the presenter queries", False, str(error))
        return
    try:
        firefox.navigate(browsers.file_url(page))
        out = firefox.wait("var o = document.getElementById('out').textContent; return o.charAt(0) === '[' && o;", timeout=60)
        compare("firefox", json.loads(out) if out else [], spec, check)
    finally:
        firefox.close()
