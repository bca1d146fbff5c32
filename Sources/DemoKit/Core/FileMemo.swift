import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// Remembers the SHA-256 of files by fingerprint, so a file is read again only when
/// it changed: the build cache and the content store use it to skip rehashing
/// gigabytes. Entries are keyed by absolute path; thread-safe.
///
/// Kept in a table of a `StateFile`, a row per file.
final class FileMemo: @unchecked Sendable {
    struct Entry: Sendable, Equatable {
        var fingerprint: FileFingerprint
        /// Held as a digest: the output's memo holds an entry per file of the key
        /// through a rebuild (`HexDigest`).
        var digest: HexDigest
        /// When the hash was taken (ns since 1970): a file changed in the same clock
        /// tick as this can keep its fingerprint, see `sha256(of:)`.
        var time: Int64

        var sha256: String { digest.hex }

        /// Nil unless `sha256` is a SHA-256 in lowercase hex: then nothing is remembered,
        /// and the file is hashed again when next asked for.
        init?(fingerprint: FileFingerprint, sha256: String, time: Int64) {
            guard let digest = HexDigest(sha256) else { return nil }
            self.init(fingerprint: fingerprint, digest: digest, time: time)
        }

        init(fingerprint: FileFingerprint, digest: HexDigest, time: Int64) {
            self.fingerprint = fingerprint
            self.digest = digest
            self.time = time
        }
    }

    private var entries: [String: Entry]
    /// Paths whose entry changed since the memo was loaded from its table: a save
    /// writes back only these rows.
    private var changed: Set<String> = []
    /// The table it was loaded from, whose other rows still hold.
    private var loadedFrom: String?
    private let lock = NSLock()
    /// Margin for files edited just before they were hashed (racy files, as git calls
    /// them): kernels stamp times with a coarse clock.
    static let racyMargin: Int64 = 2_000_000_000

    init(entries: [String: Entry] = [:]) {
        self.entries = entries
    }

    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    func entry(_ path: String) -> Entry? {
        lock.withLock { entries[path] }
    }

    func record(_ path: String, _ entry: Entry?) {
        lock.withLock {
            entries[path] = entry
            changed.insert(path)
        }
    }

    var paths: [String] { lock.withLock { Array(entries.keys) } }

    /// How many files it remembers.
    var count: Int { lock.withLock { entries.count } }

    /// The remembered hash of `path` if its fingerprint is unchanged and it was not
    /// changed within `racyMargin` before it was hashed; nil otherwise.
    func trusted(_ path: String, _ current: FileFingerprint) -> Entry? {
        guard let entry = entry(path) else { return nil }
        if ignoresChangeTime, entry.time == .max, entry.fingerprint.sameContent(as: current) { return entry }
        guard entry.fingerprint == current, current.ctime + Self.racyMargin < entry.time else { return nil }
        return entry
    }

    /// The content store's memo: its objects are written once, by rename, and never
    /// in place, but hard links to them (from keys, from other stores) change their
    /// change time each time a key is built or removed. There, a file demokit itself
    /// verified is trusted while its device, inode, size and modification time hold.
    var ignoresChangeTime = false

    /// The file's size and SHA-256, from memory when the file has not changed, else
    /// read (and remembered).
    func sha256(of url: URL) throws -> (size: Int64, sha256: String) {
        try sha256(ofPath: url.path)
    }

    func sha256(ofPath path: String) throws -> (size: Int64, sha256: String) {
        let time = Self.now()
        guard let before = FileFingerprint.of(path) else {
            throw FileError(path: path, reason: bilingual("fichier introuvable ou illisible", "file missing or unreadable"))
        }
        if let known = trusted(path, before) { return (known.fingerprint.size, known.sha256) }
        let hashed = try FileHashing.sha256(fileAt: URL(fileURLWithPath: path))
        // Remembered only if it did not change while it was read.
        if FileFingerprint.of(path) == before, hashed.size == before.size,
            let entry = Entry(fingerprint: before, sha256: hashed.sha256, time: time)
        {
            record(path, entry)
        }
        return hashed
    }

    /// Remembers a file this process just wrote with known content. `time` 0 marks it
    /// as trusted at once: demokit's own outputs are not edited while it writes them.
    func remember(_ url: URL, sha256: String, size: Int64) {
        remember(path: url.path, sha256: sha256, size: size)
    }

    func remember(path: String, sha256: String, size: Int64) {
        guard let fingerprint = FileFingerprint.of(path), fingerprint.size == size,
            let entry = Entry(fingerprint: fingerprint, sha256: sha256, time: .max)
        else { return }
        record(path, entry)
    }

    /// Takes the fingerprint again after a metadata change (a hard link, a time stamp)
    /// of a file whose content is known not to have changed.
    func refresh(_ path: String) {
        lock.withLock {
            guard var entry = entries[path], let fingerprint = FileFingerprint.of(path), fingerprint.size == entry.fingerprint.size else {
                entries[path] = nil
                changed.insert(path)
                return
            }
            entry.fingerprint = fingerprint
            entry.time = .max
            entries[path] = entry
            changed.insert(path)
        }
    }

    // MARK: Storage

    /// A table of remembered files, `name`, for `StateFile`'s schema.
    static func schema(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            path TEXT PRIMARY KEY, device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,
            mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, sha256 TEXT NOT NULL, time INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    }

    /// The files remembered in `table`; a row that is not a SHA-256 is left out.
    static func load(_ db: Database, table: String) throws -> FileMemo {
        var entries: [String: Entry] = [:]
        try db.eachRow("SELECT path, device, inode, size, mtime, ctime, sha256, time FROM \(table)") { row in
            guard let digest = SQLiteColumn.digest(row, 6) else { return }
            let number = { SQLiteColumn.int64(row, $0) }
            let fingerprint = FileFingerprint(
                device: UInt64(bitPattern: number(1)), inode: UInt64(bitPattern: number(2)), size: number(3), mtime: number(4), ctime: number(5))
            entries[SQLiteColumn.text(row, 0)] = Entry(fingerprint: fingerprint, digest: digest, time: number(7))
        }
        let memo = FileMemo(entries: entries)
        memo.loadedFrom = table
        return memo
    }

    /// Makes `table`'s rows the files remembered that `keep` accepts. Loaded from that
    /// very table, only the rows of changed or dropped files are written.
    func save(_ db: Database, table: String, keeping keep: (String) -> Bool = { _ in true }) throws {
        let (snapshot, changed, incremental): ([String: Entry], Set<String>, Bool) = lock.withLock {
            (entries, self.changed, loadedFrom == table)
        }
        if !incremental { try db.execute(sql: "DELETE FROM \(table)") }
        for (path, entry) in snapshot where keep(path) && (!incremental || changed.contains(path)) {
            try Self.insert(db, table: table, path: path, entry)
        }
        guard incremental else { return }
        // Rows of files forgotten since the load, or no longer worth keeping.
        for path in Array(changed.filter { snapshot[$0] == nil }) + snapshot.keys.filter({ !keep($0) }) {
            try db.run("DELETE FROM \(table) WHERE path = ?", path)
        }
    }

    /// Writes the row of `path`, replacing the one there.
    static func insert(_ db: Database, table: String, path: String, _ entry: Entry) throws {
        let f = entry.fingerprint
        try db.run(
            "INSERT OR REPLACE INTO \(table) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", path, Int64(bitPattern: f.device), Int64(bitPattern: f.inode), f.size,
            f.mtime, f.ctime, entry.sha256, entry.time)
    }
}
