import Foundation

/// The content-addressed cache of downloaded artifacts (`--cache DIR`): every file is
/// kept under its SHA-256, so a kit's pins name exactly one file, two applications
/// pinning the same file share it, and builds work offline once `demokit fetch` ran.
///
/// Layout: `sha256/<2 first digits>/<64 digits>` (complete, verified files),
/// `partial/<64 digits>.part` (interrupted downloads, resumed by the next fetch),
/// `unpacked/<64 digits>/` (portable apps unpacked from a `.zip` or `.paf.exe`).
public struct ContentStore: Sendable {
    let root: URL
    /// Objects already verified, by fingerprint (`verified.sqlite`): a build checks
    /// each object's hash, but reads it again only when the file changed since.
    let memo: FileMemo
    private let memoFile: StateFile

    public init(root: URL) {
        self.root = root.standardizedFileURL
        memoFile = StateFile(url: self.root.appendingPathComponent("verified.sqlite"), version: 1, schema: [FileMemo.schema("verified")])
        memo = memoFile.read { try FileMemo.load($0, table: "verified") } ?? FileMemo()
        memo.ignoresChangeTime = true
    }

    /// Keeps what was verified for the next run (objects still in the store only).
    func saveMemo() {
        let prefix = root.path + "/"
        try? memoFile.write { db in
            try memo.save(db, table: "verified") { $0.hasPrefix(prefix) && FileManager.default.fileExists(atPath: $0) }
        }
    }

    /// `$XDG_CACHE_HOME/demokit`, else `~/.cache/demokit`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("demokit")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/demokit")
    }

    func objectURL(sha256: String) -> URL {
        let hex = sha256.lowercased()
        return root.appendingPathComponent("sha256/\(hex.prefix(2))/\(hex)")
    }

    func partialURL(sha256: String) -> URL {
        root.appendingPathComponent("partial/\(sha256.lowercased()).part")
    }

    func unpackedURL(sha256: String) -> URL {
        root.appendingPathComponent("unpacked/\(sha256.lowercased())")
    }

    enum Status: Sendable, Equatable {
        case present
        case missing
        /// A file is there but its size or hash is not the pinned one.
        case mismatched(size: Int64, sha256: String?)
    }

    /// Whether the store holds the pinned file. With `verify`, the file is hashed again
    /// (a disk or a hand edit can corrupt it); otherwise only its size is checked.
    func status(of pin: ArtifactPin, verify: Bool = true) throws -> Status {
        let url = objectURL(sha256: pin.sha256)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let size = (attributes[.size] as? NSNumber)?.int64Value
        else { return .missing }
        guard size == pin.size else { return .mismatched(size: size, sha256: nil) }
        guard verify else { return .present }
        let hashed = try memo.sha256(of: url)
        return hashed.sha256 == pin.sha256.lowercased() ? .present : .mismatched(size: hashed.size, sha256: hashed.sha256)
    }

    /// Copies a local file into the store, hashing it on the way, and returns its
    /// place. A file already stored is not copied again.
    @discardableResult
    func add(fileAt source: URL) throws -> (url: URL, size: Int64, sha256: String) {
        let fm = FileManager.default
        let incoming = root.appendingPathComponent("partial/incoming-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try createFolder(incoming.deletingLastPathComponent())
        defer { try? fm.removeItem(at: incoming) }
        let record = try FileHashing.copyAndHash(from: source, to: incoming)
        let destination = try adopt(incoming, sha256: record.sha256)
        return (destination, record.size, record.sha256)
    }

    /// Moves a complete, verified file into its place (replacing a corrupt copy).
    @discardableResult
    func adopt(_ file: URL, sha256: String) throws -> URL {
        let fm = FileManager.default
        let destination = objectURL(sha256: sha256)
        try createFolder(destination.deletingLastPathComponent())
        if fm.fileExists(atPath: destination.path) {
            try? fm.removeItem(at: destination)
        }
        do {
            try fm.moveItem(at: file, to: destination)
            try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: destination.path)
            // Verified by the caller: remembered so builds do not read it again.
            if let size = (try? fm.attributesOfItem(atPath: destination.path)[.size] as? NSNumber)?.int64Value {
                memo.remember(destination, sha256: sha256.lowercased(), size: size)
                saveMemo()
            }
        } catch {
            throw FileError(
                path: destination.path,
                reason: bilingual("impossible de ranger le fichier dans le cache", "cannot store the file in the cache") + ": \(error.localizedDescription)")
        }
        return destination
    }

    /// Removes a stored file whose content is wrong, so the next fetch replaces it.
    func remove(sha256: String) {
        try? FileManager.default.removeItem(at: objectURL(sha256: sha256))
        try? FileManager.default.removeItem(at: unpackedURL(sha256: sha256))
        memo.record(objectURL(sha256: sha256).path, nil)
    }

    func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw FileError(
                path: url.path,
                reason: bilingual("impossible de créer le dossier du cache", "cannot create the cache folder") + ": \(error.localizedDescription)",
                hint: bilingual("choisissez un autre dossier avec --cache", "choose another folder with --cache"))
        }
    }
}

/// Artifacts a build needs that the store does not hold (or holds with the wrong
/// content), with the command that fetches them.
public struct MissingArtifactsError: UserFacingError {
    public struct Item: Sendable, Equatable {
        public var app: String
        public var platform: String
        public var pin: ArtifactPin
        var reason: String
    }

    var items: [Item]
    var fetchCommand: String

    public var message: String {
        let lines = items.map { "  \($0.app) (\($0.platform)): \($0.pin.url) — \(formatBytes($0.pin.size)), \($0.reason)" }
        return bilingual(
            "\(items.count) fichier(s) d'application absent(s) du cache",
            "\(items.count) application file(s) missing from the cache") + ":\n" + lines.joined(separator: "\n") + "\n  "
            + bilingual(
                "téléchargez-les (en ligne) avec : \(fetchCommand) — ou construisez sans eux avec --skip-missing",
                "download them (online) with: \(fetchCommand) — or build without them with --skip-missing")
    }
}
