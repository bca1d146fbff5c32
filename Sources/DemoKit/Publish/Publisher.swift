import Foundation

/// `demokit publish`: builds the kit and adds it to a release folder as a signed
/// release, storing each file once by content. The folder can be copied as is to a
/// key, a shared drive or any static web server (see `ReleaseLayout`).
public struct Publisher {
    public struct Options {
        var kitRoot: URL
        var release: URL
        var keys: [MinisignSecretKey]
        var now = Date()
        /// A release older than this is stale (freeze attacks): keys warn offline, refuse online.
        public var expiresInDays = 180
        /// Lifetime of a first trust file, and its threshold (default: every signing key).
        var trustExpiresInDays = 730
        public var threshold: Int?
        var environment: [String: String] = ProcessInfo.processInfo.environment
        /// The signing keys' release records (`ReleaseHistory.Record`), read before
        /// numbering and updated after: the CLI keeps one beside each key file.
        public var records: [URL] = []
        /// Where the kit's release line continues from when `release` is a new folder
        /// (a release folder or its web address).
        public var previous: String?
        /// Starts a new numbering even though a signing key published this kit elsewhere.
        public var newNumbering = false
        /// More kernel parameters for every boot entry (`demokit build --kernel-args`).
        public var kernelParameters: [String] = []

        public init(kitRoot: URL, release: URL, keys: [MinisignSecretKey]) {
            self.kitRoot = kitRoot
            self.release = release
            self.keys = keys
        }
    }

    public struct Report: Sendable {
        public var manifest: UpdateManifest
        public var manifestPath: URL
        public var objectsWritten = 0
        public var objectsReused = 0
        public var bytesWritten: Int64 = 0
        /// Things that did not stop the release (a key's release record not written).
        public var warnings: [String] = []
    }

    var options: Options
    var progress: any ProgressReporter

    public init(options: Options, progress: any ProgressReporter = SilentProgress()) {
        self.options = options
        self.progress = progress
    }

