"""The reference kit of scripts/bench: the repository's kit plus a generated catalogue,
application artifacts pinned in payload/apps/ and stored in a content store, and a
base-system stand-in ISO. Deterministic: the same seed gives the same bytes.

Artifact bytes come from AES-128-CTR over zeros (openssl), keyed by the seed and the
artifact's number: incompressible like real binaries, reproducible, and ~1 GB/s.
"""
import hashlib
import importlib.util
import json
import math
import os
import random
import shutil
import subprocess
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
KIB, MIB = 1 << 10, 1 << 20
# Sizes of real artifacts: a small tool's AppImage is a few hundred KiB, LibreOffice's
# portable installer about 200 MiB.
SMALLEST, LARGEST = 300 * KIB, 200 * MIB
# PortableApps folders hold many small files (LibreOfficePortable: ~5,000 for ~600 MB).
PORTABLE_MEAN_FILE, PORTABLE_MAX_FILES = 128 * KIB, 4000
URL = "https://bench.example.org"
# The entry whose description the "one entry changed" rebuilds edit.
EDITED_ENTRY = "payload/catalogue/libreoffice.yml"


def _site_bench():
    """scripts/site/bench.py, for its vocabulary and its Hugo site."""
    spec = importlib.util.spec_from_file_location("site_bench", os.path.join(REPO, "scripts", "site", "bench.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_bench = _site_bench()


def copy_repository_kit(folder):
    """The real default kit: this repository's profiles/ and payload/, without the
    `base:` of profiles/kit.yml. With it, a build without --base-iso (the catalogue-only
    build) would build a Debian live system with mmdebstrap; the benchmark's builds
    take the base ISO stand-in or no base."""
    os.makedirs(folder)
    for part in ("profiles", "payload"):
        shutil.copytree(os.path.join(REPO, part), os.path.join(folder, part))
    path = os.path.join(folder, "profiles", "kit.yml")
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    kept, in_base = [], False
    for line in lines:
        # The key and its block: the lines indented under it (or blank).
        in_base = line.startswith("base:") or (in_base and (line[:1] in (" ", "\t") or not line.strip()))
        if not in_base:
            kept.append(line)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(kept)


def category_ids(kit):
    with open(os.path.join(kit, "payload", "categories.yml"), encoding="utf-8") as f:
        return [line.split(":", 1)[1].strip() for line in f if line.startswith("- id:")]


def generate_entries(kit, entries, rng):
    """`entries` catalogue entries gen-00000.yml… like scripts/site/bench.py's, in the
    kit's own categories. Returns [(name, description)] for the Hugo site."""
    words = site_bench.vocabulary(rng)
    rng.shuffle(words)
    categories = category_ids(kit)
    licences = ["MIT", "GPL-3.0-or-later", "MPL-2.0", "AGPL-3.0-only", "Apache-2.0", "LGPL-2.1-or-later"]
    folder = os.path.join(kit, "payload", "catalogue")
    descriptions = []
    for n in range(entries):
        description = " ".join(site_bench.zipf_pick(rng, words) for _ in range(rng.randint(60, 120))).capitalize() + "."
        name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 2))).title() + " " + str(n)
        replaces = sorted(set(rng.choice(site_bench.PRODUCTS) for _ in range(rng.randint(0, 2))))
        keywords = [rng.choice(words) for _ in range(3)]
        text = "id: gen-%05d\nname: %s\ndescription:\n  fr: %s\n" % (n, json.dumps(name, ensure_ascii=False), json.dumps(description, ensure_ascii=False))
        text += "categories: [%s]\nlicence: %s\nplatforms: [%s]\n" % (
            ", ".join(sorted(set(rng.choice(categories) for _ in range(rng.randint(1, 2))))), rng.choice(licences),
            rng.choice(["windows", "linux", "web", "windows, linux"]))
        text += "replaces: %s\nkeywords: %s\n" % (json.dumps(replaces, ensure_ascii=False), json.dumps(keywords, ensure_ascii=False))
        text += "providers: [%s]\n" % json.dumps("Prestataire " + str(rng.randint(1, 300)))
        with open(os.path.join(folder, "gen-%05d.yml" % n), "w", encoding="utf-8") as out:
            out.write(text)
        descriptions.append((name, description))
    return descriptions


def artifact_sizes(total, seed):
    """Sizes log-uniform between SMALLEST and LARGEST, in a fixed order, until `total`:
    a larger total extends the same list (the 4 GiB payload starts like the 1 GiB one)."""
    rng = random.Random("sizes-%d" % seed)
    sizes, left = [], total
    while left >= SMALLEST:
        size = int(math.exp(rng.uniform(math.log(SMALLEST), math.log(LARGEST))))
        if left - size < SMALLEST:
            size = left
        sizes.append(min(size, left))
        left -= sizes[-1]
    return sizes


