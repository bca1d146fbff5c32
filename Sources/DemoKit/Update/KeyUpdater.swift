import Foundation

/// What an update did, for the volunteer and the benchmark.
public struct UpdateReport: Sendable {
    public enum Outcome: Sendable { case upToDate, updated }
    public var outcome: Outcome = .upToDate
    var fromNumber = 0
    public var toNumber = 0
    public var displayVersion = ""
    public var filesWritten = 0
    public var filesRemoved = 0
    /// Bytes read from the release (folder or web).
    public var bytesFromSource: Int64 = 0
    /// Bytes copied from files already on the key instead of being fetched.
    public var bytesReused: Int64 = 0
    /// Bytes written to the key.
    public var bytesWritten: Int64 = 0
    /// Bytes read from the key to check hashes.
    public var bytesChecked: Int64 = 0
    /// Write operations made (writes, renames, removals): what the test hook counts.
    public var writeOperations = 0
    public var warnings: [String] = []
    /// The roles of the files written.
    var changedRoles: Set<FileRole> = []

    /// The parts of the key that changed, in the key plan's order.
    public var changedParts: [KeyPlan.Part] {
        KeyPlan.Part.allCases.filter { part in changedRoles.contains { KeyPlan.Part(role: $0) == part } }
    }
}

/// Brings a key to the latest signed release of its kit and channel, safely on FAT32.
///
/// 1. Verify (no write): trust chain, signatures and threshold, kit, channel, version,
///    expiry, paths and sizes. Any refusal leaves the key as it was.
/// 2. Stage: every new file goes to `demokit/.update/objects/<sha256>`, copied from the
///    key itself when some file there already has that content, else from the
///    release; each is flushed and checked by hash. The key is still the old release.
/// 3. Apply (state `applying`): files are put in place, new ones first, the catalogue
///    and its pages last, `index.html` at the very end; obsolete files go; the new
///    trust file and manifest are written last. Each step is checked by hash, so a
///    rerun after a cut redoes only what is not right yet.
///
/// Progress lives in two checksummed state records (`UpdateState`).
public final class KeyUpdater {
    let key: URL
    public var trustKey: MinisignPublicKey?
    var now: Date
    var progress: any ProgressReporter
    let writer: DurableWriter
    var report = UpdateReport()
    /// `DEMOKIT_TRACE_PHASES=1`: one line `demokit-phase: NAME` on stderr as each phase
    /// starts, written straight to the file descriptor so it leaves before the phase's
    /// first write. The power-cut test reads them on a virtual machine's serial console
    /// to cut the power inside a chosen phase. Silent otherwise.
    let tracesPhases: Bool

    static let stagingFolder = "demokit/.update"

    /// Paths of the key's files that the running system holds open (`LiveUpdates.heldFiles`:
    /// the squashfs layers a live system booted from this key mounts). An update never
    /// writes over one: on FAT, a file removed while open keeps its clusters until it
    /// is closed, which a running system's root never is, and the medium could not go
    /// back to read-only. A release that changes one is refused; an obsolete one is
    /// left for a later run that finds it free (`UpdateState.deferred`).
    public var heldFiles: Set<String> = []

    public init(
        key: URL, now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment, progress: any ProgressReporter = SilentProgress()
    ) {
        self.key = key.standardizedFileURL
        // A fixed clock for tests; otherwise the time is read once, here.
        if let fixed = environment["DEMOKIT_TEST_NOW"].flatMap(Timestamp.parse) {
            self.now = fixed
        } else {
            self.now = now
        }
        self.progress = progress
        writer = DurableWriter(environment: environment)
        tracesPhases = environment["DEMOKIT_TRACE_PHASES"] == "1"
    }

    func trace(_ phase: String) {
        guard tracesPhases else { return }
        let line = Array("demokit-phase: \(phase)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// `isDirectory` given, for folders too (only their path is used): without it,
    /// Foundation stats the path to decide on a trailing slash, once per file of the key.
    func url(_ path: String) -> URL { key.appendingPathComponent(path, isDirectory: false) }
    var staging: URL { url(Self.stagingFolder) }

    func read(_ path: String, cap: Int) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: url(path).path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: cap + 1), data.count <= cap else { return nil }
        return data
    }

