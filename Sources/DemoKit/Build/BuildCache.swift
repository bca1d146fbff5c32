import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The build cache, a hidden folder beside the output (`.kit.demokit-cache/` for
/// `build/kit`). It is keyed by content, never by times alone:
///
/// - `inputs.tsv`: the SHA-256 of every file the last build read, by fingerprint
///   (`FileMemo`), so unchanged files are not read again to be hashed;
/// - `outputs.tsv`: the SHA-256 of every file of the output as written;
/// - `key`: the build key of the output in place — a hash of demokit itself, the
///   options, the environment that matters, every file of `profiles/` and `payload/`
///   and every other file the build read (content store, base ISO, boot loaders) —
///   then those other files, and the warnings to show again;
/// - `pages.tsv`: each generated page's key and hash;
/// - `entries.tsv`: the catalogue entries as parsed, by their file's hash (`EntryCache`);
/// - `base.tsv`: what the output took from its base ISO (`BaseRecord`).
///
/// A build whose key equals the stored one, on an output whose files all still have
/// the fingerprints they were written with, has nothing to do. Otherwise the build
/// runs, and files whose bytes did not change are hard-linked from the previous
/// output instead of written. The key is removed before the output is replaced and
/// written after, so an interrupted build can never leave a key that lies.
struct BuildCache: Sendable {
    let folder: URL
    let output: URL
    let inputs: FileMemo
    let outputs: FileMemo
    /// As stored: the key, the other files read, the warnings.
    var stored: Stored?
    /// Generated pages of the output in place: their keys and hashes, read from
    /// `pages.tsv` at each call — only when a build runs (a build with nothing to do
    /// never needs them).
    func readPages() -> [String: TreeWriter.PageRecord] { Self.readPages(folder.appendingPathComponent("pages.tsv")) }

    struct Stored: Sendable, Equatable {
        var key: String
        var extras: [String]
        var warnings: [String]
        /// What the output's manifest says in short (older caches: none).
        var summary: KeySummary?
    }

    static let format = "demokit-build-cache 1"

    init(output: URL) {
        self.output = output.standardizedFileURL
        folder = self.output.deletingLastPathComponent().appendingPathComponent(".\(self.output.lastPathComponent).demokit-cache")
        // The output's memo (a line per file of the key) is read while the inputs'
        // memo and the key are: a no-change rebuild is little more than this and `stat`s.
        let outputsURL = folder.appendingPathComponent("outputs.tsv")
        let outputs = BackgroundValue { FileMemo.load(from: outputsURL) }
        inputs = FileMemo.load(from: folder.appendingPathComponent("inputs.tsv"))
        stored = Self.readKey(folder.appendingPathComponent("key"))
        self.outputs = outputs.value
    }

    /// `path TAB key TAB sha256 TAB size` lines, read as bytes (`TSVLines`).
    static func readPages(_ url: URL) -> [String: TreeWriter.PageRecord] {
        guard let data = try? Data(contentsOf: url) else { return [:] }
        var pages: [String: TreeWriter.PageRecord] = [:]
        TSVLines.forEach(in: data) { bytes, fields in
            guard fields.count == 4, let size = Int64(TSVLines.text(bytes, fields[3])),
                let key = HexDigest(utf8: TSVLines.raw(bytes, fields[1])), let sha256 = HexDigest(utf8: TSVLines.raw(bytes, fields[2]))
            else { return }
            pages[TSVLines.text(bytes, fields[0])] = TreeWriter.PageRecord(keyDigest: key, sha256Digest: sha256, size: size)
        }
        return pages
    }

    /// Line 1 the format, line 2 the key, then `E`, `W` and `S` lines, read as bytes
    /// (`TSVLines`): a kit with portable apps has an extra per unpacked file, and
    /// splitting that text as `String`s would weigh on a no-change rebuild.
    static func readKey(_ url: URL) -> Stored? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        var number = 0
        var valid = true
        var stored = Stored(key: "", extras: [], warnings: [])
        TSVLines.forEach(in: data) { bytes, fields in
            number += 1
            guard valid else { return }
            let whole = { TSVLines.text(bytes, fields[0].lowerBound..<fields[fields.count - 1].upperBound) }
            switch number {
            case 1: valid = whole() == format
            case 2:
                stored.key = whole()
                valid = stored.key.utf8.count == 64
            default:
                // `tag TAB value`; a warning's value may hold tabs of its own.
                guard fields.count >= 2, fields[0].count == 1, fields[1].lowerBound < fields[fields.count - 1].upperBound else { return }
                let value = { TSVLines.text(bytes, fields[1].lowerBound..<fields[fields.count - 1].upperBound) }
                switch bytes[fields[0].lowerBound] {
                case UInt8(ascii: "E"): stored.extras.append(value())
                case UInt8(ascii: "W"): stored.warnings.append(value().replacingOccurrences(of: "\\n", with: "\n"))
                case UInt8(ascii: "S"):
                    guard fields.count == 4, let files = Int(TSVLines.text(bytes, fields[1])), let bytesCount = Int64(TSVLines.text(bytes, fields[2]))
                    else { return }
                    let profiles = TSVLines.text(bytes, fields[3]).split(separator: ",").map(String.init)
                    stored.summary = KeySummary(files: files, bytes: bytesCount, profiles: profiles)
                default: return
                }
            }
        }
        guard valid, number >= 2 else { return nil }
        return stored
    }

    /// What the key in place took from its base ISO, if recorded.
    func readBase() -> BaseRecord? {
        (try? Data(contentsOf: folder.appendingPathComponent(BaseRecord.fileName))).flatMap(BaseRecord.decode)
    }

    /// After the output was replaced: what it took from its base ISO (nil: none).
    func saveBase(_ record: BaseRecord?) throws {
        let url = folder.appendingPathComponent(BaseRecord.fileName)
        guard let data = record?.encoded() else {
            unlink(url.path)
            return
        }
        try FileMemo.writeReplacing(data, to: url)
    }

    /// Before the output is replaced: from now on the stored key does not describe it.
    func invalidate() {
        unlink(folder.appendingPathComponent("key").path)
    }

    /// After the output was replaced, before `save`: the generated files' keys.
    /// Apart, so that the caller lets go of them before `save` (peak memory).
    func savePages(_ pages: [String: TreeWriter.PageRecord]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileMemo.writeReplacing(folder.appendingPathComponent("pages.tsv")) { file in
            for path in pages.keys.sorted() where TSVLines.canHold(path) {
                let page = pages[path]!
                try file.write("\(path)\t\(page.key)\t\(page.sha256)\t\(page.size)\n")
            }
        }
    }

    /// After the output was replaced: what it was built from, and its files' hashes.
    /// `alongside`: the cache's other files, written with these on every core; the
    /// key, which vouches for them all, is written once they are.
    func save(
        key: String, extras: [String], warnings: [String], summary: KeySummary, outputFiles: [FileRecord],
        observed: [FileFingerprint?] = [], alongside: [() throws -> Void] = [], extraInput: @escaping (String) -> Bool
    ) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try concurrentJobs(
            [{ try saveOutputs(outputFiles, observed: observed) }, { try inputs.save(to: folder.appendingPathComponent("inputs.tsv")) { extraInput($0) } }]
                + alongside)
        try FileMemo.writeReplacing(folder.appendingPathComponent("key")) { file in
            try file.write(Self.format + "\n" + key + "\n")
            for extra in extras { try file.write("E\t\(extra)\n") }
            for warning in warnings { try file.write("W\t" + warning.replacingOccurrences(of: "\n", with: "\\n") + "\n") }
            try file.write("S\t\(summary.files)\t\(summary.bytes)\t\(summary.profiles.joined(separator: ","))\n")
        }
    }

    /// `outputs.tsv`, the memo of the output's files, written as its lines come: a
    /// memo of every file, built only to be saved, would be the build's peak memory.
    /// `observed[i]`: `files[i]`'s fingerprint as the
    /// writer left it (`TreeWriter.observed`), nil where unknown. The others are taken
    /// on several threads, by paths relative to the output, which they need not make.
    func saveOutputs(_ files: [FileRecord], observed: [FileFingerprint?] = []) throws {
        let root = TreeWriter.folderPath(output)
        let folderFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { throw FileHashing.posixError(output, "ouverture / open") }
        defer { close(folderFD) }
        let fingerprints = parallelMap(Array(files.indices), workers: diskWorkers) { index in
            (index < observed.count ? observed[index] : nil) ?? FileFingerprint.of(files[index].path, in: folderFD)
        }
        let order = files.indices.sorted { files[$0].path < files[$1].path }
        try FileMemo.writeReplacing(folder.appendingPathComponent("outputs.tsv")) { file in
            for index in order {
                let record = files[index]
                guard let fingerprint = fingerprints[index], fingerprint.size == record.size,
                    let entry = FileMemo.Entry(fingerprint: fingerprint, sha256: record.sha256, time: .max),
                    let line = FileMemo.line(root + "/" + record.path, entry)
                else { continue }
                try file.write(line)
            }
        }
    }

    /// Whether the output in place is exactly what the stored key built: the same
    /// files, each with the fingerprint it was written with — or, for a file
    /// hard-linked from the content store (whose fingerprint changes when another
    /// build links the same object), the fingerprint the store verified it with.
    func outputIsIntact(store: FileMemo) -> Bool {
        // Unsorted: only the count and each path's entry matter. The walk gives each
        // path once, so as many paths as entries, each with an entry, are the same set.
        let files = FileWalk.regularFiles(under: output, sorted: false)
        guard files.count == outputs.count else { return false }
        let outputPath = TreeWriter.folderPath(output)
        enum Status { case same, gone, other(current: FileFingerprint, entry: FileMemo.Entry) }
        // A `stat` per file of the key: after a reboot, each waits on the disk (`diskWorkers`).
        let statuses = parallelMap(files, workers: diskWorkers) { relative -> Status in
            let path = outputPath + "/" + relative
            guard let entry = outputs.entry(path), let current = FileFingerprint.of(path) else { return .gone }
            return current == entry.fingerprint ? .same : .other(current: current, entry: entry)
        }
        var storeByInode: [String: (path: String, entry: FileMemo.Entry)]?
        for status in statuses {
            switch status {
            case .same: continue
            case .gone: return false
            case let .other(current, entry):
                if storeByInode == nil {
                    var index: [String: (path: String, entry: FileMemo.Entry)] = [:]
                    for storePath in store.paths {
                        guard let stored = store.entry(storePath) else { continue }
                        index["\(stored.fingerprint.device):\(stored.fingerprint.inode)"] = (storePath, stored)
                    }
                    storeByInode = index
                }
                guard let stored = storeByInode?["\(current.device):\(current.inode)"], stored.entry.digest == entry.digest,
                    store.trusted(stored.path, current) != nil
                else { return false }
            }
        }
        return true
    }
}

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
