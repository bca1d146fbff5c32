import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The build key: everything a build's output depends on, hashed.
struct BuildKey {
    var kitRoot: URL
    var parts: [String] = []

    /// The folders of a kit a build reads.
    static let kitFolders = ["profiles", "payload"]

    init(kitRoot: URL) {
        self.kitRoot = kitRoot.standardizedFileURL
    }

    /// Whether a file is one of the kit's (hashed as part of the kit, not an extra).
    func isKitFile(_ path: String) -> Bool {
        Self.kitFolders.contains { path.hasPrefix(kitRoot.path + "/" + $0 + "/") }
    }

    mutating func add(_ label: String, _ value: String) {
        parts.append("\(label)\t\(value)")
    }

    /// Every file of the kit's folders, hashed through the memo (read only when changed).
    /// A `stat` per file, and a read on a first build: on `diskWorkers` threads.
    mutating func addKitFiles(memo: FileMemo) throws {
        for folder in Self.kitFolders {
            let root = kitRoot.appendingPathComponent(folder)
            let files = FileWalk.regularFiles(under: root)
            // Paths joined as strings, not `URL`s: one per kit file at every build.
            let rootPath = TreeWriter.folderPath(root)
            let hashes = parallelMap(files, workers: diskWorkers) { relative in
                Result { try memo.sha256(ofPath: rootPath + "/" + relative).sha256 }
            }
            for (relative, hash) in zip(files, hashes) {
                add("kit", "\(folder)/\(relative)\t\(try hash.get())")
            }
        }
    }

    /// Files read from outside the kit; "-" for one absent (an artifact not fetched
    /// yet). Thousands of unpacked portable-app files: hashed through the memo on
    /// `diskWorkers`, added in their order.
    mutating func addExtras(_ paths: [String], hash: @escaping @Sendable (String) throws -> String) {
        addExtras(paths, values: Self.extraValues(paths, hash: hash))
    }

    mutating func addExtras(_ paths: [String], values: [String]) {
        for (path, value) in zip(paths, values) { add("extra", "\(path)\t\(value)") }
    }

    /// One `stat` for a file present, the hash's own: whether a file exists is asked
    /// only when hashing it failed.
    static func extraValues(_ paths: [String], hash: @escaping @Sendable (String) throws -> String) -> [String] {
        parallelMap(paths, workers: diskWorkers) { path in
            if let value = try? hash(path) { return value }
            return access(path, F_OK) == 0 ? "?" : "-"
        }
    }

    var value: String { FileHashing.sha256(of: Data(parts.joined(separator: "\n").utf8)) }
}
