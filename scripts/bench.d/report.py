"""scripts/bench's output: the machine, the table on the terminal, docs/benchmarks.md."""
import datetime
import os
import platform
import subprocess


def _run(args, cwd=None):
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _first(path, prefix):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def machine(demokit, work, repo):
    """What the figures depend on, for the reader of docs/benchmarks.md."""
    df = _run(["df", "-PT", work]).splitlines()
    device = fs = ""
    if len(df) > 1:
        device, fs = df[1].split()[:2]
    disk = device
    block = os.path.basename(os.path.realpath(device)) if device.startswith("/dev/") else ""
    if block:
        parent = _run(["lsblk", "-ndo", "PKNAME", device]) or block
        rotational = _run(["cat", "/sys/block/%s/queue/rotational" % parent])
        model = _run(["cat", "/sys/block/%s/device/model" % parent])
        disk += " (%s%s)" % (model + ", " if model else "", {"0": "reported non-rotational", "1": "reported rotational"}.get(rotational, "type unknown"))
    mem = _first("/proc/meminfo", "MemTotal")
    mem_gib = "%.1f GiB" % (int(mem.split()[0]) / (1 << 20)) if mem else "?"
    debian = _run(["cat", "/etc/debian_version"])
    swift = _run(["swift", "--version"]).splitlines()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or "?",
        "cores": str(os.cpu_count()),
        "ram": mem_gib,
        "disk": "%s, %s" % (disk or "?", fs or "?"),
        "kernel": platform.release(),
        "debian": debian or "?",
        "swift": swift[0] if swift else "(swift not in PATH)",
        "demokit": binary(demokit, repo),
        "load": " ".join(open("/proc/loadavg").read().split()[:3]),
    }


def binary(demokit, repo, label=None):
    """A demokit binary: its version, path, and the commit checked out in repo (the folder's
    own repository, if any), taken as the one it was built from."""
    commit = _run(["git", "rev-parse", "--short", "HEAD"], cwd=repo)
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo)
    text = "%s (%s, commit %s%s)" % (_run([demokit, "--version"]) or "?", demokit, commit or "?", ", with local changes" if dirty else "")
    return "%s: %s" % (label, text) if label else text


def seconds(value):
    return "%.2f s" % value if value < 100 else "%.0f s" % value


def mib(kib):
    return "%.0f MiB" % (kib / 1024)


# A table's columns: (key in each row, heading).
RESULTS = (("measure", "measure"), ("demokit", "demokit"), ("reference", "reference"), ("ratio", "ratio"), ("aim", "aim"), ("met", "met?"))
BEFORE_AFTER = (("measure", "measure"), ("before", "before (baseline)"), ("after", "after"), ("change", "after ÷ before"))


def table_lines(rows, columns=RESULTS):
    """rows: dicts with the columns' keys."""
    head = tuple(heading for _, heading in columns)
    cells = [head] + [tuple(r[key] for key, _ in columns) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = []
    for n, cell in enumerate(cells):
        lines.append("  ".join(text.ljust(width) for text, width in zip(cell, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def stage_table(kinds, rows):
    head = ["stage"] + kinds
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head] + rows]


def markdown_table(rows, columns=RESULTS):
    return (["| " + " | ".join(heading for _, heading in columns) + " |", "|---" * len(columns) + "|"]
            + ["| " + " | ".join(r[key] for key, _ in columns) + " |" for r in rows])


def markdown(info, setup, rows, stages, samples, method, command, compared=None, keys=None):
    out = ["# Benchmarks", "",
           "Written by `scripts/bench`: demokit against the reference tools, run side by side on",
           "the same machine in the same run. Every figure is a ratio against its reference; absolute times",
           "depend on the machine below and on what else was running (the load average is given).", "",
           "Rerun on your machine with:", "", "```sh", command, "```", "",
           "`scripts/bench --quick` is a smoke run (1,000 entries, 100 MiB of artifacts, no 4 GiB run) that",
           "prints the table without writing this file; `scripts/bench --help` lists the options.", "",
           "## Machine", "", "| | |", "|---|---|"]
    for key, label in (("date", "date"), ("cpu", "CPU"), ("cores", "cores"), ("ram", "RAM"), ("disk", "disk, file system"),
                       ("kernel", "kernel"), ("debian", "Debian"), ("swift", "Swift"), ("demokit", "demokit"),
                       ("baseline", "demokit baseline (before)"),
                       ("load", "load average at the start"), ("load_end", "load average at the end")):
        if key in info:
            out.append("| %s | %s |" % (label, info[key]))
    out += ["", "## Reference kit", ""] + ["- " + line for line in setup] + ["", "## Results", ""]
    out += markdown_table(rows)
    out += ["", "Ratios are demokit ÷ reference, from the medians of the samples below (lower is better).", ""]
    if compared:
        out += ["## Before / after", "",
                "The same demokit runs made with the baseline binary (machine section) in the same run, in",
                "turn with the binary measured's (first on even runs, second on odd ones). Times and peak RSS, then the guardrails' ratios to",
                "their references for each binary; after ÷ before below ×1 is an improvement.", ""]
        out += markdown_table(compared, BEFORE_AFTER) + ["", keys + ".", ""]
    out += ["## Where a build's time goes", "",
            "From the stage lines demokit prints on stderr, each to the next one (start-up: until the first line);",
            "medians over the builds of each kind.", "",
            "| stage | " + " | ".join(stages[0]) + " |", "|---" * (len(stages[0]) + 1) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in stages[1]]
    out += ["", "## How each figure is measured", ""] + method + ["", "## Samples", "", "| measure | seconds (or MiB) |", "|---|---|"]
    for name, values in samples.items():
        out.append("| %s | %s |" % (name, ", ".join("%.2f" % v for v in values)))
    return "\n".join(out) + "\n"
