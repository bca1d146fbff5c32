import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Builds a kit's live system from Debian packages with mmdebstrap, into the content
/// store (`live-bases/<key>/`), or finds it there. The layers are made by demokit
/// itself inside mmdebstrap's customize hook (`LiveBaseLayers`).
public struct LiveBaseBuilder {
    var plan: LiveBasePlan
    var kit: Kit
    var store: ContentStore
    var progress: any ProgressReporter
    var environment: [String: String]

    public init(
        plan: LiveBasePlan, kit: Kit, store: ContentStore, progress: any ProgressReporter = SilentProgress(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.plan = plan
        self.kit = kit
        self.store = store
        self.progress = progress
        self.environment = environment
    }

    var bases: URL { store.root.appendingPathComponent("live-bases") }
    var folder: URL { bases.appendingPathComponent(plan.key) }

    /// The base, when the store holds it whole.
    public func existing() -> BuiltBase? {
        BuiltBase(folder: folder)
    }

    /// Builds the base unless the store holds it (or always, with `force`).
    public func build(force: Bool = false) throws -> BuiltBase {
        if !force, let base = existing() {
            progress.info(
                bilingual(
                    "système live déjà construit (\(base.record.layers.count) couches, \(formatBytes(base.size))) : repris du cache",
                    "live system already built (\(base.record.layers.count) layers, \(formatBytes(base.size, english: true))): taken from the cache"
                ))
            return base
        }
        let fm = FileManager.default
        for tool in [Tool.mmdebstrap, Tool.mksquashfs] where tool.locate(environment: environment) == nil {
            throw tool.notFound
        }
        try fm.createDirectory(at: bases, withIntermediateDirectories: true)
        removeAbandonedWork()

        progress.stage(bilingual("paquets Debian : vérification auprès du miroir", "Debian packages: checking with the mirror"))
        let index = LivePackageCheck.indexFolder(store: store, plan: plan)
        let estimate = try LivePackageCheck(plan: plan, kit: kit, environment: environment, index: index).run()
        let needed = estimate.installedBytes * 2 + estimate.downloadBytes * 2
        let free = freeBytes(at: bases)
        do {
            let minutes = 3 + Int(estimate.installedBytes / (300 << 20))
            progress.info(
                bilingual(
                    "système live : \(estimate.packages) paquets Debian, téléchargement ≈ \(formatBytes(estimate.downloadBytes)), disque ≈ \(formatBytes(needed)), durée ≈ \(minutes) min",
                    "live system: \(estimate.packages) Debian packages, download ≈ \(formatBytes(estimate.downloadBytes, english: true)), disk ≈ \(formatBytes(needed, english: true)), time ≈ \(minutes) min"
                ))
        }
        if let free, free < needed {
            throw LiveBaseError(
                what: bilingual(
                    "\(bases.path) : pas assez de place pour construire le système live (\(formatBytes(free)) libres, il faut ≈ \(formatBytes(needed)))",
                    "\(bases.path): not enough room to build the live system (\(formatBytes(free, english: true)) free, ≈ \(formatBytes(needed, english: true)) needed)"
                ),
                hint: bilingual(
                    "libérez de la place ou choisissez un autre cache : --cache DOSSIER", "free some room or choose another cache: --cache DIR"))
        }

        let work = bases.appendingPathComponent(".work-\(getpid())")
        removeWork(work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { removeWork(work) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(plan).write(to: work.appendingPathComponent("plan.json"))

        let root = getuid() == 0
        progress.stage(
            bilingual(
                "système live Debian \(plan.suite) (mmdebstrap, mode \(root ? "root" : "unshare"))",
                "Debian \(plan.suite) live system (mmdebstrap, \(root ? "root" : "unshare") mode)"))
        let debs = store.root.appendingPathComponent("debs")
        try fm.createDirectory(at: debs, withIntermediateDirectories: true)
        let resources = try LiveResources.load()
        let executable = environment["DEMOKIT_EXECUTABLE"] ?? (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let layerStore = store.root.appendingPathComponent("live-layers")
        var arguments = [
            "--variant=minbase", "--mode=\(root ? "root" : "unshare")", "--format=null",
            "--aptopt=Acquire::Check-Valid-Until \"false\"", "--aptopt=APT::Install-Recommends \"false\"",
            "--dpkgopt=\(resources.dpkgConfig.path)",
            "--include=\(plan.allPackages.joined(separator: ","))",
            "--skip=essential/unlink", "--skip=download/empty",
            "--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives",
            // Java's postinst links its manual page into man1, which dpkg.cfg keeps empty.
            "--essential-hook=mkdir -p \"$1\"/usr/share/man/man1",
            "--setup-hook=sync-in \(quoted(debs.path)) /var/cache/apt/archives",
            "--customize-hook=sync-out /var/cache/apt/archives \(quoted(debs.path))",
            "--customize-hook=for f in \"$1\"/var/lib/apt/lists/*_dists_\(plan.suite)_*Release; do sed -n 's/^Date: //p' \"$f\"; done | head -n 1 > \(quoted(work.appendingPathComponent("release-date").path))",
            "--customize-hook=sh \(quoted(resources.customizeHook.path)) \"$1\"",
            "--customize-hook=\(quoted(executable)) base layers \"$1\" \(quoted(work.path)) --layer-store \(quoted(layerStore.path))",
            plan.suite, "/dev/null",
        ]
        arguments += plan.sources
        var childEnvironment = environment
        childEnvironment["SOURCE_DATE_EPOCH"] = "\(plan.epoch)"
        // The temporary system and the layers' hard links must share a file system.
        childEnvironment["TMPDIR"] = work.path
        childEnvironment["LC_ALL"] = "C.UTF-8"
        let started = Date()
        let log = work.appendingPathComponent("mmdebstrap.log")
        let progress = self.progress
        let result = try Tool.mmdebstrap.launch(
            arguments, environment: childEnvironment,
            output: .lines(log: log) { line in
                if line.hasPrefix("I: ") || line.hasPrefix("couche ") || line.hasPrefix("layer ") {
                    progress.info("  " + line)
                } else {
                    progress.detail("  " + line)
                }
            })
        let tail = result.outputText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard result.status == 0 else {
            // The work folder goes; its log stays for whoever reads the error.
            let kept = bases.appendingPathComponent("last-failure.log")
            try? fm.removeItem(at: kept)
            try? fm.copyItem(at: log, to: kept)
            throw failure(tail, sources: plan.sources, log: kept)
        }
        let out = work.appendingPathComponent("out")
        guard fm.fileExists(atPath: out.appendingPathComponent("base.json").path) else {
            throw LiveBaseError(
                what: bilingual("mmdebstrap a fini sans produire de couches", "mmdebstrap finished without making layers") + ": "
                    + tail.suffix(5).joined(separator: " | "),
                hint: nil)
        }
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: out, to: folder)
        guard let base = BuiltBase(folder: folder) else {
            throw LiveBaseError(what: bilingual("système live illisible : \(folder.path)", "unreadable live system: \(folder.path)"), hint: nil)
        }
        for layer in base.record.layers {
            store.memo.remember(folder.appendingPathComponent("live/\(layer.file)"), sha256: layer.sha256, size: layer.size)
        }
        store.saveMemo()
        let seconds = Int(Date().timeIntervalSince(started))
        progress.info(
            bilingual(
                "système live construit en \(seconds / 60) min \(seconds % 60) s : \(base.record.packageCount) paquets, \(base.record.layers.count) couches, \(formatBytes(base.size))",
                "live system built in \(seconds / 60) min \(seconds % 60) s: \(base.record.packageCount) packages, \(base.record.layers.count) layers, \(formatBytes(base.size, english: true))"
            ))
        return base
    }

    /// Work folders of builds that were interrupted: their process is gone.
    func removeAbandonedWork() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: bases.path)) ?? [] where name.hasPrefix(".work-") {
            let pid = Int32(name.dropFirst(6)) ?? 0
            if pid > 0, pid != getpid(), kill(pid, 0) == 0 { continue }
            removeWork(bases.appendingPathComponent(name))
        }
    }

