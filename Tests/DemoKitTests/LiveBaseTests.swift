import Foundation
import Testing

@testable import DemoKit

/// The live system demokit builds from Debian packages: its manifest form, the plan,
/// the split into layers. mmdebstrap itself runs in scripts/test.d/70-live.
@Suite struct LiveBaseTests {
    static func kit(base: String, in dir: TemporaryDirectory) throws -> URL {
        let kit = try TestKit.make(in: dir)
        let settings = kit.appendingPathComponent("profiles/kit.yml")
        let text = try String(contentsOf: settings, encoding: .utf8)
        try (text + base).write(to: settings, atomically: true, encoding: .utf8)
        return kit
    }

    @Test func debianBaseIsReadWithItsOptions() throws {
        let dir = try TemporaryDirectory()
        let root = try Self.kit(base: "base:\n  debian: bookworm\n  snapshot: 20250520T000000Z\n  packages: [vim-tiny]\n", in: dir)
        let result = KitLoader(root: root, displayPrefix: "").load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let spec = try #require(result.kit?.settings.base?.debian)
        #expect(spec == DebianBaseSpec(suite: "bookworm", snapshot: "20250520T000000Z", packages: ["vim-tiny"], line: 12))
        #expect(result.kit?.settings.base?.path == nil)
    }