    func readText(_ path: String) -> String? {
        read(path, cap: VerifiedRelease.signatureCap).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The manifest on the key, or nil when missing or torn.
    func currentManifest() -> UpdateManifest? {
        read(UpdateManifest.path, cap: UpdateManifest.maximumSize).flatMap { try? JSONDecoder().decode(UpdateManifest.self, from: $0) }
    }

    /// SHA-256 of the manifest the key holds: its manifest's bytes, else (torn) the
    /// state record's; nil for a key that never had a release (built, number 0).
    func installedManifestHash(_ state: UpdateState) -> String? {
        if let data = read(UpdateManifest.path, cap: UpdateManifest.maximumSize),
            let manifest = try? JSONDecoder().decode(UpdateManifest.self, from: data)
        {
            return manifest.release.number == 0 ? nil : FileHashing.sha256(of: data)
        }
        return state.lastManifest
    }

    // MARK: Update

    /// Updates the key from `source`; with no source, only finishes a pending update
    /// whose files are all staged.
    public func update(from source: (any ReleaseSource)?) throws -> UpdateReport {
        report = UpdateReport()
        var state = UpdateState.read(key: key)
        guard FileManager.default.fileExists(atPath: url("demokit").path), currentManifest() != nil || state.phase != .idle else {
            throw UpdateRefusal.notAKey(key.path)
        }
        if state.phase == .applying {
            progress.stage(bilingual("reprise de la mise à jour interrompue", "resuming the interrupted update"))
            let release = try stagedRelease(state: state, source: source)
            try apply(release, state: &state, source: source)
        }
        guard let source else {
            report.toNumber = currentManifest()?.release.number ?? 0
            try removeLeftovers(state)
            finishReport(nil)
            return report
        }
        let release: VerifiedRelease
        progress.stage(bilingual("vérification de la publication", "checking the release"))
        guard let found = try fetchRelease(from: source, state: state) else {
            try removeLeftovers(state)
            finishReport(source)
            return report
        }
        release = found
        report.warnings += release.warnings
        try refuseChangesToHeldFiles(release.manifest)
        let before = KeySnapshot(updater: self)
        do {
            try stage(release, state: &state, source: source)
        } catch let refusal as UpdateRefusal {
            // A file of the release does not match its manifest: nothing was put in
            // place yet, so the key goes back to exactly what it was.
            before.restore(updater: self)
            throw refusal
        }
        try apply(release, state: &state, source: source)
        finishReport(source)
        return report
    }

    /// A cut after the last state record can leave the staging folder behind.
    func removeLeftovers(_ state: UpdateState) throws {
        guard state.phase == .idle else { return }
        try writer.remove(staging)
        guard let deferred = state.deferred, !deferred.isEmpty else { return }
        let listed = Set((currentManifest()?.files ?? []).map { $0.path.uppercased() })
        let remaining = deferred.filter { heldFiles.contains($0) && !listed.contains($0.uppercased()) }
        for path in deferred where !remaining.contains(path) && !listed.contains(path.uppercased()) && PathRules.problem(with: path) == nil {
            if FileManager.default.fileExists(atPath: url(path).path) {
                try writer.remove(url(path))
                report.filesRemoved += 1
            }
            removeEmptyFolders(above: path)
        }
        guard remaining != deferred else { return }
        var next = state
        next.deferred = remaining.isEmpty ? nil : remaining
        try next.save(key: key, writer: writer)
    }

    /// A release that would write over a file the running system holds is refused
    /// before any write.
    func refuseChangesToHeldFiles(_ manifest: UpdateManifest) throws {
        guard !heldFiles.isEmpty else { return }
        let current = Dictionary((currentManifest()?.files ?? []).map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let changed = manifest.files.filter { heldFiles.contains($0.path) && current[$0.path] != $0.sha256 }.map(\.path)
        if !changed.isEmpty { throw UpdateRefusal.heldByRunningSystem(changed.sorted()) }
    }

    func finishReport(_ source: (any ReleaseSource)?) {
        report.bytesFromSource = source?.bytesRead ?? 0
        report.bytesWritten = writer.bytesWritten
        report.writeOperations = writer.operations
    }

    /// The key's kit, channel and release number, from its manifest or the state record.
    func identity(_ state: UpdateState) throws -> (kit: String, channel: String, number: Int) {
        if let manifest = currentManifest() { return (manifest.kit.id, manifest.kit.channel, manifest.release.number) }
        if let kit = state.kit, let channel = state.channel { return (kit, channel, state.lastNumber ?? 0) }
        throw UpdateRefusal.notAKey(key.path)
    }

    /// The trust the key starts from: its own file, or `trustKey`'s first trust file.
    func baseTrust(source: (any ReleaseSource)?, kit: String) throws -> (TrustFile, VerifiedRelease.TrustStep) {
        if let base = try? VerifiedRelease.loadTrust(data: read(TrustFile.path, cap: TrustFile.maximumSize), signature: readText(TrustFile.signaturePath)) {
            return base
        }
        guard let trustKey, let source else { throw UpdateRefusal.noTrust }
        let path = ReleaseLayout.trust(kit: kit, version: 1)
        guard let data = try source.fetch(path, maximumSize: TrustFile.maximumSize) else { throw UpdateRefusal.notFound(path) }
        let signature = try source.fetchText(path + ReleaseLayout.signatureSuffix, maximumSize: VerifiedRelease.signatureCap)
        let anchor = TrustFile(kit: kit, version: 0, expires: "9999-12-31", threshold: 1, keys: [.init(trustKey)])
        try anchor.requireSignatures(of: data, signatureText: signature, what: "trust.json v1")
        let trust = try TrustFile.decode(data)
        guard try trust.publicKeys().contains(trustKey) else { throw UpdateRefusal.unknownKey("trust.json v1", [trustKey.idString]) }
        try trust.requireSignatures(of: data, signatureText: signature, what: "trust.json v1")
        return (trust, .init(version: trust.version, data: data, signature: signature ?? ""))
    }

    /// Reads and verifies the latest release; nil when the key already has it.
    func fetchRelease(from source: any ReleaseSource, state: UpdateState) throws -> VerifiedRelease? {
        trace("verify")
        let (kit, channel, number) = try identity(state)
        report.fromNumber = number
        report.toNumber = number
        let base = try baseTrust(source: source, kit: kit)
        let manifestPath = ReleaseLayout.manifest(kit: kit, channel: channel)
        guard let data = try source.fetch(manifestPath, maximumSize: UpdateManifest.maximumSize) else { throw UpdateRefusal.notFound(manifestPath) }
        let signature = try source.fetchText(manifestPath + ReleaseLayout.signatureSuffix, maximumSize: VerifiedRelease.signatureCap)
        let release = try VerifiedRelease.verify(
            base: base,
            next: { try trustVersion($0, kit: kit, from: source) }, manifestData: data, signature: signature, kit: kit, channel: channel, currentNumber: number,
            now: now, online: source.isOnline)
        report.displayVersion = release.manifest.kit.version
        report.toNumber = release.manifest.release.number
        if release.manifest.release.number == number, let installed = installedManifestHash(state), installed != release.hash {
            throw UpdateRefusal.otherReleaseSameNumber(number: number, key: installed, offered: release.hash)
        }
        let hasTrust = FileManager.default.fileExists(atPath: url(TrustFile.path).path)
        if release.manifest.release.number == number, hasTrust, release.chain.isEmpty {
            report.warnings += release.warnings
            return nil
        }
        return release
    }

    /// Trust file version `version` of `kit` and its signature, as published (nil when absent).
    func trustVersion(_ version: Int, kit: String, from source: any ReleaseSource) throws -> (Data, String?)? {
        let path = ReleaseLayout.trust(kit: kit, version: version)
        guard let data = try source.fetch(path, maximumSize: TrustFile.maximumSize) else { return nil }
        return (data, try source.fetchText(path + ReleaseLayout.signatureSuffix, maximumSize: VerifiedRelease.signatureCap))
    }

    /// The release being applied, re-verified from what was staged on the key.
    func stagedRelease(state: UpdateState, source: (any ReleaseSource)?) throws -> VerifiedRelease {
        let folder = Self.stagingFolder
        let (kit, channel, _) = try identity(state)
        func staged(_ name: String) -> (Data, String?)? {
            read("\(folder)/\(name)", cap: max(UpdateManifest.maximumSize, TrustFile.maximumSize)).map { ($0, readText("\(folder)/\(name).minisig")) }
        }
        if case let (baseData, baseSignature)? = staged("trust-base.json"), let base = try? VerifiedRelease.loadTrust(data: baseData, signature: baseSignature),
            case let (data, signature)? = staged("manifest.json"), FileHashing.sha256(of: data) == state.target,
            let release = try? VerifiedRelease.verify(
                base: base, next: { staged("trust/\($0).json") }, manifestData: data, signature: signature, kit: kit, channel: channel,
                currentNumber: 0, now: now, online: false)
        {
            return release
        }
        // The staged copy is damaged: fetch that same release again (it is kept as releases/<n>.json).
        guard let source, let number = state.targetNumber else {
            throw FileError(
                path: key.path,
                reason: bilingual(
                    "une mise à jour interrompue ne peut pas être terminée sans la publication",
                    "an interrupted update cannot be finished without the release"),
                hint: bilingual("relancez avec --from DOSSIER_OU_ADRESSE", "run again with --from FOLDER_OR_ADDRESS"))
        }
        let base = try baseTrust(source: source, kit: kit)
        let path = ReleaseLayout.archivedManifest(kit: kit, channel: channel, number: number)
        guard let data = try source.fetch(path, maximumSize: UpdateManifest.maximumSize), FileHashing.sha256(of: data) == state.target else {
            throw UpdateRefusal.notFound(path)
        }
        let signature = try source.fetchText(path + ReleaseLayout.signatureSuffix, maximumSize: VerifiedRelease.signatureCap)
        let release = try VerifiedRelease.verify(
            base: base,
            next: { try trustVersion($0, kit: kit, from: source) }, manifestData: data, signature: signature, kit: kit, channel: channel, currentNumber: 0,
            now: now, online: false)
        try writeStagedMetadata(release)
        return release
    }

    // MARK: Staging

    /// Hashes of the key's files, read from disk (sizes and dates are never trusted).
    var actual: [String: String] = [:]
    var byHash: [String: String] = [:]

    func scan(_ paths: [String]) throws {
        for path in Set(paths).sorted() where actual[path] == nil {
            let file = url(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let (size, sha) = try FileHashing.sha256(fileAt: file)
            report.bytesChecked += size
            actual[path] = sha
            if byHash[sha] == nil { byHash[sha] = path }
        }
    }

    func objectURL(_ sha: String) -> URL { staging.appendingPathComponent("objects/\(sha)") }

    func writeStagedMetadata(_ release: VerifiedRelease) throws {
        try writer.createDirectory(staging.appendingPathComponent("trust"))
        try writer.createDirectory(staging.appendingPathComponent("objects"))
        try writer.write(release.base.data, to: staging.appendingPathComponent("trust-base.json"))
        try writer.write(Data(release.base.signature.utf8), to: staging.appendingPathComponent("trust-base.json.minisig"))
        for step in release.chain {
            try writer.write(step.data, to: staging.appendingPathComponent("trust/\(step.version).json"))
            try writer.write(Data(step.signature.utf8), to: staging.appendingPathComponent("trust/\(step.version).json.minisig"))
        }
        try writer.write(release.data, to: staging.appendingPathComponent("manifest.json"))
        try writer.write(Data(release.signature.utf8), to: staging.appendingPathComponent("manifest.json.minisig"))
    }

    func stage(_ release: VerifiedRelease, state: inout UpdateState, source: (any ReleaseSource)?) throws {
        let manifest = release.manifest
        let current = currentManifest()
        progress.stage(bilingual("comparaison avec la clé", "comparing with the key"))
        try scan(manifest.files.map(\.path) + (current?.files.map(\.path) ?? []))
        state.phase = .staging
        state.target = release.hash
        state.targetNumber = manifest.release.number
        state.kit = manifest.kit.id
        state.channel = manifest.kit.channel
        trace("state-staging")
        try state.save(key: key, writer: writer)
        trace("stage-metadata")
        try writeStagedMetadata(release)

        var needed: [String: FileRecord] = [:]
        for file in manifest.files where actual[file.path] != file.sha256 && needed[file.sha256] == nil {
            needed[file.sha256] = file
        }
        progress.stage(bilingual("préparation de \(needed.count) fichier(s)", "staging \(needed.count) file(s)"))
        var done = 0
        let total = needed.values.reduce(Int64(0)) { $0 + $1.size }
        var bytes: Int64 = 0
        trace("stage-objects")
        for sha in needed.keys.sorted() {
            guard let file = needed[sha] else { continue }
            try stageObject(file, source: source)
            done += 1
            bytes += file.size
            progress.advance(files: done, bytes: bytes, totalFiles: needed.count, totalBytes: total)
        }
        // Leftover objects of an abandoned update are no use any more.
        let keep = Set(needed.keys)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staging.appendingPathComponent("objects").path)) ?? [] where !keep.contains(name) {
            try writer.remove(staging.appendingPathComponent("objects/\(name)"))
        }
        state.phase = .applying
        trace("state-applying")
        try state.save(key: key, writer: writer)
    }

    /// Puts one checked copy of `file`'s content in the staging folder.
    func stageObject(_ file: FileRecord, source: (any ReleaseSource)?) throws {
        let object = objectURL(file.sha256)
        if FileManager.default.fileExists(atPath: object.path) {
            let (size, sha) = try FileHashing.sha256(fileAt: object)
            report.bytesChecked += size
            if sha == file.sha256 && size == file.size { return }
            try writer.remove(object)
        }
        let partial = object.appendingPathExtension("part")
        // A file already on the key with this content is copied, not fetched; it is
        // checked while copied, since it may have changed since it was hashed.
        if let local = byHash[file.sha256], (try? writer.copy(from: url(local), to: partial, expected: file)) != nil {
            report.bytesReused += file.size
        } else if let source {
            if let folder = source as? FolderReleaseSource, let path = folder.localURL(ReleaseLayout.object(file.sha256)) {
                guard FileManager.default.fileExists(atPath: path.path) else { throw UpdateRefusal.notFound(ReleaseLayout.object(file.sha256)) }
                try writer.copy(from: path, to: partial, expected: file)
                folder.countRead(file.size)
            } else {
                try Self.download(ReleaseLayout.object(file.sha256), from: source, to: partial, expected: file, writer: writer)
                let (size, sha) = try FileHashing.sha256(fileAt: partial)
                guard size == file.size, sha == file.sha256 else {
                    try writer.remove(partial)
                    throw UpdateRefusal.fileMismatch(file.path)
                }
            }
        } else {
            throw FileError(
                path: file.path, reason: bilingual("fichier à récupérer depuis la publication", "file must be fetched from the release"),
                hint: bilingual("relancez avec --from DOSSIER_OU_ADRESSE", "run again with --from FOLDER_OR_ADDRESS"))
        }
        try writer.rename(partial, to: object)
    }

    // MARK: Applying

    /// Catalogue and pages last, `index.html` at the very end, so the catalogue keeps
    /// working while applications are replaced, and pages never point to missing files.
    static func applyRank(_ file: FileRecord, isNew: Bool) -> Int {
        if file.path == "index.html" { return 5 }
        if isNew { return 0 }
        switch file.role {
        case .catalogue: return 2
        case .site: return file.path.hasSuffix(".html") ? 4 : 3
        default: return 1
        }
    }

    func apply(_ release: VerifiedRelease, state: inout UpdateState, source: (any ReleaseSource)?, installMetadata: Bool = true) throws {
        let manifest = release.manifest
        let current = currentManifest()
        try scan(manifest.files.map(\.path) + (current?.files.map(\.path) ?? []))
        let pending = manifest.files.filter { actual[$0.path] != $0.sha256 }
            .sorted { (Self.applyRank($0, isNew: actual[$0.path] == nil), $0.path) < (Self.applyRank($1, isNew: actual[$1.path] == nil), $1.path) }
        progress.stage(bilingual("mise en place de \(pending.count) fichier(s)", "putting \(pending.count) file(s) in place"))
        var uses: [String: Int] = [:]
        for file in pending { uses[file.sha256, default: 0] += 1 }
        let groups = ["apply-new", "apply-apps", "apply-catalogue", "apply-assets", "apply-pages", "apply-index"]
        var group: Int?
        for (index, file) in pending.enumerated() {
            let rank = Self.applyRank(file, isNew: actual[file.path] == nil)
            if rank != group {
                group = rank
                trace(groups[rank])
            }
            let object = objectURL(file.sha256)
            if !FileManager.default.fileExists(atPath: object.path) {
                try stageObject(file, source: source)
            }
            let destination = url(file.path)
            try writer.createDirectory(destination.deletingLastPathComponent())
            uses[file.sha256, default: 1] -= 1
            if uses[file.sha256] == 0 {
                // Last use: move the checked copy in place instead of copying it again.
                try replace(destination, with: object)
            } else {
                let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).dknew")
                try writer.copy(from: object, to: temporary, expected: file)
                try replace(destination, with: temporary)
            }
            actual[file.path] = file.sha256
            report.filesWritten += 1
            report.changedRoles.insert(file.role ?? .other)
            progress.advance(files: index + 1, bytes: 0, totalFiles: pending.count, totalBytes: nil)
        }
        // Files of the old release that the new one no longer has.
        trace("remove-obsolete")
        let keep = Set(manifest.files.map { $0.path.uppercased() })
        var deferred = state.deferred ?? []
        for old in current?.files ?? [] where !keep.contains(old.path.uppercased()) && PathRules.problem(with: old.path) == nil {
            if heldFiles.contains(old.path) {
                if !deferred.contains(old.path) { deferred.append(old.path) }
                continue
            }
            if FileManager.default.fileExists(atPath: url(old.path).path) {
                try writer.remove(url(old.path))
                report.filesRemoved += 1
            }
            // Also when the file went in a run that was cut before its folder did.
            removeEmptyFolders(above: old.path)
        }
        // Trust, then the manifest: the key says "new release" only once it is one.
        if installMetadata {
            trace("metadata")
            let final = release.chain.last ?? release.base
            try install(final.data, at: TrustFile.path)
            try install(Data(final.signature.utf8), at: TrustFile.signaturePath)
            try install(Data(release.signature.utf8), at: UpdateManifest.signaturePath)
            try install(release.data, at: UpdateManifest.path)
        }
        state.phase = .idle
        state.target = nil
        state.targetNumber = nil
        state.lastUpdate = Timestamp.string(now)
        state.lastNumber = manifest.release.number
        state.lastManifest = release.hash
        state.deferred = deferred.isEmpty ? nil : deferred.sorted()
        trace("state-idle")
        try state.save(key: key, writer: writer)
        trace("remove-staging")
        try writer.remove(staging)
        trace("done")
        report.outcome = .updated
        report.toNumber = manifest.release.number
        report.displayVersion = manifest.kit.version
    }