    /// Removes a work folder, after detaching what is mounted inside it: in root mode,
    /// mmdebstrap mounts /proc, /sys and /dev into the system it builds, and a build that
    /// was killed leaves them there. A recursive removal would walk into them (the
    /// host's /dev among them), so a folder that keeps a mount is left in place, named.
    func removeWork(_ work: URL) {
        let inside = LiveBaseBuilder.mountPoints(under: work.path)
        for point in inside { _ = umount2(point, Int32(MNT_DETACH)) }
        let left = LiveBaseBuilder.mountPoints(under: work.path)
        guard left.isEmpty else {
            progress.warning(
                bilingual(
                    "\(work.path) garde \(left.count) point(s) de montage (\(left[0])) : dossier laissé en place ; démontez-les (sudo umount -R) puis supprimez-le",
                    "\(work.path) still holds \(left.count) mount point(s) (\(left[0])): folder left in place; unmount them (sudo umount -R) then remove it"))
            return
        }
        try? FileManager.default.removeItem(at: work)
    }

    /// Mount points at or below `folder`, deepest first (`/proc/self/mountinfo`).
    static func mountPoints(under folder: String, mountinfo: String? = nil) -> [String] {
        guard let text = mountinfo ?? (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) else { return [] }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        var points: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count > 4 else { continue }
            let point = unescapeMountField(String(fields[4]))
            if point == folder || point.hasPrefix(prefix) { points.append(point) }
        }
        return points.sorted { $0.count > $1.count }
    }

    /// mountinfo writes space, tab, newline and backslash as `\ooo` (octal).
    static func unescapeMountField(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func freeBytes(at url: URL) -> Int64? {
        var info = statvfs()
        guard statvfs(url.path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// What the last lines of mmdebstrap say, for a volunteer.
    func failure(_ tail: [String], sources: [String], log: URL) -> any Error {
        let text = tail.joined(separator: "\n")
        if text.contains("Unable to locate package") {
            let names = tail.compactMap { line -> String? in
                guard let range = line.range(of: "Unable to locate package ") else { return nil }
                return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
            }
            return LivePackageCheck(plan: plan, kit: kit, environment: environment, index: nil).unknownPackagesError(names)
        }
        if text.contains("Could not resolve") || text.contains("Temporary failure resolving") || text.contains("Failed to fetch")
            || text.contains("Could not connect") || text.contains("Unable to connect")
        {
            return LiveBaseError(
                what: bilingual(
                    "miroir Debian injoignable (\(sources.joined(separator: " ; ")))", "Debian mirror unreachable (\(sources.joined(separator: "; ")))"),
                hint: bilingual(
                    "vérifiez le réseau, ou indiquez un autre miroir : --mirror http://deb.debian.org/debian",
                    "check the network, or name another mirror: --mirror http://deb.debian.org/debian"))
        }
        return LiveBaseError(
            what: bilingual("mmdebstrap a échoué", "mmdebstrap failed") + ":\n    " + tail.suffix(12).joined(separator: "\n    "),
            hint: bilingual("journal complet : \(log.path)", "full log: \(log.path)"))
    }

    func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A live system in the content store: `live/` files and `base.json`.
public struct BuiltBase: Sendable {
    public var folder: URL
    public var record: BuiltBaseRecord

    /// nil unless `base.json` and every file it names are there.
    init?(folder: URL) {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("base.json").path),
            let record = try? JSONDecoder().decode(BuiltBaseRecord.self, from: data)
        else { return nil }
        self.folder = folder
        self.record = record
        for path in files.map(\.path) where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path) {
            return nil
        }
    }

    /// Key paths of the live system.
    var files: [(path: String, url: URL)] {
        var paths = ["live/vmlinuz", "live/initrd.img"]
        paths += record.layers.map { "live/\($0.file)" }
        paths += record.plan.profiles.map { "live/\($0.id).module" }
        paths.append("live/filesystem.module")
        return paths.sorted().map { ($0, folder.appendingPathComponent($0)) }
    }

    var size: Int64 {
        files.reduce(Int64(0)) { $0 + (FileFingerprint.of($1.url.path)?.size ?? 0) }
    }

    /// The base as the boot stage takes it: each profile's entry mounts its own layers.
    var system: BaseSystem {
        BaseSystem(
            files: files, kernel: "live/vmlinuz", initrd: "live/initrd.img",
            kernelParameters: record.kernelParameters + loopDevices, checksumList: nil, verifiedFiles: 0, profileModules: true)
    }

    /// live-boot mounts each layer through a loop device, and the kernel makes 8 of them
    /// unless told more: a profile of four sharing layers with three others mounts 9 or 10.
    var loopDevices: [String] {
        let most = record.plan.profiles.map { profile in record.layers.filter { $0.profiles.contains(profile.id) }.count }.max() ?? 0
        return most > 6 ? ["loop.max_loop=\(most + 8)"] : []
    }
}