    @Test(arguments: [
        ("base:\n  debian: bookworm\n  path: x.iso\n", "12:11", "pas les deux"),
        ("base:\n  sha256: \(String(repeating: "a", count: 64))\n", "12:3", "indiquez « path: »"),
        ("base:\n  debian: bookworm\n  snapshot: 2025-05-20\n", "13:13", "snapshot invalide"),
        ("base:\n  debian: bookworm\n  packages: [Vim]\n", "13:14", "nom de paquet Debian invalide"),
    ])
    func brokenBasesArePositioned(yaml: String, position: String, message: String) throws {
        let dir = try TemporaryDirectory()
        let root = try Self.kit(base: yaml, in: dir)
        let result = KitLoader(root: root, displayPrefix: "").load()
        #expect(
            result.diagnostics.contains { "\($0.line):\($0.column)" == position && $0.file == "profiles/kit.yml" && $0.message.contains(message) },
            "\(result.diagnostics)")
    }

    @Test func planKeyChangesWithWhatDecidesTheBytes() throws {
        let dir = try TemporaryDirectory()
        let root = try Self.kit(base: "base: {debian: bookworm}\n", in: dir)
        let kit = try KitLoader(root: root, displayPrefix: "").loadValid().kit
        let plan = try #require(try LiveBasePlan.make(kit: kit, mirror: "http://mirror.example/debian"))
        #expect(plan.sources == ["deb http://mirror.example/debian bookworm main", "deb http://mirror.example/debian bookworm-updates main"])
        #expect(plan.profiles.map(\.id) == ["alpha", "beta"])
        #expect(plan.profiles[0].packages == ["office-calc", "office-writer"])
        #expect(plan.commonPackages.contains("linux-image-amd64") && plan.commonPackages.contains("live-boot"))
        #expect(plan.defaultProfile == "alpha")
        var other = plan
        #expect(other.key == plan.key)
        other.profiles[1].packages.append("gimp")
        #expect(other.key != plan.key)
        other = plan
        other.suite = "trixie"
        #expect(other.key != plan.key)
        // A kit without a Debian base has no plan.
        let plainDir = try TemporaryDirectory()
        let plain = try KitLoader(root: try TestKit.make(in: plainDir), displayPrefix: "").loadValid().kit
        #expect(try LiveBasePlan.make(kit: plain) == nil)
    }

    @Test func mountPointsInsideAWorkFolderAreFoundDeepestFirst() {
        let mountinfo = """
            22 28 0:21 / /proc rw,nosuid shared:13 - proc proc rw
            301 300 0:5 / /cache/live-bases/.work-42/tmp/root/dev rw - devtmpfs udev rw
            302 301 0:22 / /cache/live-bases/.work-42/tmp/root/dev/pts rw - devpts devpts rw
            303 300 0:21 / /cache/live-bases/.work-42/tmp/root/proc rw - proc proc rw
            304 300 0:30 / /cache/live-bases/.work-420/x rw - tmpfs tmpfs rw
            305 300 0:31 / /cache/live-bases/.work-42/with\\040space rw - tmpfs tmpfs rw
            """
        let points = LiveBaseBuilder.mountPoints(under: "/cache/live-bases/.work-42", mountinfo: mountinfo)
        #expect(
            points == [
                "/cache/live-bases/.work-42/tmp/root/dev/pts", "/cache/live-bases/.work-42/tmp/root/proc",
                "/cache/live-bases/.work-42/tmp/root/dev", "/cache/live-bases/.work-42/with space",
            ])
    }

    /// What a killed `base build` in root mode leaves: a work folder with a mount inside.
    @Test(.enabled(if: getuid() == 0, "mounting needs root"))
    func abandonedWorkIsUnmountedBeforeItGoes() throws {
        let dir = try TemporaryDirectory()
        let store = ContentStore(root: dir.url)
        let kitRoot = try Self.kit(base: "base: {debian: bookworm}\n", in: dir)
        let kit = try KitLoader(root: kitRoot, displayPrefix: "").loadValid().kit
        let plan = try #require(try LiveBasePlan.make(kit: kit, mirror: "http://mirror.example/debian"))
        let builder = LiveBaseBuilder(plan: plan, kit: kit, store: store)
        let work = dir.path("live-bases/.work-999999999")
        let proc = work.appendingPathComponent("root/proc")
        try FileManager.default.createDirectory(at: proc, withIntermediateDirectories: true)
        try #require(mount("proc", proc.path, "proc", 0, nil) == 0, "mount proc: errno \(errno)")
        #expect(LiveBaseBuilder.mountPoints(under: work.path) == [proc.path])
        builder.removeAbandonedWork()
        #expect(LiveBaseBuilder.mountPoints(under: work.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: work.path))
    }

    @Test func machineSourcesInBothFormats() throws {
        let dir = try TemporaryDirectory()
        let parts = dir.path("etc/apt/sources.list.d")
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        try "deb [arch=amd64] http://deb.debian.org/debian/ bookworm main contrib\ndeb http://example.org/other bookworm main\n"
            .write(to: dir.path("etc/apt/sources.list"), atomically: true, encoding: .utf8)
        try """
        Types: deb
        URIs: http://deb.debian.org/debian-security
        Suites: bookworm-security
        Components: main

        Types: deb
        URIs: http://deb.debian.org/debian
        Suites: trixie
        Components: contrib
        """.write(to: parts.appendingPathComponent("debian.sources"), atomically: true, encoding: .utf8)
        #expect(
            LiveBasePlan.hostSources(aptRoot: dir.url.path) == [
                "deb http://deb.debian.org/debian bookworm main", "deb http://deb.debian.org/debian-security bookworm-security main",
            ])
        #expect(
            try LiveBasePlan.sources(suite: "bookworm", snapshot: nil, mirror: nil, aptRoot: dir.url.path).count == 2)
        #expect(throws: LiveBaseError.self) { try LiveBasePlan.sources(suite: "sid", snapshot: nil, mirror: nil, aptRoot: dir.url.path) }
    }

    /// dpkg's status of a small system: `editor` for one profile, `viewer` for both.
    static let status = """
        Package: base-files
        Status: install ok installed
        Version: 12
        Architecture: amd64

        Package: libshared1.2
        Status: install ok installed
        Version: 1.2-1
        Architecture: amd64

        Package: editor
        Status: install ok installed
        Version: 3
        Architecture: amd64
        Depends: libshared1.2 (>= 1.0), missing-thing | libshared1.2, awk, util-linux

        Package: viewer
        Status: install ok installed
        Version: 1
        Architecture: amd64
        Depends: libshared1.2

        Package: mawk
        Status: install ok installed
        Version: 1
        Architecture: amd64
        Provides: awk

        Package: util-linux
        Status: install ok installed
        Priority: required
        Essential: yes
        Version: 2.38
        Architecture: amd64

        Package: gone
        Status: deinstall ok config-files
        Version: 1
        """

    static func plan(profiles: [(String, [String])]) -> LiveBasePlan {
        LiveBasePlan(
            suite: "bookworm", sources: [], snapshot: nil, commonPackages: ["viewer"],
            profiles: profiles.map { LiveBasePlan.ProfilePackages(id: $0.0, packages: $0.1) }, defaultProfile: profiles[0].0,
            epoch: 1_700_000_000, resourcesDigest: "", kernelParameters: ["boot=live"])
    }

    @Test func packagesGoToTheLayerOfTheProfilesThatNeedThem() {
        let packages = LiveBaseLayers.installedPackages(status: Self.status)
        #expect(packages.keys.sorted() == ["base-files", "editor", "libshared1.2", "mawk", "util-linux", "viewer"])
        #expect(LiveBaseLayers.closure(of: ["editor"], in: packages) == ["editor", "libshared1.2", "mawk", "util-linux"])
        let layers = LiveBaseLayers.assign(plan: Self.plan(profiles: [("mairie", ["editor"]), ("ecole", [])]), packages: packages)
        #expect(layers["editor"] == "layer-mairie")
        #expect(layers["mawk"] == "layer-mairie")
        // Needed by the common desktop, or by no profile (the base system): common.
        #expect(layers["libshared1.2"] == "filesystem")
        #expect(layers["base-files"] == "filesystem")
        // An essential package one profile's application names is still every profile's.
        #expect(layers["util-linux"] == "filesystem")
        let both = LiveBaseLayers.assign(plan: Self.plan(profiles: [("mairie", ["editor"]), ("ecole", ["editor"])]), packages: packages)
        #expect(both["editor"] == "filesystem")
    }

    /// A tiny installed system: merged /usr, a package with a dot in its name, a file no
    /// package owns under a package's own folder, kernel and initrd.
    static func makeRoot(_ root: URL) throws {
        let fm = FileManager.default
        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
        try fm.createDirectory(at: root.appendingPathComponent("usr/lib"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("lib").path, withDestinationPath: "usr/lib")
        try write("var/lib/dpkg/status", status)
        try write("var/lib/dpkg/info/editor.list", "/etc\n/usr\n/usr/bin\n/usr/bin/editor\n/usr/share/editor\n/usr/share/editor/main.py\n")
        try write("var/lib/dpkg/info/viewer.list", "/usr\n/usr/bin\n/usr/bin/viewer\n")
        try write("var/lib/dpkg/info/libshared1.2:amd64.list", "/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libshared.so.1\n")
        try write("var/lib/dpkg/info/mawk.list", "/usr/bin/mawk\n")
        try write("var/lib/dpkg/info/base-files.list", "/etc\n/etc/debian_version\n")
        try write("usr/bin/editor", "editor")
        try write("usr/bin/viewer", "viewer")
        try write("usr/bin/mawk", "awk")
        try write("usr/share/editor/main.py", "print()")
        try write("usr/share/editor/__pycache__/main.cpython-311.pyc", "pyc")
        try write("usr/lib/x86_64-linux-gnu/libshared.so.1", "lib")
        try write("etc/debian_version", "12")
        try write("etc/ld.so.cache", "cache")
        try write("boot/vmlinuz-6.1.0-9-amd64", "old")
        try write("boot/vmlinuz-6.1.0-10-amd64", "kernel")
        try write("boot/initrd.img-6.1.0-10-amd64", "initrd")
        try write("boot/initrd.img-6.1.0-9-amd64", "old")
        try write("proc/cpuinfo", "not part of any layer")
        try write("var/cache/apt/archives/partial/x.deb", "download")
    }

    static func listing(_ squashfs: URL) throws -> [String] {
        let result = try run("unsquashfs", ["-lc", "-d", "", squashfs.path])
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/mksquashfs")))
    func layersHoldEachFileOnceAndAreReusedByContent() throws {
        let dir = try TemporaryDirectory()
        let root = dir.path("root")
        try Self.makeRoot(root)
        let plan = Self.plan(profiles: [("mairie", ["editor"]), ("ecole", [])])
        func make(_ name: String) throws -> (out: URL, record: BuiltBaseRecord, layers: [LiveBaseLayers.Layer]) {
            let work = dir.path(name)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try JSONEncoder().encode(plan).write(to: work.appendingPathComponent("plan.json"))
            let layers = try LiveBaseLayers.make(root: root, work: work, layerStore: dir.path("store")) { _ in }
            let out = work.appendingPathComponent("out")
            let record = try JSONDecoder().decode(BuiltBaseRecord.self, from: Data(contentsOf: out.appendingPathComponent("base.json")))
            return (out, record, layers)
        }
        let first = try make("work1")
        #expect(first.record.layers.map(\.name) == ["filesystem", "layer-mairie", "state"])
        #expect(first.layers.allSatisfy { !$0.reused })
        #expect(first.record.kernelVersion == "6.1.0-10-amd64")
        let live = first.out.appendingPathComponent("live")
        #expect(try String(contentsOf: live.appendingPathComponent("vmlinuz"), encoding: .utf8) == "kernel")
        // Each layer's file is named by its content: a changed layer is a new file.
        let files = first.record.layers.map(\.file)
        #expect(files.count == 3 && zip(files, first.record.layers).allSatisfy { $0.hasPrefix($1.name + "-") && $0.hasSuffix(".squashfs") })
        #expect(Set(files).count == 3 && files.allSatisfy { FileManager.default.fileExists(atPath: live.appendingPathComponent($0).path) })
        #expect(
            try String(contentsOf: live.appendingPathComponent("mairie.module"), encoding: .utf8)
                == files.map { $0 + "\n" }.joined())
        #expect(try String(contentsOf: live.appendingPathComponent("ecole.module"), encoding: .utf8) == "\(files[0])\n\(files[2])\n")
        #expect(
            try String(contentsOf: live.appendingPathComponent("filesystem.module"), encoding: .utf8)
                == String(contentsOf: live.appendingPathComponent("mairie.module"), encoding: .utf8))

        let common = try Self.listing(live.appendingPathComponent(files[0]))
        let mairie = try Self.listing(live.appendingPathComponent(files[1]))
        let state = try Self.listing(live.appendingPathComponent(files[2]))
        // Under merged /usr, /lib/… of dpkg's list is the file found at /usr/lib/….
        #expect(common.contains("/usr/lib/x86_64-linux-gnu/libshared.so.1"))
        #expect(common.contains("/var/lib/dpkg/info/libshared1.2:amd64.list"))
        #expect(mairie.contains("/usr/bin/editor") && mairie.contains("/usr/bin/mawk"))
        // A .pyc no package lists goes with the folder its package owns.
        #expect(mairie.contains("/usr/share/editor/__pycache__/main.cpython-311.pyc"))
        #expect(state.contains("/etc/ld.so.cache") && state.contains("/var/lib/dpkg/status"))
        #expect(!common.contains("/usr/bin/editor"))
        let all = common + mairie + state
        #expect(Set(all).count == all.count, "a file in two layers")
        #expect(!all.contains { $0.hasPrefix("/boot/") || $0.hasPrefix("/proc/") || $0.hasPrefix("/var/cache/apt/") })

        // The same content again: every layer taken from the store, byte for byte.
        let second = try make("work2")
        #expect(second.layers.allSatisfy { $0.reused })
        #expect(second.record.layers.map(\.sha256) == first.record.layers.map(\.sha256))
        // base.json says nothing of how a layer was made: the same inputs, the same file.
        #expect(
            try Data(contentsOf: second.out.appendingPathComponent("base.json")) == Data(contentsOf: first.out.appendingPathComponent("base.json")))
        // One profile's file changes: only its layer is compressed again.
        try "editor 2".write(to: root.appendingPathComponent("usr/bin/editor"), atomically: false, encoding: .utf8)
        let third = try make("work3")
        #expect(third.layers.map(\.reused) == [true, false, true])
        #expect(third.record.layers.map(\.file)[1] != files[1] && third.record.layers.map(\.file)[0] == files[0])
    }

    /// A profile mounting more layers than the kernel's 8 loop devices boots with more.
    @Test func manyLayersAskForMoreLoopDevices() throws {
        let dir = try TemporaryDirectory()
        let plan = Self.plan(profiles: [("a", []), ("b", []), ("c", []), ("d", [])])
        func base(_ names: [(String, [String])]) throws -> BuiltBase {
            let folder = dir.path(UUID().uuidString)
            let layers = names.map { LiveBaseLayers.Layer(name: $0.0, profiles: $0.1, packages: [], size: 1, sha256: "", reused: false) }
            let record = BuiltBaseRecord(
                key: plan.key, plan: plan, kernelVersion: "6.1", kernelParameters: ["boot=live"], mirrorReleaseDate: nil, packageCount: 1,
                layers: layers)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("live"), withIntermediateDirectories: true)
            try JSONEncoder().encode(record).write(to: folder.appendingPathComponent("base.json"))
            for path in ["vmlinuz", "initrd.img", "filesystem.module", "a.module", "b.module", "c.module", "d.module"] + layers.map(\.file) {
                try Data().write(to: folder.appendingPathComponent("live/\(path)"))
            }
            return try #require(BuiltBase(folder: folder))
        }
        let all = ["a", "b", "c", "d"]
        let few = try base([("filesystem", all), ("layer-a", ["a"]), ("state", all)])
        #expect(few.system.kernelParameters == ["boot=live"])
        // Every group of profiles that holds "a": 8 layers, with the common and the state 10.
        var groups: [(String, [String])] = [("filesystem", all)]
        for mask in 1..<16 where mask & 1 == 1 {
            let members = all.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
            groups.append(("layer-" + members.joined(separator: "_"), members))
        }
        groups.append(("state", all))
        #expect(try base(groups).system.kernelParameters == ["boot=live", "loop.max_loop=18"])
    }

    @Test func eachProfileEntryMountsItsModule() throws {
        let dir = try TemporaryDirectory()
        let kit = try KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").loadValid().kit
        let menu = BootMenu.make(
            kit: kit, kernel: "live/vmlinuz", initrd: "live/initrd.img", baseParameters: ["boot=live"], profileModules: true)
        #expect(menu.entries.map { $0.options.first { $0.hasPrefix("module=") } } == ["module=alpha", "module=beta", "module=alpha", "module=alpha"])
        let plain = BootMenu.make(kit: kit, kernel: "live/vmlinuz", initrd: "live/initrd.img", baseParameters: ["boot=live"])
        #expect(plain.entries.allSatisfy { !$0.options.contains { $0.hasPrefix("module=") } })
    }

    @Test func unknownPackagesAreNamedWhereTheKitWritesThem() throws {
        let dir = try TemporaryDirectory()
        let root = try Self.kit(base: "base: {debian: bookworm}\n", in: dir)
        let kit = try KitLoader(root: root, displayPrefix: "").loadValid().kit
        let plan = try #require(try LiveBasePlan.make(kit: kit, mirror: "http://mirror.example/debian"))
        let error = LivePackageCheck(plan: plan, kit: kit, environment: [:], index: nil).unknownPackagesError(["office-calc", "xfwm5"])
        let diagnostics = try #require(error as? KitValidationError).diagnostics
        #expect(diagnostics.map { "\($0.file):\($0.line)" } == ["payload/apps/office.yml:3", "profiles/kit.yml:11"])
        #expect(diagnostics[0].message.contains("paquet Debian inconnu « office-calc »"))
    }
}
