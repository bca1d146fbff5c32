import Foundation
import GRDB

/// The catalogue entries of the last build as parsed, by the SHA-256 of their file:
/// a rebuild after one entry changed parses that entry's YAML again, not the
/// others. Kept in the build state's `entries` table.
///
/// Never stale: a record is used only for a file whose bytes hash to the record's
/// hash (the hash comes from the build state's memo, by fingerprint, as for the
/// build key), made by this very demokit and shown with the same path prefix (both
/// in the `meta` row `entries`; the prefix is in every position an entry carries).
/// A file with an error is not recorded: it is parsed again, and reported, at every
/// build.
final class EntryCache: ParsedEntries, @unchecked Sendable {
    struct Record: Codable, Sendable {
        var entry: CatalogueEntry
        /// Its warnings, shown again.
        var diagnostics: [Diagnostic]
    }

    let file: StateFile
    let memo: FileMemo
    let identity: String
    /// The stored records, by kit-relative path: the hash of the file they were parsed
    /// from, and their JSON, decoded only when that file is asked for.
    private var stored: [String: (sha256: String, json: Data)] = [:]
    /// Paths this build used, and the records it parsed.
    private var used: Set<String> = []
    private var parsed: [String: (sha256: String, record: Record)] = [:]
    private var identityChanged = true
    private let lock = NSLock()

    /// `memo`: hashes of the kit's files by fingerprint. `displayPrefix`: how the
    /// loader shows paths (`KitLoader.displayPrefix`).
    init(file: StateFile, memo: FileMemo, displayPrefix: String) {
        self.file = file
        self.memo = memo
        identity = ExecutableIdentity.currentLine + "\t" + displayPrefix
        let identity = self.identity
        let read = file.read { db -> [String: (sha256: String, json: Data)]? in
            guard try String.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'entries'") == identity else { return nil }
            var records: [String: (sha256: String, json: Data)] = [:]
            try db.eachRow("SELECT path, sha256, record FROM entries") { row in
                records[SQLiteColumn.text(row, 0)] = (SQLiteColumn.text(row, 1), SQLiteColumn.blob(row, 2))
            }
            return records
        }
        if let read = read.flatMap({ $0 }) {
            stored = read
            identityChanged = false
        }
    }

    /// The entry of `file` (kit-relative) at `fileURL` as last parsed, if its bytes
    /// are the same.
    func lookup(_ path: String, at fileURL: URL) -> (entry: CatalogueEntry, diagnostics: [Diagnostic])? {
        guard let (sha256, json) = stored[path], let hashed = try? memo.sha256(of: fileURL), hashed.sha256 == sha256,
            let record = try? JSONDecoder().decode(Record.self, from: json)
        else { return nil }
        _ = lock.withLock { used.insert(path) }
        return (record.entry, record.diagnostics)
    }

    /// An entry just parsed from bytes of hash `sha256`, with no error.
    func record(_ path: String, sha256: String, entry: CatalogueEntry, diagnostics: [Diagnostic]) {
        lock.withLock {
            used.insert(path)
            parsed[path] = (sha256, Record(entry: entry, diagnostics: diagnostics))
        }
    }

    /// Entries parsed by this build (the others came from the cache).
    var parsedCount: Int { lock.withLock { parsed.count } }

    /// Writes the records this build parsed and forgets those of files it no longer
    /// has; then lets go of them.
    func save() throws {
        let (used, parsed, stored, identityChanged) = lock.withLock {
            defer {
                self.parsed = [:]
                self.used = []
                self.stored = [:]
            }
            return (self.used, self.parsed, self.stored, self.identityChanged)
        }
        let gone = stored.keys.filter { !used.contains($0) }
        guard identityChanged || !parsed.isEmpty || !gone.isEmpty else { return }
        let encoder = JSONEncoder()
        try file.write { db in
            if identityChanged {
                try db.execute(sql: "DELETE FROM entries")
                try db.run("INSERT OR REPLACE INTO meta VALUES ('entries', ?)", identity)
            }
            for path in gone { try db.run("DELETE FROM entries WHERE path = ?", path) }
            // One at a time: no JSON of the whole catalogue is held beside the kit.
            for (path, line) in parsed {
                try db.run("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", path, line.sha256, try encoder.encode(line.record))
            }
        }
    }
}