    public func publish() throws -> Report {
        guard !options.keys.isEmpty else {
            throw FileError(path: options.release.path, reason: bilingual("aucune clé de signature", "no signing key"))
        }
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("demokit-publish-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: work) }
        var buildOptions = KitBuilder.Options(kitRoot: options.kitRoot, output: work.appendingPathComponent("key"))
        buildOptions.environment = options.environment
        // A release carries the kit's live system: a key updated from it keeps booting.
        buildOptions.debianBase = .build(mirror: nil)
        buildOptions.kernelParameters = options.kernelParameters
        let result = try KitBuilder(options: buildOptions, progress: progress).build()
        let tree = result.output
        let built = try result.manifest
        let kit = built.kit

        // Numbered before anything is written to the folder, so a refusal leaves it as it was.
        let manifestPath = ReleaseLayout.manifest(kit: kit.id, channel: kit.channel)
        let manifestURL = options.release.appendingPathComponent(manifestPath)
        let records = try options.records.map(ReleaseHistory.Record.read)
        let history = ReleaseHistory(folder: options.release, kit: kit.id, channel: kit.channel)
        let next = try history.next(records: records, previous: try previousManifest(path: manifestPath), newNumbering: options.newNumbering)
        let number = next.number
        let previous = next.previous

        progress.stage(bilingual("confiance", "trust"))
        let trust = try currentTrust(kit: kit.id)
        let signers = Set(options.keys.map(\.publicKey.key))
        let trusted = Set(try trust.publicKeys().map(\.key))
        guard signers.intersection(trusted).count >= trust.threshold else {
            throw FileError(
                path: options.release.appendingPathComponent(ReleaseLayout.trust(kit: kit.id, version: trust.version)).path,
                reason: bilingual(
                    "ces clés ne suffisent pas pour signer (\(trust.threshold) clé(s) de confiance exigée(s))",
                    "these keys are not enough to sign (\(trust.threshold) trusted key(s) required)"),
                hint: bilingual("ajoutez vos clés au fichier de confiance avec « demokit rotate »", "add your keys to the trust file with \"demokit rotate\""))
        }

        progress.stage(bilingual("copie des fichiers", "copying files"))
        var report = Report(manifest: built, manifestPath: manifestURL)
        for file in built.files {
            let object = options.release.appendingPathComponent(ReleaseLayout.object(file.sha256))
            if let size = try? fm.attributesOfItem(atPath: object.path)[.size] as? Int64, size == file.size {
                report.objectsReused += 1
                continue
            }
            try fm.createDirectory(at: object.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = object.deletingLastPathComponent().appendingPathComponent(".\(file.sha256).tmp-\(getpid())")
            let copied = try FileHashing.copyAndHash(from: tree.appendingPathComponent(file.path), to: temporary)
            guard copied.sha256 == file.sha256 else { throw UpdateRefusal.fileMismatch(file.path) }
            try move(temporary, to: object)
            report.objectsWritten += 1
            report.bytesWritten += copied.size
        }

        let manifest = UpdateManifest(
            kit: kit,
            release: .init(
                number: number, created: Timestamp.string(options.now),
                expires: Timestamp.string(options.now.addingTimeInterval(TimeInterval(options.expiresInDays) * 86400)),
                previous: previous, minimumDemokit: DemoKitVersion.current),
            profiles: built.profiles, files: built.files)
        let data = try manifest.encoded()
        let comment = "timestamp:\(Int(options.now.timeIntervalSince1970))\tfile:manifest.json\tkit:\(kit.id) channel:\(kit.channel) release:\(number)"
        let signature = Data(try TrustFile.sign(data, with: options.keys, comment: comment).utf8)
        // Archived copy first, then the signature, then the manifest itself, each
        // through a temporary name: readers see the old release or the new one.
        let archived = options.release.appendingPathComponent(ReleaseLayout.archivedManifest(kit: kit.id, channel: kit.channel, number: number))
        try Self.writeAtomically(data, to: archived)
        try Self.writeAtomically(signature, to: archived.appendingPathExtension("minisig"))
        try Self.writeAtomically(signature, to: manifestURL.appendingPathExtension("minisig"))
        try Self.writeAtomically(data, to: manifestURL)
        report.manifest = manifest
        let entry = ReleaseHistory.Entry(
            kit: kit.id, channel: kit.channel, number: number, manifest: FileHashing.sha256(of: data), folder: options.release.standardizedFileURL.path)
        for (url, var record) in zip(options.records, records) {
            record.record(entry)
            do {
                try record.write(to: url)
            } catch {
                report.warnings.append(
                    bilingual(
                        "attention : registre des publications non écrit (\(url.path)) ; la prochaine publication ne pourra pas vérifier la numérotation",
                        "warning: release record not written (\(url.path)); the next publish cannot check the numbering") + ": \(error)")
            }
        }
        return report
    }

    /// The latest manifest of `options.previous` (the folder the line continues from),
    /// which one of the signing keys must have signed.
    func previousManifest(path: String) throws -> Data? {
        guard let location = options.previous else { return nil }
        let source = try openReleaseSource(location)
        let what = "\(location)/\(path)"
        guard let data = try source.fetch(path, maximumSize: UpdateManifest.maximumSize) else { throw ReleaseHistory.Refusal.previousNotFound(location) }
        let text = try source.fetchText(path + ReleaseLayout.signatureSuffix, maximumSize: VerifiedRelease.signatureCap) ?? ""
        let signatures = (try? MinisignSignature.parseAll(text)) ?? []
        let signed = signatures.contains { signature in options.keys.contains { (try? signature.verify(data, with: $0.publicKey)) == true } }
        guard signed else { throw ReleaseHistory.Refusal.previousNotSigned(what) }
        return data
    }

    /// The newest trust file of the release folder, or a first one made of the signing keys.
    func currentTrust(kit: String) throws -> TrustFile {
        var version = 0
        var latest: TrustFile?
        while let data = FileManager.default.contents(
            atPath: options.release.appendingPathComponent(ReleaseLayout.trust(kit: kit, version: version + 1)).path)
        {
            latest = try TrustFile.decode(data)
            version += 1
        }
        if let latest { return latest }
        let trust = TrustFile(
            kit: kit, version: 1,
            expires: Timestamp.string(options.now.addingTimeInterval(TimeInterval(options.trustExpiresInDays) * 86400)),
            threshold: options.threshold ?? options.keys.count, keys: options.keys.map { .init($0.publicKey) })
        try Self.writeTrust(trust, signedBy: options.keys, release: options.release, now: options.now)
        return trust
    }

    /// Writes `trust/<version>.json` and its signatures into a release folder.
    static func writeTrust(_ trust: TrustFile, signedBy keys: [MinisignSecretKey], release: URL, now: Date) throws {
        let data = try trust.encoded()
        _ = try TrustFile.decode(data)
        let comment = "timestamp:\(Int(now.timeIntervalSince1970))\tfile:trust.json\tkit:\(trust.kit) trust:\(trust.version)"
        let url = release.appendingPathComponent(ReleaseLayout.trust(kit: trust.kit, version: trust.version))
        try Self.writeAtomically(Data(try TrustFile.sign(data, with: keys, comment: comment).utf8), to: url.appendingPathExtension("minisig"))
        try Self.writeAtomically(data, to: url)
    }

    /// Adds trust version N+1 (new keys, threshold, lifetime) signed by `signers`, who
    /// must meet the thresholds of both N and N+1, as keys will check.
    public static func rotateTrust(
        release: URL, kit: String, signers: [MinisignSecretKey], keys: [MinisignPublicKey], threshold: Int, expiresInDays: Int, now: Date = Date()
    ) throws -> TrustFile {
        var version = 0
        var currentData: Data?
        while let data = FileManager.default.contents(atPath: release.appendingPathComponent(ReleaseLayout.trust(kit: kit, version: version + 1)).path) {
            currentData = data
            version += 1
        }
        guard let currentData else { throw UpdateRefusal.notFound(ReleaseLayout.trust(kit: kit, version: 1)) }
        let current = try TrustFile.decode(currentData)
        let next = TrustFile(
            kit: kit, version: version + 1, expires: Timestamp.string(now.addingTimeInterval(TimeInterval(expiresInDays) * 86400)),
            threshold: threshold, keys: keys.map { .init($0) })
        let data = try next.encoded()
        let comment = "timestamp:\(Int(now.timeIntervalSince1970))\tfile:trust.json\tkit:\(kit) trust:\(next.version)"
        _ = try current.accept(next: data, signatureText: try TrustFile.sign(data, with: signers, comment: comment))
        try writeTrust(next, signedBy: signers, release: release, now: now)
        return next
    }

    static func writeAtomically(_ data: Data, to url: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temporary)
        } catch {
            throw FileError(path: temporary.path, reason: bilingual("écriture impossible", "cannot write") + ": \(error.localizedDescription)")
        }
        try move(temporary, to: url)
    }

    static func move(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else { throw FileHashing.posixError(destination, "renommage / rename") }
    }

    func move(_ source: URL, to destination: URL) throws { try Self.move(source, to: destination) }
}
