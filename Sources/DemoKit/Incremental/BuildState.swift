import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What the last build of an output read and wrote, in one SQLite file beside it
/// (`.kit.demokit-cache/state.sqlite` for `build/kit`). The stages ask it two
/// things: has this input changed (the `inputs` memo hashes a file again only when
/// its fingerprint moved), and what did it produce last time (the output's files,
/// pages, parsed entries, base system). It is keyed by content, never by times alone.
///
/// Tables:
/// - `build`: the build key of the output in place (`BuildKey`), the summary of its
///   manifest, the warnings to show again; `extras`: the files outside the kit the
///   key hashed;
/// - `inputs`, `outputs`: the SHA-256 of every file the last build read, and of
///   every file of the output as written, by fingerprint (`FileMemo`);
/// - `pages`: each generated page's key and hash;
/// - `entries`: the catalogue entries as parsed, by their file's hash (`EntryCache`);
/// - `base`: what the output took from its base ISO (`BaseRecord`).
///
/// A build whose key equals the stored one, on an output whose files all still have
/// the fingerprints they were written with, has nothing to do. The `build` row is
/// deleted before the output is replaced and written, with every table that
/// describes the output, in one transaction after: no interruption can leave a key
/// that vouches for another output.
struct BuildState: Sendable {
    let folder: URL
    let output: URL
    let file: StateFile
    let inputs: FileMemo
    let outputs: FileMemo
    /// As stored: the key, the other files read, the warnings.
    var stored: Stored?

    struct Stored: Sendable, Equatable {
        var key: String
        var extras: [String]
        var warnings: [String]
        var summary: KeySummary
    }

    static let schema = [
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        """
        CREATE TABLE build (
            id INTEGER PRIMARY KEY CHECK (id = 1), key TEXT NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
            profiles TEXT NOT NULL, warnings BLOB NOT NULL)
        """,
        "CREATE TABLE extras (position INTEGER PRIMARY KEY, path TEXT NOT NULL)",
        FileMemo.schema("inputs"),
        FileMemo.schema("outputs"),
        "CREATE TABLE pages (path TEXT PRIMARY KEY, key TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE entries (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, record BLOB NOT NULL) WITHOUT ROWID",
        "CREATE TABLE base (id INTEGER PRIMARY KEY CHECK (id = 1), record BLOB NOT NULL)",
    ]

    /// A connection to the state file at `url`.
    static func file(at url: URL) -> StateFile {
        StateFile(url: url, version: 1, schema: schema)
    }

    init(output: URL) {
        self.output = output.standardizedFileURL
        folder = self.output.deletingLastPathComponent().appendingPathComponent(".\(self.output.lastPathComponent).demokit-cache")
        file = Self.file(at: folder.appendingPathComponent("state.sqlite"))
        // The output's memo (a row per file of the key) is read on a connection of its
        // own while the inputs and the key are: a no-change rebuild is little more than
        // these reads and a `stat` per file of the key.
        let file = file, outputsFile = Self.file(at: file.url)
        let (outputs, read) =
            (try? alongside(
                { outputsFile.read { try FileMemo.load($0, table: "outputs") } },
                { file.read { db in (try FileMemo.load(db, table: "inputs"), try Self.readStored(db)) } })) ?? (nil, nil)
        inputs = read?.0 ?? FileMemo()
        self.outputs = outputs ?? FileMemo()
        stored = read?.1
    }

    private static func readStored(_ db: Database) throws -> Stored? {
        guard let row = try Row.fetchOne(db, sql: "SELECT key, files, bytes, profiles, warnings FROM build") else { return nil }
        let profiles: String = row["profiles"]
        let summary = KeySummary(files: row["files"], bytes: row["bytes"], profiles: profiles.split(separator: ",").map(String.init))
        let warnings = try JSONDecoder().decode([String].self, from: row["warnings"] as Data)
        return Stored(key: row["key"], extras: try String.fetchAll(db, sql: "SELECT path FROM extras ORDER BY position"), warnings: warnings, summary: summary)
    }

    /// Generated pages of the output in place: their keys and hashes. Read only when
    /// a build runs (a build with nothing to do never needs them).
    func readPages() -> [String: TreeWriter.PageRecord] {
        file.read { db in
            var pages: [String: TreeWriter.PageRecord] = [:]
            try db.eachRow("SELECT path, key, sha256, size FROM pages") { row in
                guard let key = SQLiteColumn.digest(row, 1), let sha256 = SQLiteColumn.digest(row, 2) else { return }
                pages[SQLiteColumn.text(row, 0)] = TreeWriter.PageRecord(keyDigest: key, sha256Digest: sha256, size: SQLiteColumn.int64(row, 3))
            }
            return pages
        } ?? [:]
    }