def random_bytes(path, size, seed, number, header=b""):
    """`size` incompressible bytes (AES-CTR keystream) after `header`, into `path`."""
    key = hashlib.sha256(b"demokit-bench-%d-%d" % (seed, number)).hexdigest()
    with open(path, "wb") as out:
        out.write(header)
        out.flush()
        count = size - len(header)
        zeros = subprocess.Popen(["head", "-c", str(count), "/dev/zero"], stdout=subprocess.PIPE)
        subprocess.run(["openssl", "enc", "-aes-128-ctr", "-K", key[:32], "-iv", key[32:]], stdin=zeros.stdout, stdout=out, check=True)
        zeros.stdout.close()
        if zeros.wait() != 0:
            raise RuntimeError("head failed")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


class Store:
    """A content store as demokit lays it out: sha256/<2 hex>/<64 hex>."""

    def __init__(self, root):
        self.root = root
        self.made = {}  # (number, size, kind) → (sha256, size): artifacts shared by payloads

    def adopt(self, path):
        sha = sha256_file(path)
        size = os.path.getsize(path)
        target = os.path.join(self.root, "sha256", sha[:2], sha)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(path, target)
        return sha, size


def app_slots(kit):
    """(app id, platform) places for artifacts: each application of the profiles, in
    menu order, gets a Windows portable app and a Linux AppImage."""
    slots = []
    for app in profile_apps(kit):
        slots += [(app, "windows"), (app, "linux")]
    return slots


def profile_apps(kit):
    seen = []
    for profile in profile_order(kit):
        for app in profile_list(kit, profile):
            if app not in seen:
                seen.append(app)
    return seen


