import Foundation

/// `demokit verify` and `demokit status`: what a key holds, checked by hash.
public struct KeyCheck: Sendable {
    public var manifest: UpdateManifest?
    /// The manifest's signatures meet the key's trust file (false for a key built and never updated).
    public var signed = false
    public var trust: TrustFile?
    public var state = UpdateState()
    public var checkedFiles = 0
    var bytesRead: Int64 = 0
    /// Files whose size or hash differs from the manifest.
    public var damaged: [String] = []
    public var missing: [String] = []

    public var isHealthy: Bool { manifest != nil && damaged.isEmpty && missing.isEmpty && state.phase == .idle }

    /// Reads the key's manifest and trust; with `hashFiles`, also checks every file.
    public static func run(key: URL, hashFiles: Bool) -> KeyCheck {
        let updater = KeyUpdater(key: key)
        var check = KeyCheck()
        check.state = UpdateState.read(key: key)
        check.manifest = updater.currentManifest()
        let trustData = updater.read(TrustFile.path, cap: TrustFile.maximumSize)
        if case let (trust, _)? = try? VerifiedRelease.loadTrust(data: trustData, signature: updater.readText(TrustFile.signaturePath)) {
            check.trust = trust
            if let data = updater.read(UpdateManifest.path, cap: UpdateManifest.maximumSize) {
                check.signed =
                    (try? trust.requireSignatures(of: data, signatureText: updater.readText(UpdateManifest.signaturePath), what: "manifest.json")) != nil
            }
        }
        guard hashFiles, let manifest = check.manifest else { return check }
        // Every core hashes, largest files first so no core is left with the last big
        // one; results are taken in the manifest's order.
        let files = manifest.files
        let hashes = parallelMap(files, order: files.indices.sorted { files[$0].size > files[$1].size }) { file in
            // `isDirectory` given, or Foundation would `stat` each file first.
            try? FileHashing.sha256(fileAt: key.appendingPathComponent(file.path, isDirectory: false))
        }
        for (file, hashed) in zip(files, hashes) {
            guard let hashed else {
                if FileManager.default.fileExists(atPath: key.appendingPathComponent(file.path).path) {
                    check.damaged.append(file.path)
                } else {
                    check.missing.append(file.path)
                }
                continue
            }
            check.bytesRead += hashed.size
            check.checkedFiles += 1
            if hashed.size != file.size || hashed.sha256 != file.sha256 { check.damaged.append(file.path) }
        }
        return check
    }
}

extension KeyUpdater {
    /// `verify --repair`: finishes a pending update, then puts back every damaged or
    /// missing file of the key's own release, from copies on the key or from `source`.
    public func repair(from source: (any ReleaseSource)?) throws -> UpdateReport {
        var report = try update(from: nil)
        var state = UpdateState.read(key: key)
        let check = KeyCheck.run(key: key, hashFiles: true)
        guard let manifest = check.manifest, !(check.damaged.isEmpty && check.missing.isEmpty) else { return report }
        guard let data = read(UpdateManifest.path, cap: UpdateManifest.maximumSize) else { throw UpdateRefusal.notAKey(key.path) }
        let signature = readText(UpdateManifest.signaturePath)
        let release: VerifiedRelease
        if let base = try? VerifiedRelease.loadTrust(data: read(TrustFile.path, cap: TrustFile.maximumSize), signature: readText(TrustFile.signaturePath)) {
            // Repairing restores the key's own, already accepted release: its age does not matter.
            release = try VerifiedRelease.verify(
                base: base, next: { _ in nil }, manifestData: data, signature: signature, kit: manifest.kit.id, channel: manifest.kit.channel,
                currentNumber: 0, now: .distantPast, online: false)
        } else {
            // A key built and never updated has no trust file: its own manifest is the reference.
            try PathRules.check(manifest.files)
            let empty = VerifiedRelease.TrustStep(version: 0, data: Data(), signature: "")
            release = VerifiedRelease(
                manifest: manifest, data: data, signature: signature ?? "", base: empty, chain: [],
                trust: TrustFile(kit: manifest.kit.id, version: 0, expires: "", threshold: 1, keys: []))
        }
        progress.stage(
            bilingual("réparation de \(check.damaged.count + check.missing.count) fichier(s)", "repairing \(check.damaged.count + check.missing.count) file(s)")
        )
        try stage(release, state: &state, source: source)
        try apply(release, state: &state, source: source, installMetadata: release.base.version > 0)
        report = self.report
        report.bytesFromSource = source?.bytesRead ?? 0
        report.bytesWritten = writer.bytesWritten
        return report
    }
}