    /// What the key in place took from its base ISO, if recorded by this demokit.
    func readBase() -> BaseRecord? {
        let data = file.read { try Data.fetchOne($0, sql: "SELECT record FROM base") } ?? nil
        return data.flatMap { try? JSONDecoder().decode(BaseRecord.self, from: $0) }.flatMap { $0.demokit == ExecutableIdentity.currentLine ? $0 : nil }
    }

    /// The catalogue entries as last parsed, shown with `displayPrefix`.
    func entries(displayPrefix: String) -> EntryCache {
        EntryCache(file: file, memo: inputs, displayPrefix: displayPrefix)
    }

    /// Before the output is replaced: from now on the stored key does not describe it.
    /// A state that cannot be written to is removed whole.
    func invalidate() {
        guard (try? file.write({ try $0.execute(sql: "DELETE FROM build") })) == nil else { return }
        file.remove()
    }

    /// What a build leaves for the next one, once its output is in place.
    struct Record {
        var key: String
        var extras: [String]
        var warnings: [String]
        var summary: KeySummary
        /// Every file of the output, the writer's records first, in its order.
        var outputFiles: [FileRecord]
        /// `outputFiles[i]`'s fingerprint as the writer left it, nil where unknown.
        var observed: [FileFingerprint?]
        /// The pages whose record is not the one `readPages` gave, and those it gave that
        /// the output no longer has: only these rows are written.
        var changedPages: [String: TreeWriter.PageRecord]
        var gonePages: [String] = []
        var base: BaseRecord?
    }

    /// After the output was replaced and the previous one removed (`removed` says it
    /// is gone: unlinking its names changed the change time of the files it shared
    /// with the new output, which the fingerprints saved here must already see).
    /// `extraInput`: whether an input outside the kit is still one worth remembering.
    func save(_ record: Record, removed: OutputSwap.PreviousRemoved, extraInput: (String) -> Bool) throws {
        let fingerprints = try outputFingerprints(record.outputFiles, observed: record.observed)
        let root = TreeWriter.folderPath(output)
        let warnings = try JSONEncoder().encode(record.warnings)
        try file.write { db in
            try inputs.save(db, table: "inputs") { extraInput($0) }
            try db.execute(sql: "DELETE FROM outputs")
            for (file, fingerprint) in zip(record.outputFiles, fingerprints) {
                guard let fingerprint, fingerprint.size == file.size,
                    let entry = FileMemo.Entry(fingerprint: fingerprint, sha256: file.sha256, time: .max)
                else { continue }
                try FileMemo.insert(db, table: "outputs", path: root + "/" + file.path, entry)
            }
            for path in record.gonePages { try db.run("DELETE FROM pages WHERE path = ?", path) }
            for (path, page) in record.changedPages {
                try db.run("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)", path, page.key, page.sha256, page.size)
            }
            try db.execute(sql: "DELETE FROM base")
            if let base = record.base { try db.run("INSERT INTO base VALUES (1, ?)", try JSONEncoder().encode(base)) }
            try db.execute(sql: "DELETE FROM extras")
            for (position, path) in record.extras.enumerated() { try db.run("INSERT INTO extras VALUES (?, ?)", position, path) }
            let summary = record.summary
            try db.run(
                "INSERT OR REPLACE INTO build VALUES (1, ?, ?, ?, ?, ?)", record.key, summary.files, summary.bytes,
                summary.profiles.joined(separator: ","), warnings)
        }
    }

    /// The output's files' fingerprints: as the writer saw them, else taken again on
    /// several threads by paths relative to the output.
    private func outputFingerprints(_ files: [FileRecord], observed: [FileFingerprint?]) throws -> [FileFingerprint?] {
        let folderFD = open(TreeWriter.folderPath(output), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { throw FileHashing.posixError(output, "ouverture / open") }
        defer { close(folderFD) }
        return parallelMap(Array(files.indices), workers: diskWorkers) { index in
            (index < observed.count ? observed[index] : nil) ?? FileFingerprint.of(files[index].path, in: folderFD)
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
