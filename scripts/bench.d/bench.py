"""scripts/bench's work: generates the reference kit, times demokit and the reference
tools side by side, prints the table and writes docs/benchmarks.md. With --baseline, an
older demokit binary is timed too, run by run, for a before / after table.

Usage: bench.py --demokit BIN --work DIR [options]   (scripts/bench --help)
"""
import argparse
import contextlib
import hashlib
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
import report  # noqa: E402

MIB = 1 << 20
DROP_CACHES = "/proc/sys/vm/drop_caches"
# docs/benchmarks.md keeps everything from this heading on across runs.
HISTORY_HEADING = "## History and analysis"
# Paths of a built tree that may differ from a clean build. Empty: the key, every file
# and folder with its bytes, mode and time, must equal a clean build's.
IGNORED = set()


class BenchError(Exception):
    pass


def log(text):
    print("• " + text, flush=True)


def median(values):
    return statistics.median(values) if values else float("nan")


class Context:
    """What a build may keep between runs: its content store (--cache), $XDG_CACHE_HOME
    and $TMPDIR. A fresh context holds only the store's artifacts (sha256/) and unpacked
    portable apps (unpacked/), hard-linked: whatever build cache demokit keeps there
    starts empty. (A cache written into the kit folder is caught by Bench.check_kit.)"""

    def __init__(self, root, store_from, unpacked=True, shared=False):
        self.root = root
        self.store = store_from if shared else os.path.join(root, "store")
        self.xdg = os.path.join(root, "xdg")
        self.tmp = os.path.join(root, "tmp")
        os.makedirs(self.xdg)
        os.makedirs(self.tmp)
        if shared:
            return
        os.makedirs(self.store)
        for part in ("sha256", "unpacked") if unpacked else ("sha256",):
            source = os.path.join(store_from, part)
            if os.path.isdir(source):
                subprocess.run(["cp", "-al", source, os.path.join(self.store, part)], check=True)

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


class Run:
    def __init__(self, seconds, rss_kib, stages):
        self.seconds = seconds
        self.rss_kib = rss_kib
        self.stages = stages  # [(seconds since start, English stage name)]

    def stage_seconds(self):
        """[(stage, seconds)] from each stage line to the next (or to the exit)."""
        ends = [at for at, _ in self.stages[1:]] + [self.seconds]
        first = [("(start-up)", self.stages[0][0])] if self.stages else []
        return first + [(name, end - at) for (at, name), end in zip(self.stages, ends)]

    def since_stage(self, name):
        """Seconds from the stage line `name` to the end of the process."""
        for at, stage in self.stages:
            if stage == name:
                return self.seconds - at
        raise BenchError("stage « %s » not printed by demokit (stages: %s)" % (name, ", ".join(s for _, s in self.stages)))


class Side:
    """A demokit binary and its figures: the binary measured, or the --baseline binary it
    is compared with. The baseline's contexts and output folders are its own
    (`folder`), so that the two binaries' build caches never mix."""

    def __init__(self, bin, name="", samples=None, stages=None):
        self.bin = bin
        self.name = name  # "" for the binary measured, "before" for the baseline
        self.samples = {} if samples is None else samples
        self.stages = {} if stages is None else stages  # kind of build → [[(stage, seconds)] per build]

    def sample(self, name, value):
        self.samples.setdefault(name, []).append(value)
        return value

    def folder(self, name):
        return "%s-%s" % (self.name, name) if self.name else name

    def says(self, text):
        return "%s: %s" % (self.name, text) if self.name else text