    /// Puts `source` at `destination`. FAT32 renames are two directory writes, so a
    /// cut can leave either name: the next run checks by hash and does it again.
    func replace(_ destination: URL, with source: URL) throws {
        do {
            try writer.rename(source, to: destination)
        } catch {
            // Some FAT drivers refuse to rename over an existing file.
            try writer.remove(destination)
            try writer.rename(source, to: destination)
        }
    }

    /// Writes demokit's own small files unless they already hold these bytes.
    func install(_ data: Data, at path: String) throws {
        if read(path, cap: max(data.count, 1)) == data { return }
        let temporary = url(path + ".dknew")
        try writer.write(data, to: temporary)
        try replace(url(path), with: temporary)
    }

    func removeEmptyFolders(above path: String) {
        for folder in PathRules.parents(of: path) where folder != "demokit" {
            guard rmdir(url(folder).path) == 0 else { return }
            // As for files: the entry goes before the FAT that frees the folder's cluster.
            writer.syncDirectory(url(folder).deletingLastPathComponent())
        }
    }
}

/// demokit's bookkeeping on a key before staging starts, to undo staging when the
/// release turns out to be bad.
struct KeySnapshot {
    var slots: [String: Data?] = [:]
    var stagingExisted: Bool

    init(updater: KeyUpdater) {
        for slot in UpdateState.slots {
            slots[slot] = FileManager.default.contents(atPath: updater.url(slot).path)
        }
        stagingExisted = FileManager.default.fileExists(atPath: updater.staging.path)
    }

    func restore(updater: KeyUpdater) {
        if !stagingExisted { try? updater.writer.remove(updater.staging) }
        for (slot, data) in slots {
            let url = updater.url(slot)
            if let data {
                try? updater.writer.write(data, to: url)
            } else {
                try? updater.writer.remove(url)
            }
        }
    }
}