def profile_order(kit):
    with open(os.path.join(kit, "profiles", "kit.yml"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("profiles:"):
                return [p.strip() for p in line.split("[", 1)[1].split("]", 1)[0].split(",")]
    raise RuntimeError("profiles/kit.yml: no profiles: line")


def profile_list(kit, profile):
    """The `apps:` list, which ends every profile file of the repository's kit."""
    with open(os.path.join(kit, "profiles", profile + ".yml"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = lines.index("apps:")
    if not all(line.startswith("  - ") for line in lines[start + 1:]):
        raise RuntimeError("profiles/%s.yml: apps: is expected to be the last key" % profile)
    return [line[4:].strip() for line in lines[start + 1:]]


def add_to_profile(kit, profile, app):
    with open(os.path.join(kit, "profiles", profile + ".yml"), "a", encoding="utf-8") as f:
        f.write("  - %s\n" % app)


def portable_app_id(app):
    return "".join(part.capitalize() for part in app.split("-")) + "Portable"


def appinfo(appid, name, version):
    return ("[Format]\r\nType=PortableApps.comFormat\r\nVersion=3.7\r\n\r\n[Details]\r\nName=%s\r\nAppID=%s\r\n"
            "Publisher=demokit bench\r\nCategory=Office\r\n\r\n[License]\r\nFreeware=true\r\n\r\n"
            "[Version]\r\nPackageVersion=%s.0\r\nDisplayVersion=%s\r\n\r\n[Control]\r\nIcons=1\r\nStart=%s.exe\r\n"
            % (name, appid, version, version, appid))


def portable_zip(path, blob, appid, name, version, rng):
    """A .zip of AppIDPortable/ (stored, not deflated: the bytes are random anyway),
    its files cut out of `blob` with sizes like a real app's (many small, a few big)."""
    size = os.path.getsize(blob)
    count = max(3, min(PORTABLE_MAX_FILES, size // PORTABLE_MEAN_FILE))
    weights = [rng.lognormvariate(0, 1.6) for _ in range(count)]
    scale = size / sum(weights)
    sizes = [int(w * scale) for w in weights]
    sizes[-1] += size - sum(sizes)
    folders = ["App/%s" % name.replace(" ", "")] + ["App/%s/%s" % (name.replace(" ", ""), d) for d in
                                                    ("program", "share/locale", "share/help", "plugins", "resources")]
    stamp = (2026, 1, 15, 12, 0, 0)
    with open(blob, "rb") as source, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        def add(member, data):
            archive.writestr(zipfile.ZipInfo(appid + "/" + member, stamp), data)
        add("App/AppInfo/appinfo.ini", appinfo(appid, name, version))
        add(appid + ".exe", b"MZ" + source.read(max(0, sizes[0] - 2)))
        for n, part in enumerate(sizes[1:], 1):
            folder = folders[n % len(folders)]
            add("%s/file%04d.%s" % (folder, n, rng.choice(["dll", "dat", "pak", "mo", "xml", "png"])), source.read(part))


def pin_artifacts(kit, store, total, seed, work):
    """Generates artifacts of `total` bytes, stores them and pins them in payload/apps/.
    Returns (artifact count, stored bytes, portable files)."""
    slots = app_slots(kit)
    extra = 0
    blocks = {}
    stored = files = 0
    sizes = artifact_sizes(total, seed)
    for number, size in enumerate(sizes):
        while number >= len(slots):
            # More artifacts than places: a 4 GiB payload gives the town hall more apps.
            app = "gen-%05d" % extra
            extra += 1
            add_to_profile(kit, "mairie", app)
            slots += [(app, "windows"), (app, "linux")]
        app, platform = slots[number]
        key = (number, size, platform)
        name = " ".join(part.capitalize() for part in app.split("-"))
        version = "%d.%d" % (1 + sum(map(ord, app)) % 9, len(app))
        if key not in store.made:
            scratch = os.path.join(work, "artifact-%d" % number)
            if platform == "linux":
                # The ELF header with the AppImage type-2 mark that add-app looks for.
                random_bytes(scratch, size, seed, number, header=b"\x7fELF\x02\x01\x01\x00AI\x02\x00\x00\x00\x00\x00")
            else:
                blob = scratch + ".blob"
                random_bytes(blob, size, seed, number)
                portable_zip(scratch, blob, portable_app_id(app), name, version, random.Random("zip-%d-%d" % (seed, number)))
                os.remove(blob)
            store.made[key] = store.adopt(scratch)
        sha, length = store.made[key]
        stored += length
        if platform == "linux":
            file = name.replace(" ", "") + ".AppImage"
            blocks.setdefault(app, []).append(
                "linux:\n  url: %s/appimage/%s-%s-x86_64.AppImage\n  sha256: %s\n  size: %d\n  file: %s\n"
                % (URL, name.replace(" ", ""), version, sha, length, file))
        else:
            appid = portable_app_id(app)
            files += max(3, min(PORTABLE_MAX_FILES, size // PORTABLE_MEAN_FILE)) + 1
            blocks.setdefault(app, []).append(
                "windows:\n  url: %s/portable/%s_%s.zip\n  sha256: %s\n  size: %d\n  appid: %s\n  name: \"%s\"\n  version: \"%s\"\n  start: \"%s.exe\"\n"
                % (URL, appid, version, sha, length, appid, name, version, appid))
    for app, parts in blocks.items():
        path = os.path.join(kit, "payload", "apps", app + ".yml")
        text = open(path, encoding="utf-8").read() if os.path.exists(path) else "id: %s\n" % app
        if not text.endswith("\n"):
            text += "\n"
        with open(path, "w", encoding="utf-8") as out:
            out.write(text + "# Pinned by scripts/bench (generated bytes).\n" + "".join(parts))
    return len(sizes), stored, files


def base_iso(path, size, seed, work):
    """A stand-in for a Debian Live ISO, shaped as BaseISO.swift reads it: live/vmlinuz,
    live/initrd.img, live/filesystem.squashfs (random bytes: never booted, only copied),
    live/filesystem.size, .disk/info, boot/grub/grub.cfg and sha256sum.txt."""
    tree = os.path.join(work, "iso-tree")
    for folder in ("live", ".disk", "boot/grub"):
        os.makedirs(os.path.join(tree, folder), exist_ok=True)
    kernel, initrd = 8 * MIB, 48 * MIB
    random_bytes(os.path.join(tree, "live", "vmlinuz"), kernel, seed, 1_000_001)
    random_bytes(os.path.join(tree, "live", "initrd.img"), initrd, seed, 1_000_002)
    random_bytes(os.path.join(tree, "live", "filesystem.squashfs"), max(MIB, size - kernel - initrd), seed, 1_000_003)
    with open(os.path.join(tree, "live", "filesystem.size"), "w") as f:
        f.write("%d\n" % (3 * size))
    with open(os.path.join(tree, ".disk", "info"), "w") as f:
        f.write('Debian GNU/Linux 12 "Bookworm" - demokit bench stand-in amd64 Live\n')
    with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
        f.write('menuentry "Live system" {\n  linux /live/vmlinuz boot=live components quiet splash findiso=${iso_path}\n'
                '  initrd /live/initrd.img\n}\n')
    listed = sorted(os.path.relpath(os.path.join(d, f), tree) for d, _, fs in os.walk(tree) for f in fs)
    with open(os.path.join(tree, "sha256sum.txt"), "w") as f:
        for rel in listed:
            f.write("%s  ./%s\n" % (sha256_file(os.path.join(tree, rel)), rel))
    subprocess.run(["xorriso", "-no_rc", "-report_about", "SORRY", "-outdev", path, "-volid", "DEMOKIT_BENCH_BASE",
                    "-joliet", "on", "-rockridge", "on", "-map", tree, "/", "-chown_r", "0", "/", "--", "-chgrp_r", "0", "/", "--"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(tree)
    return os.path.getsize(path)


def edit_entry(kit, revision):
    """Changes one catalogue entry's French description (revision 0 is the original)."""
    path = os.path.join(kit, EDITED_ENTRY)
    lines = open(path, encoding="utf-8").read().split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("  fr: "))
    text = lines[index].split(" Révision ", 1)[0]
    lines[index] = text + (" Révision %d." % revision if revision else "")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