class Bench:
    def __init__(self, options):
        self.o = options
        self.bin = options.demokit
        self.work = options.work
        self.drop = not options.warm and os.access(DROP_CACHES, os.W_OK)
        baseline = [options.baseline] if options.baseline else []
        self.programs = program_files([self.bin] + baseline + ["hugo", "bsdtar", "cp", "sha256sum", "find", "xargs", "bash", "/usr/bin/time"])
        self.samples = {}  # the binary measured's and the reference tools'
        self.started = time.monotonic()
        self.stages = {}  # kind of build → [[(stage, seconds)] per build]
        # Every demokit run is made by each side in turn, the baseline first: the load
        # of the machine weighs on both alike.
        self.main = Side(self.bin, samples=self.samples, stages=self.stages)
        self.sides = [Side(b, "before") for b in baseline] + [self.main]
        self.key_differences = []
        self.trash = os.path.join(self.work, "trash")
        self.trashed = 0

    def discard(self, path):
        """Moves a tree out of the way instead of deleting it; `empty_trash` deletes them
        all once nothing more is timed. On ext4 without a journal (this machine's
        root file system), a file created within a minute of many being deleted makes
        the kernel step over every inode freed in that minute (`find_inode_bit`,
        `recently_deleted`): perf showed 3 s of kernel CPU in a 41,000-page build run
        right after a 41,000-file tree was deleted. Whichever side ran after a
        deletion paid it; neither does now."""
        if os.path.lexists(path):
            os.makedirs(self.trash, exist_ok=True)
            self.trashed += 1
            os.rename(path, os.path.join(self.trash, str(self.trashed)))

    def empty_trash(self):
        shutil.rmtree(self.trash, ignore_errors=True)

    def sample(self, name, value):
        self.samples.setdefault(name, []).append(value)
        return value

    def settle(self, drop=True):
        """Between two timed runs: dirty pages written out, and with root the page
        cache emptied so that both sides read their input from the disk. The programs
        and their libraries are read back: only the data should come from the disk
        (demokit's binary alone is ~100 MiB)."""
        subprocess.run(["sync"], check=True)
        if self.drop and drop:
            with open(DROP_CACHES, "w") as f:
                f.write("3\n")
            for path in self.programs:
                with open(path, "rb") as f:
                    while f.read(4 * MIB):
                        pass

    def shell(self, script, cwd=None, drop=True):
        self.settle(drop)
        start = time.monotonic()
        done = subprocess.run(["bash", "-c", "set -euo pipefail; " + script], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.monotonic() - start
        if done.returncode != 0:
            raise BenchError("reference command failed (%d): %s\n%s" % (done.returncode, script, done.stderr[-2000:]))
        return elapsed

    def demokit(self, side, args, context):
        """Runs the side's demokit under /usr/bin/time -v, stamping each stage line it prints."""
        self.settle()
        rss_file = os.path.join(self.work, "time-v.txt")
        env = dict(os.environ, XDG_CACHE_HOME=context.xdg, TMPDIR=context.tmp)
        with open(os.path.join(self.work, "demokit-stdout.txt"), "w") as stdout:
            start = time.monotonic()
            process = subprocess.Popen(["/usr/bin/time", "-v", "-o", rss_file, side.bin] + args, stdout=stdout,
                                       stderr=subprocess.PIPE, env=env, text=True, errors="replace")
            stages, lines = [], []
            for line in process.stderr:
                at = time.monotonic() - start
                lines.append(line)
                if line.startswith("• "):
                    stages.append((at, line[2:].strip().split(" / ")[-1]))
            process.wait()
            elapsed = time.monotonic() - start
        if process.returncode != 0:
            raise BenchError(side.says("demokit %s failed (exit %d):\n%s" % (" ".join(args), process.returncode, "".join(lines[-30:]))))
        rss = 0
        with open(rss_file) as f:
            for line in f:
                if "Maximum resident set size" in line:
                    rss = int(line.rsplit(":", 1)[1])
        return Run(elapsed, rss, stages)

    def build(self, side, kit, out, context, base=True, extra=()):
        args = ["build", "--kit", kit, "--out", out, "--cache", context.store] + (["--base-iso", self.iso] if base else []) + list(extra)
        return self.demokit(side, args, context)

    def context(self, name, unpacked=True):
        root = os.path.join(self.work, "ctx-" + name)
        shutil.rmtree(root, ignore_errors=True)
        return Context(root, self.store.root, unpacked)

    def check_kit(self):
        """Cold builds share the kit folder with the rebuilds: a build cache kept in it
        would make them warm. Builds must leave it as generated."""
        found = kit_files(self.kit)
        if found != self.kit_listing:
            raise BenchError("demokit changed the kit folder (%s): cold builds would not be cold; give each context its own kit"
                             % ", ".join(sorted(found ^ self.kit_listing)[:5]))

    def affordable_runs(self, build, elapsed):
        """Runs (1 to 3) that fit in --budget-min, from cold build 0's time (both
        binaries' with a baseline), which bounds every later build. Each run is a cold
        build, a changed rebuild and (but the first) a no-change rebuild; besides them
        come the two archive builds, the catalogue-only build and the large payload's
        (~1.5 builds)."""
        left = (self.o.budget_min * 60 - elapsed) / build - 3.5
        return max(1, min(3, int(left // 3)))

    # ---- the run ---------------------------------------------------------------

    def generate(self):
        o = self.o
        rng = random.Random(o.seed)
        self.kit_site = os.path.join(self.work, "kit-site")
        log("reference kit: the repository's kit + %d generated entries" % o.entries)
        generate.copy_repository_kit(self.kit_site)
        self.descriptions = generate.generate_entries(self.kit_site, o.entries, rng)
        self.kit = os.path.join(self.work, "kit")
        shutil.copytree(self.kit_site, self.kit)
        self.store = generate.Store(os.path.join(self.work, "store"))
        os.makedirs(os.path.join(self.work, "gen"))
        log("application artifacts: %d MiB" % o.artifacts_mib)
        self.artifacts = generate.pin_artifacts(self.kit, self.store, o.artifacts_mib * MIB, o.seed, os.path.join(self.work, "gen"))
        self.kit_listing = kit_files(self.kit)
        log("base ISO stand-in: %d MiB" % o.iso_mib)
        self.iso = os.path.join(self.work, "base.iso")
        self.iso_bytes = generate.base_iso(self.iso, o.iso_mib * MIB, o.seed, os.path.join(self.work, "gen"))

    def unpack(self, kit):
        """Unpacks the kit's portable apps into the generated store, as the first build
        that uses them does, with `demokit plan` on the repository's kit carrying the
        same pins: the store of every cold build then holds them, as a volunteer's does
        after one build. Untimed. Each binary does it (a no-op for the second unless
        they unpack differently)."""
        small = os.path.join(self.work, "kit-unpack")
        generate.copy_repository_kit(small)
        for part in ("profiles", os.path.join("payload", "apps")):
            shutil.rmtree(os.path.join(small, part))
            shutil.copytree(os.path.join(kit, part), os.path.join(small, part))
        for app in generate.profile_apps(small):
            entry = os.path.join("payload", "catalogue", app + ".yml")
            if not os.path.exists(os.path.join(small, entry)):
                shutil.copy(os.path.join(kit, entry), os.path.join(small, entry))
        context = Context(os.path.join(self.work, "ctx-unpack"), self.store.root, shared=True)
        for side in self.sides:
            self.demokit(side, ["plan", "--kit", small, "--cache", self.store.root, "--quiet"], context)
        shutil.rmtree(small)
        context.remove()

    def turn(self, n):
        """The binaries in the order of run n: the baseline first on even runs, last on odd
        ones, so that going first (a colder cache, a quieter machine) favours neither."""
        return self.sides if n % 2 == 0 else self.sides[::-1]

    def compare_keys(self, state):
        """With a baseline: whether its clean build of this state and the binary measured's
        are the same bytes (check_equal's comparison, reported rather than fatal)."""
        if len(self.sides) < 2:
            return
        before, after = self.sides
        lines = differences(after.expected, before.expected)
        if lines:
            self.key_differences.append("cold build %d: %d path(s)" % (state, len(lines)))
            log("cold build %d: the key differs from the baseline's in %d path(s) (expected: the baseline's):\n%s"
                % (state, len(lines), "\n".join(lines[:20])))

    def run(self):
        o = self.o
        info = report.machine(self.bin, self.work, generate.REPO)
        if o.baseline:
            info["baseline"] = report.binary(o.baseline, os.path.dirname(o.baseline), o.baseline_label)
        log("cache mode: %s" % ("page cache dropped before every timed run" if self.drop else
                                "warm page cache (every timed run reads from memory)"))
        self.generate()
        w = self.work
        copy = os.path.join(w, "copy")
        log("unpacking the portable apps into the store (demokit plan)")
        self.unpack(self.kit)

        # Cold builds of states 0..runs; state i has the edited entry at revision i. Each
        # cold build is the clean build that the "one entry changed" rebuild of key 0
        # (state i-1 → i) must equal. cp -r and cp -r + sha256sum of its tree run beside it.
        # Each side keeps its key 0 (side.key0), built in its context side.ctx0.
        for side in self.sides:
            side.key0 = os.path.join(w, side.folder("key0"))
        state = 0
        while state <= (o.runs or 0):
            generate.edit_entry(self.kit, state)
            cold = []  # [(side, context, output, run)]
            for side in self.turn(state):
                ctx = self.context(side.folder("cold%d" % state))
                out = side.key0 if state == 0 else os.path.join(w, side.folder("cold%d" % state))
                run = self.build(side, self.kit, out, ctx)
                side.sample("cold build (s)", run.seconds)
                side.sample("cold build: peak RSS (MiB)", run.rss_kib / 1024)
                side.stages.setdefault("cold", []).append(run.stage_seconds())
                side.expected = fingerprint(out)
                if state == 0:
                    side.ctx0, side.expected0 = ctx, side.expected
                cold.append((side, ctx, out, run))
            self.compare_keys(state)
            out = self.main.key0 if state == 0 else next(o for s, _, o, _ in cold if s is self.main)  # the references copy the binary measured's tree
            if state == 0:
                files = sum(len(f) for _, _, f in os.walk(out))
                size = int(subprocess.run(["du", "-sb", out], capture_output=True, text=True, check=True).stdout.split()[0])
                self.tree_desc = (files, size)
                log("tree: %d files, %.0f MiB" % (files, size / MIB))
                self.check_kit()
                if o.runs is None:
                    o.runs = self.affordable_runs(sum(run.seconds for _, _, _, run in cold), time.monotonic() - self.started)
                    log("%d run(s) of each kind fit in the %d min budget" % (o.runs, o.budget_min))
            for side, _, _, run in cold:
                log(side.says("cold build %d/%d: %.1f s, %.0f MiB RSS" % (state + 1, o.runs + 1, run.seconds, run.rss_kib / 1024)))
            t = self.sample("cp -r (s)", self.shell('cp -r "%s" "%s"' % (out, copy)))
            self.discard(copy)
            t2 = self.sample("cp -r + sha256sum (s)", self.shell(
                'cp -r "%s" "%s" && cd "%s" && find . -type f -print0 | xargs -0 sha256sum >/dev/null' % (out, copy, copy)))
            self.discard(copy)
            log("cp -r %.1f s, cp -r + sha256sum %.1f s" % (t, t2))
            if state > 0:
                # The first rebuild after the cold build replaces a key a cold build made;
                # the later ones replace a key a rebuild made. Both are counted.
                kind = "one entry changed" if state > 1 else "one entry changed, first"
                for side, ctx, out, _ in cold:
                    run = self.build(side, self.kit, side.key0, side.ctx0)
                    side.sample("rebuild, %s (s)" % kind, run.seconds)
                    side.sample("rebuild: peak RSS (MiB)", run.rss_kib / 1024)
                    side.stages.setdefault(kind, []).append(run.stage_seconds())
                    check_equal(fingerprint(side.key0), side.expected, side.says("the rebuild after one entry changed"), "a clean build of the same inputs")
                    log(side.says("rebuild, %s: %.1f s (equals a clean build)" % (kind, run.seconds)))
                    self.discard(out)
                    self.discard(ctx.root)
            state += 1

        # With one run, the entry goes back to revision 0 for a rebuild of a rebuilt key
        # (cold build 0 is its clean build).
        if o.runs == 1:
            generate.edit_entry(self.kit, 0)
            for side in self.sides:
                run = self.build(side, self.kit, side.key0, side.ctx0)
                side.sample("rebuild, one entry changed (s)", run.seconds)
                side.sample("rebuild: peak RSS (MiB)", run.rss_kib / 1024)
                side.stages.setdefault("one entry changed", []).append(run.stage_seconds())
                check_equal(fingerprint(side.key0), side.expected0, side.says("the rebuild after one entry changed"), "a clean build of the same inputs")
                log(side.says("rebuild, one entry changed: %.1f s (equals a clean build)" % run.seconds))
                side.expected = side.expected0

        # No-change rebuilds: runs - 1 here, two more with the archives below.
        for n in range(o.runs - 1):
            for side in self.turn(n):
                run = self.build(side, self.kit, side.key0, side.ctx0)
                side.sample("rebuild, no change (s)", run.seconds)
                side.stages.setdefault("no change", []).append(run.stage_seconds())
                check_equal(fingerprint(side.key0), side.expected, side.says("the rebuild with no change"), "a clean build of the same inputs")
                log(side.says("rebuild, no change: %.1f s (equals a clean build)" % run.seconds))

        # The least a build that looks at each of these files can do: one stat of every
        # file a no-change rebuild checks (the key's, the kit's, and the other inputs the
        # build cache lists), in a shell one-liner.
        key0 = self.main.key0
        looked = os.path.join(w, "looked-at.txt")
        write_extras(key0, looked)
        for n in range(o.runs + 1):
            t = self.sample("stat of the files a no-change rebuild looks at (s)", self.shell(
                'find "%s" "%s/profiles" "%s/payload" -type f -printf "%%s %%T@ %%C@ %%i\\n" >/dev/null && '
                'xargs -r -d "\\n" -a "%s" stat -L -c "%%s %%Y %%Z %%i" >/dev/null' % (key0, self.kit, self.kit, looked)))
            log("find + stat of the same files: %.2f s" % t)

        self.check_kit()
        sums = os.path.join(w, "SHA256SUMS")
        write_sums(key0, sums)
        for n in range(o.runs + 1):
            for side in self.turn(n):
                t = side.sample("demokit verify (s)", self.demokit(side, ["verify", side.key0, "--quiet"], side.ctx0).seconds)
                if side.name:
                    log(side.says("verify %.1f s" % t))
            t2 = self.sample("sha256sum -c (s)", self.shell('sha256sum -c --quiet "%s"' % sums, cwd=key0))
            log("verify %.1f s, sha256sum -c %.1f s" % (self.main.samples["demokit verify (s)"][-1], t2))

        # Archives: one build each, a no-change rebuild plus the archive, which demokit
        # writes once the tree is in place: up to its "archive" stage line it is a
        # no-change rebuild sample, from there to its exit the archive's time.
        self.archive_sizes = {}
        for ext, bsdtar in (("tar", 'bsdtar -cf "{a}" -C "{t}" .'), ("zip", 'bsdtar --format zip -cf "{a}" -C "{t}" .')):
            for side in self.sides:
                archive = os.path.join(w, side.folder("key." + ext))
                run = self.build(side, self.kit, side.key0, side.ctx0, extra=["--archive", archive])
                check_equal(fingerprint(side.key0), side.expected, side.says("the rebuild with no change (and --archive)"), "a clean build of the same inputs")
                side.sample("build --archive .%s, archive stage (s)" % ext, run.since_stage("archive"))
                side.sample("build --archive .%s, whole build (s)" % ext, run.seconds)
                side.sample("rebuild, no change (s)", run.seconds - run.since_stage("archive"))
                side.stages.setdefault("no change", []).append(run.stage_seconds()[:-1])
                mine = os.path.getsize(archive)
                os.remove(archive)
                if side.name:
                    log(side.says(".%s: archive stage %.1f s (whole build %.1f s)" % (ext, run.since_stage("archive"), run.seconds)))
            ref = os.path.join(w, "ref." + ext)
            # With the page cache dropped, as for demokit's build: that build changed
            # nothing and read only the tree's metadata, so its archive stage read the
            # files from the disk, and bsdtar does too.
            t = self.sample("bsdtar .%s (s)" % ext, self.shell(bsdtar.format(a=ref, t=key0)))
            self.archive_sizes[ext] = (mine, os.path.getsize(ref))
            os.remove(ref)
            log(".%s: archive stage %.1f s (whole build %.1f s), bsdtar %.1f s" % (ext, run.since_stage("archive"), run.seconds, t))
        for side in self.sides:
            self.discard(side.key0)
            self.discard(side.ctx0.root)

        self.site()
        if o.large_mib:
            self.large()
        self.empty_trash()
        info["load_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
        return info

    def site(self):
        """Site generation against Hugo: the kit without artifacts or base, so that the
        build is the catalogue (database, pages, search index) and nothing else."""
        w = self.work
        for side in self.sides:
            out = os.path.join(w, side.folder("site-out"))
            ctx = self.context(side.folder("site"))
            run = self.build(side, self.kit_site, out, ctx, base=False)
            side.sample("catalogue-only build (s)", run.seconds)
            side.sample("catalogue-only build, from the site stage (s)", run.since_stage("catalogue database and website"))
            self.pages = sum(1 for _, _, files in os.walk(os.path.join(out, "catalogue")) for f in files if f.endswith(".html"))
            self.discard(out)
            self.discard(ctx.root)
            if side.name:
                log(side.says("catalogue-only build %.1f s (site stage on: %.1f s), %d pages"
                              % (run.seconds, run.since_stage("catalogue database and website"), self.pages)))
        hugo_dir, hugo_out = os.path.join(w, "hugo"), os.path.join(w, "hugo-out")
        generate.site_bench.hugo_site(hugo_dir, self.pages, self.descriptions)
        t = self.sample("hugo (s)", self.shell('hugo --quiet -s "%s" -d "%s" --cacheDir "%s"' % (hugo_dir, hugo_out, os.path.join(w, "hugo-cache"))))
        self.discard(hugo_out)
        log("catalogue-only build %.1f s (site stage on: %.1f s), hugo %.1f s, %d pages"
            % (run.seconds, run.since_stage("catalogue database and website"), t, self.pages))

    def large(self):
        """Peak memory with a larger payload: a cold build like the others, of the same
        catalogue and base with more and larger artifacts."""
        o, w = self.o, self.work
        kit = os.path.join(w, "kit-large")
        shutil.copytree(self.kit_site, kit)
        log("application artifacts: %d MiB" % o.large_mib)
        self.large_artifacts = generate.pin_artifacts(kit, self.store, o.large_mib * MIB, o.seed, os.path.join(w, "gen"))
        self.unpack(kit)
        for side in self.sides:
            ctx = self.context(side.folder("large"))
            out = os.path.join(w, side.folder("large-out"))
            run = self.build(side, kit, out, ctx)
            side.large_run = run
            log(side.says("cold build, %d MiB payload: %.1f s, %.0f MiB RSS" % (o.large_mib, run.seconds, run.rss_kib / 1024)))
            self.discard(out)
            self.discard(ctx.root)


def kit_files(kit):
    return {os.path.relpath(os.path.join(folder, name), kit) for folder, dirs, files in os.walk(kit) for name in dirs + files}


def program_files(programs):
    """The programs' files and the shared libraries they load (ldd)."""
    files = set()
    for program in programs:
        path = shutil.which(program)
        if not path:
            continue
        files.add(os.path.realpath(path))
        ldd = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for line in ldd.splitlines():
            words = line.split()
            for word in words:
                if word.startswith("/") and os.path.isfile(word):
                    files.add(os.path.realpath(word))
    return sorted(files)


def fingerprint(root):
    """Every file and folder under root: type, mode, time, and content hash."""
    result = {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in [""] + sorted(dirs + files) if folder == root else sorted(dirs + files):
            path = os.path.join(folder, name) if name else folder
            rel = os.path.relpath(path, root)
            if rel in IGNORED:
                continue
            st = os.lstat(path)
            if os.path.islink(path):
                entry = ("link", os.readlink(path))
            elif os.path.isdir(path):
                entry = ("dir", oct(st.st_mode & 0o7777), st.st_mtime_ns)
            else:
                digest = hashlib.sha256()
                with open(path, "rb") as f:
                    while chunk := f.read(4 * MIB):
                        digest.update(chunk)
                entry = ("file", oct(st.st_mode & 0o7777), st.st_mtime_ns, st.st_size, digest.hexdigest())
            result[rel] = entry
    return result


def differences(actual, expected):
    """One line per path whose fingerprint entry differs."""
    return ["  %s: %s, expected %s" % (path, actual.get(path, "absent"), expected.get(path, "absent"))
            for path in sorted(set(actual) | set(expected)) if actual.get(path) != expected.get(path)]


def check_equal(actual, expected, what, against):
    lines = differences(actual, expected)
    if lines:
        raise BenchError("%s differs from %s in %d path(s):\n%s" % (what, against, len(lines), "\n".join(lines[:20])))


def write_sums(tree, path):
    """sha256sum -c's input, from the key's own manifest (docs/update-manifest.md)."""
    import json
    with open(os.path.join(tree, "demokit", "manifest.json")) as f:
        files = json.load(f)["files"]
    with open(path, "w") as out:
        for entry in files:
            out.write("%s  %s\n" % (entry["sha256"], entry["path"]))


def write_extras(key, path):
    """The files outside the kit that the build of `key` read, as its build cache lists
    them, those present, one per line: the `extras` table of `.KEY.demokit-cache/state.sqlite`,
    or with a demokit that predates it the `E` lines of `.KEY.demokit-cache/key`."""
    folder = os.path.join(os.path.dirname(key), ".%s.demokit-cache" % os.path.basename(key))
    state = os.path.join(folder, "state.sqlite")
    if os.path.exists(state):
        import sqlite3
        cache = state
        with contextlib.closing(sqlite3.connect(state)) as db:  # not immutable: the rows may be in its -wal
            extras = [p for p, in db.execute("SELECT path FROM extras ORDER BY position")]
    else:
        cache = os.path.join(folder, "key")
        with open(cache, encoding="utf-8") as f:
            extras = [line[2:].rstrip("\n") for line in f if line.startswith("E\t")]
    if not extras:
        raise BenchError("no other input listed in %s: the build cache's format changed?" % cache)
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(e + "\n" for e in extras if os.path.isfile(e))


def stage_lines(bench):
    """Where a build's time goes: each stage's median over the builds of each kind.
    Returns the kinds and one row per stage: (stage, median of each kind…)."""
    kinds = [k for k in ("cold", "no change", "one entry changed, first", "one entry changed") if k in bench.stages]
    names = []
    for kind in kinds:
        for stages in bench.stages[kind]:
            names += [name for name, _ in stages if name not in names]
    rows = []
    for name in names:
        rows.append([name] + [report.seconds(median([dict(stages).get(name, 0.0) for stages in bench.stages[kind]])) for kind in kinds])
    totals = [report.seconds(median([sum(t for _, t in stages) for stages in bench.stages[kind]])) for kind in kinds]
    return kinds, rows + [["total"] + totals]


def divide(mine, ref):
    return mine / ref if ref else float("nan")


def times(ratio):
    return ("×%.3f" if ratio < 0.1 else "×%.2f") % ratio


def ratio_row(measure, mine, ref, aim=None, unit=report.seconds):
    """aim: (limit, text, strict): met when the ratio is under (strict) or at most the limit."""
    ratio = divide(mine, ref)
    met = "—"
    if aim is not None:
        limit, _, strict = aim
        met = "yes" if (ratio < limit if strict else ratio <= limit) else "no"
    return {"measure": measure, "demokit": unit(mine), "reference": unit(ref), "ratio": times(ratio),
            "aim": "—" if aim is None else aim[1], "met": met}


def medians(bench, side):
    """Each measure's median: the side's demokit samples and the reference tools'."""
    return {k: median(v) for k, v in {**bench.samples, **side.samples}.items()}


def rows(bench):
    s = medians(bench, bench.main)
    o = bench.o
    out = [
        ratio_row("cold build vs `cp -r`", s["cold build (s)"], s["cp -r (s)"], (1.3, "≤ ×1.3", False)),
        ratio_row("cold build vs `cp -r` + `sha256sum`", s["cold build (s)"], s["cp -r + sha256sum (s)"], (1.0, "< ×1", True)),
        ratio_row("rebuild, no change, vs cold build", s["rebuild, no change (s)"], s["cold build (s)"]),
        # The aims decided for rebuilds that repair files changed by hand and stay equal
        # to a clean build: no slower than looking at each file, at most half a cold build.
        ratio_row("rebuild, no change, vs `find` + `stat` of the files it looks at",
                  s["rebuild, no change (s)"], s["stat of the files a no-change rebuild looks at (s)"], (1.0, "≤ ×1", False)),
        ratio_row("`find` + `stat` of those files (the least a check of each can do) vs cold build",
                  s["stat of the files a no-change rebuild looks at (s)"], s["cold build (s)"]),
        ratio_row("rebuild, one entry changed, vs cold build", s["rebuild, one entry changed (s)"], s["cold build (s)"], (0.5, "≤ ×0.5", False)),
        ratio_row("first rebuild after a cold build, one entry changed, vs cold build",
                  s["rebuild, one entry changed, first (s)"], s["cold build (s)"], (0.5, "≤ ×0.5", False)),
        ratio_row("`demokit verify` vs `sha256sum -c`", s["demokit verify (s)"], s["sha256sum -c (s)"], (1.0, "≤ ×1", False)),
        ratio_row("`--archive` .tar (archive stage) vs `bsdtar -cf`", s["build --archive .tar, archive stage (s)"], s["bsdtar .tar (s)"]),
        ratio_row("`--archive` .zip (archive stage) vs `bsdtar --format zip`", s["build --archive .zip, archive stage (s)"], s["bsdtar .zip (s)"]),
        ratio_row("catalogue-only build vs `hugo`, %d pages" % bench.pages, s["catalogue-only build (s)"], s["hugo (s)"]),
        ratio_row("site stage to end vs `hugo`, %d pages" % bench.pages, s["catalogue-only build, from the site stage (s)"], s["hugo (s)"]),
    ]
    cold = max(bench.samples["cold build: peak RSS (MiB)"]) * 1024
    mem = lambda kib: report.mib(kib)  # noqa: E731
    out.append({"measure": "peak RSS, cold build, %d MiB payload" % o.artifacts_mib, "demokit": mem(cold), "reference": "—",
                "ratio": "—", "aim": "< 200 MiB", "met": "yes" if cold < 200 * 1024 else "no"})
    # A rebuild holds the previous build's records (the output's memo, the pages' keys)
    # besides what a cold build does.
    rebuild = max(bench.samples["rebuild: peak RSS (MiB)"]) * 1024
    out.append({"measure": "peak RSS, rebuild after one entry changed, %d MiB payload" % o.artifacts_mib, "demokit": mem(rebuild),
                "reference": "—", "ratio": "—", "aim": "< 200 MiB", "met": "yes" if rebuild < 200 * 1024 else "no"})
    if o.large_mib:
        large = bench.main.large_run.rss_kib
        row = ratio_row("peak RSS, cold build, %d MiB vs %d MiB payload" % (o.large_mib, o.artifacts_mib), large, cold, (1.1, "< 200 MiB, ≤ ×1.1", False), unit=mem)
        row["met"] = "yes" if large < 200 * 1024 and large <= 1.1 * cold else "no"
        out.append(row)
    return out


def before_after(bench):
    """With a baseline: each demokit measure of the baseline (before) beside the binary
    measured's (after), then the guardrails' ratios to their references, of both."""
    before, after = bench.sides
    b, a = medians(bench, before), medians(bench, after)
    o = bench.o

    def row(measure, old, new, unit=report.seconds):
        return {"measure": measure, "before": unit(old), "after": unit(new), "change": times(divide(new, old))}

    out = [row(measure, b[name], a[name]) for measure, name in (
        ("cold build", "cold build (s)"),
        ("rebuild, no change", "rebuild, no change (s)"),
        ("first rebuild after a cold build, one entry changed", "rebuild, one entry changed, first (s)"),
        ("rebuild, one entry changed", "rebuild, one entry changed (s)"),
        ("`demokit verify`", "demokit verify (s)"),
        ("`--archive` .tar (archive stage)", "build --archive .tar, archive stage (s)"),
        ("`--archive` .zip (archive stage)", "build --archive .zip, archive stage (s)"),
        ("catalogue-only build, %d pages" % bench.pages, "catalogue-only build (s)"),
        ("site stage to end, %d pages" % bench.pages, "catalogue-only build, from the site stage (s)"))]
    cold = [max(side.samples["cold build: peak RSS (MiB)"]) * 1024 for side in (before, after)]
    rebuild = [max(side.samples["rebuild: peak RSS (MiB)"]) * 1024 for side in (before, after)]
    out.append(row("peak RSS, cold build, %d MiB payload" % o.artifacts_mib, *cold, unit=report.mib))
    out.append(row("peak RSS, rebuild after one entry changed, %d MiB payload" % o.artifacts_mib, *rebuild, unit=report.mib))
    if o.large_mib:
        out.append(row("peak RSS, cold build, %d MiB payload" % o.large_mib, before.large_run.rss_kib, after.large_run.rss_kib, unit=report.mib))
    stat = "stat of the files a no-change rebuild looks at (s)"
    for measure, mine, ref in (("cold build vs `cp -r`", "cold build (s)", "cp -r (s)"),
                               ("cold build vs `cp -r` + `sha256sum`", "cold build (s)", "cp -r + sha256sum (s)"),
                               ("rebuild, no change, vs `find` + `stat`", "rebuild, no change (s)", stat),
                               ("rebuild, one entry changed, vs cold build", "rebuild, one entry changed (s)", "cold build (s)")):
        out.append(row(measure, divide(b[mine], b[ref]), divide(a[mine], a[ref]), unit=times))
    if o.large_mib:
        out.append(row("peak RSS, cold build, %d MiB vs %d MiB payload" % (o.large_mib, o.artifacts_mib),
                       divide(before.large_run.rss_kib, cold[0]), divide(after.large_run.rss_kib, cold[1]), unit=times))
    return out


def keys_line(bench):
    differ = bench.key_differences
    return "keys of both binaries identical: %s" % ("no (%s differ; listed in the log)" % ", ".join(differ) if differ else "yes")


METHOD = """- **Cache.** {cache}
- **Deleted trees.** Trees the benchmark is done with (copies, outputs, contexts) are moved
  aside and deleted only after the last timed run: on ext4 without a journal, files created
  within a minute of many being deleted make the kernel step over every inode freed in that
  minute, which slowed whichever side ran next (3 s of kernel CPU for 41,000 files in perf).
- **Contexts.** The portable apps are first unpacked into the generated store by `demokit plan`
  on the repository's kit with the same pins (untimed): a volunteer's store is in that state
  after one build. Each cold build then gets a fresh content store (`--cache`) holding only the
  artifacts (`sha256/`) and the unpacked apps (`unpacked/`), hard-linked from the generated
  store, and a fresh `$XDG_CACHE_HOME` and `$TMPDIR`: whatever build cache demokit keeps outside
  its output folder starts empty (the benchmark stops if a build writes into the kit folder).
  Rebuilds reuse the context and output folder of cold build 0.
- **Cold build**: `demokit build --kit KIT --out OUT --cache STORE --base-iso ISO`, OUT absent,
  timed as a whole (stage lines on stderr, no `--quiet`), under `/usr/bin/time -v` for the peak
  RSS. {cold} samples.
- **`cp -r`**: `cp -r OUT COPY`, the tree the cold build has just written.
  **`cp -r` + `sha256sum`**: `cp -r TREE COPY && cd COPY && find . -type f -print0 | xargs -0 sha256sum`,
  sequential as a shell script would do it. Run right after each cold build.
- **Rebuild, no change**: the same `demokit build` command again on the key of cold build 0;
  the archive builds below count too, up to their `• archive` stage line.
  **`find` + `stat`**: one `stat` of every file such a rebuild checks, as a shell one-liner:
  `find KEY KIT/profiles KIT/payload -type f -printf …` then `xargs stat -L` of the other
  inputs the build cache lists (the unpacked portable apps, the artifacts, the ISO). It is
  the least any build that looks at each of its files can take; a no-change rebuild does
  that and compares each file's fingerprint with the build cache's.
  **Rebuild, one entry changed**: the `fr` description of `{entry}` edited (a new
  revision each time), then the same command on that key. The first such rebuild after the
  cold build is counted apart ("first": the key it replaces was made by a cold build); the
  later ones replace a key a rebuild made. Each links every unchanged file into a new tree. With
  one run, the entry goes back to its revision 0 for that second rebuild (cold build 0 is then
  its clean build). After every rebuild the tree is
  compared with a clean build of the same inputs: every path, type, mode, modification time
  and SHA-256 must match, or the benchmark stops. The cold build of each revision is that clean
  build.
- **`demokit verify`**: `demokit verify KEY --quiet`. **`sha256sum -c`**: `sha256sum -c --quiet SUMS`
  in KEY, SUMS made from `demokit/manifest.json` (`<sha256>  <path>` per file).
- **Archives**: `demokit build … --archive key.tar` (then `.zip`) on the existing key, i.e. a
  no-change rebuild plus the archive; the figure is the time from the `• archive` stage line
  demokit prints to its exit (the archive is written after the tree is in place, so this is the
  archive alone). Reference: `bsdtar -cf ref.tar -C KEY .` and `bsdtar --format zip -cf ref.zip -C KEY .`
  (deflate, like demokit's zip), run after that build with the page cache dropped: the build
  changed nothing and read only the tree's metadata, so both read the files from the disk.
  One build per format.
- **Site**: the same kit without artifacts and without base ISO, built with `demokit build`
  (database, pages, search index, tree, manifest), timed whole and from its `• catalogue database and website`
  stage line to its exit (database and pages, made side by side, then written). Reference: `hugo --quiet` (its cache
  folder in the work folder) on a site of
  as many pages (every `.html` under the key's `catalogue/`), each a title and a description as
  long as the entries' (scripts/site/bench.py's `hugo_site`). One run each.
- **Peak RSS**: "Maximum resident set size" of `/usr/bin/time -v`: the largest over the cold
  builds of the {small} MiB payload, the largest over the rebuilds after one entry changed
  (which also hold the previous build's records), and one cold build of a kit with {large} MiB of artifacts (same
  catalogue and base, more and larger artifacts: the larger payload starts with the same
  artifacts as the smaller). Flat means the larger payload needs at most 10 % more."""

BASELINE_METHOD = """- **Before / after** (`--baseline`): every demokit run above is made twice, by the baseline
  binary then by the binary measured, one after the other, so that the load of the machine
  weighs on both alike. Each has its own contexts and output folders (their build caches never
  mix), and each one's rebuilds are compared with its own clean builds. The reference tools run
  once; both binaries' ratios use the same reference figures. The clean keys of the two binaries
  (every cold build) are compared the same way; whether they are identical is reported under the
  table. The baseline's samples are listed below as "before: …"."""


def main():
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="demokit's benchmark: generates a reference kit (the repository's kit, a generated catalogue, "
                    "application artifacts, a base ISO stand-in) and times demokit against cp -r, sha256sum, bsdtar and "
                    "hugo, side by side. Prints a table; a full run also writes docs/benchmarks.md.")
    parser.add_argument("--demokit", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--work", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1,000 entries, 100 MiB of artifacts, 100 MiB ISO, 1 run, no large payload, no docs")
    parser.add_argument("--scale", type=float, default=None, help="multiply the full run's sizes (entries, artifacts, ISO)")
    parser.add_argument("--entries", type=int, help="generated catalogue entries (10000)")
    parser.add_argument("--artifacts-mib", type=int, help="application artifacts, MiB (1024)")
    parser.add_argument("--large-mib", type=int, help="artifacts of the memory run, MiB; 0 skips it (4096)")
    parser.add_argument("--iso-mib", type=int, help="base ISO stand-in, MiB (450)")
    parser.add_argument("--runs", type=int, help="rebuilds after one changed entry; cold and no-change builds, cp, verify: "
                        "runs + 1 (default: 1 to 3, as many as fit in --budget-min; --quick: 1)")
    parser.add_argument("--budget-min", type=int, default=30, help="time the default --runs aims to stay within, minutes (30)")
    parser.add_argument("--seed", type=int, default=8, help="generator seed (8)")
    parser.add_argument("--warm", action="store_true", help="never drop the page cache, even as root")
    parser.add_argument("--write-doc", action="store_true", help="write docs/benchmarks.md (default unless --quick)")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (scripts/bench prints it)")
    parser.add_argument("--baseline", metavar="BIN", help="an older demokit binary (or BASELINE=BIN) to time too, in the same run: "
                        "each demokit run is made by it, then by the binary measured; adds a before / after table")
    parser.add_argument("--baseline-label", metavar="TEXT", help="names the baseline in docs/benchmarks.md (a version, a commit)")
    o = parser.parse_args()
    full = dict(entries=10000, artifacts_mib=1024, large_mib=4096, iso_mib=450, runs=None)
    base = dict(entries=1000, artifacts_mib=100, large_mib=0, iso_mib=100, runs=1) if o.quick else dict(full)
    if o.scale is not None:
        base.update(entries=max(1, round(full["entries"] * o.scale)), artifacts_mib=max(1, round(full["artifacts_mib"] * o.scale)),
                    large_mib=round(full["large_mib"] * o.scale), iso_mib=max(64, round(full["iso_mib"] * o.scale)))
    for key, value in base.items():
        if getattr(o, key) is None:
            setattr(o, key, value)
    if o.runs is not None and o.runs < 1:
        parser.error("--runs must be at least 1")
    write_doc = (o.write_doc or not (o.quick or o.scale is not None)) and not o.no_doc

    # Timed trees are deleted after the last timed run (Context.discard): the work
    # folder holds about twelve keys' worth at once (cp -r copies, archives, demokit
    # trees linking the store's files), plus the memory run's payload and its key:
    # ~30 GiB for a full run. Refused before generating anything rather than failing
    # half-way with a full disk.
    # A baseline adds its own keys (about four) and its own large key.
    key_mib = o.artifacts_mib + o.iso_mib + o.entries * 36 / 1000
    sides = 2 if o.baseline else 1
    need = int(((8 + 4 * sides) * key_mib + (1 + 0.5 * sides) * o.large_mib) * MIB)
    free = shutil.disk_usage(o.work).free
    if free < need:
        print("scripts/bench: %s has %.1f GiB free; this run needs about %.1f GiB. Point TMPDIR to a larger disk, "
              "or use --scale, --large-mib 0 or --quick." % (o.work, free / (1 << 30), need / (1 << 30)), file=sys.stderr)
        return 1

    bench = Bench(o)
    started = time.monotonic()
    try:
        info = bench.run()
    except BenchError as error:
        print("\nscripts/bench: FAILED: %s" % error, file=sys.stderr, flush=True)
        return 1
    table = rows(bench)
    files, size = bench.tree_desc
    count, stored, portable = bench.artifacts
    setup = [
        "profiles and payload: this repository's kit (4 profiles) plus %d generated entries (scripts/site/bench.py's vocabulary)" % o.entries,
        "artifacts: %d files, %.0f MiB in all, sizes log-uniform from 300 KiB to 200 MiB, random bytes; Linux AppImages and "
        "Windows PortableApps zips (about %d files once unpacked), pinned in `payload/apps/*.yml`" % (count, stored / MIB, portable),
        "base ISO stand-in: %.0f MiB (`live/vmlinuz`, `live/initrd.img`, `live/filesystem.squashfs` of random bytes, `sha256sum.txt`)" % (bench.iso_bytes / MIB),
        "built key: %d files, %.0f MiB" % (files, size / MIB),
    ]
    if o.large_mib:
        c, st, p = bench.large_artifacts
        setup.append("memory run: %d artifacts, %.0f MiB, cold build %s" % (c, st / MIB, report.seconds(bench.main.large_run.seconds)))
    setup.append("archive sizes, demokit / bsdtar: .tar %s, .zip %s" % tuple(
        "%.0f / %.0f MiB" % (a / MIB, b / MIB) for a, b in (bench.archive_sizes["tar"], bench.archive_sizes["zip"])))
    cache = ("The page cache is dropped (`sync; echo 3 > %s`) before every timed run, so both sides read their input from the disk; "
             "writes are not synced inside the timing (neither side calls fsync)." % DROP_CACHES) if bench.drop else (
        "The page cache is kept warm: the inputs were just generated and the machine has the memory to keep them; "
        "every timed run reads from memory (`sync` before each, not timed). Run as root to drop the cache instead.")
    method = METHOD.format(cache=cache, cold=o.runs + 1, entry=generate.EDITED_ENTRY, small=o.artifacts_mib, large=o.large_mib or "—").splitlines()
    print()
    for line in setup:
        print("  " + line)
    print()
    for line in report.table_lines(table):
        print(line)
    compared = keys = None
    samples = bench.samples
    if o.baseline:
        compared, keys = before_after(bench), keys_line(bench)
        print("\nbefore / after (before: %s):" % (o.baseline_label or o.baseline))
        for line in report.table_lines(compared, report.BEFORE_AFTER):
            print(line)
        print(keys)
        samples = {**samples, **{"before: " + k: v for k, v in bench.sides[0].samples.items()}}
        method += BASELINE_METHOD.splitlines()
    stages = stage_lines(bench)
    if o.baseline:
        # The baseline's columns beside, "(before)", for the stages both print.
        kinds, before_rows = stage_lines(bench.sides[0])
        before = {row[0]: row[1:] for row in before_rows}
        stages = (stages[0] + [k + " (before)" for k in kinds], [row + before.get(row[0], ["—"] * len(kinds)) for row in stages[1]])
    print("\nby stage (medians):")
    for line in report.stage_table(*stages):
        print(line)
    print("\n%s; ratios of medians; %.0f min in all." % ("page cache dropped before each timed run" if bench.drop else "warm page cache", (time.monotonic() - started) / 60))
    if write_doc:
        # Without what scripts/bench adds (--demokit BIN --work DIR); --baseline's path may be BIN.
        added = ("--demokit", "--work")
        command = " ".join(["scripts/bench"] + [shlex.quote(a) for before, a in zip([None] + sys.argv[1:], sys.argv[1:]) if a not in added and before not in added])
        path = os.path.join(generate.REPO, "docs", "benchmarks.md")
        # The history below the figures is written by hand: a new run keeps it.
        history = ""
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                previous = f.read()
            at = previous.find("\n" + HISTORY_HEADING + "\n")
            if at >= 0:
                history = previous[at:]
        with open(path, "w", encoding="utf-8") as out:
            out.write(report.markdown(info, setup, table, stages, samples, method, command, compared, keys).rstrip("\n") + "\n" + history)
        print("wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
