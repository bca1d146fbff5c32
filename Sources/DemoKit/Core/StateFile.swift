import Foundation
import GRDB

/// The SQLite file (GRDB) the incremental layer keeps its records in. Everything in
/// it can be rebuilt: a file that cannot be opened, is damaged or has another schema
/// is replaced by an empty one, and the next build is only slower.
///
/// Write-ahead log with `synchronous = NORMAL`: a power cut may lose the last
/// transaction, never leave the file inconsistent.
final class StateFile: @unchecked Sendable {
    let url: URL
    private let version: Int32
    private let schema: [String]
    private let lock = NSLock()
    /// Opened at the first read of an existing file, or the first write.
    private var queue: DatabaseQueue?

    /// `schema`: the statements that create the tables; `version`: the schema's
    /// number, kept in `user_version` (a file of another number is started over).
    init(url: URL, version: Int32, schema: [String]) {
        self.url = url
        self.version = version
        self.schema = schema
    }

    private func opened(creating: Bool) -> DatabaseQueue? {
        lock.withLock {
            if let queue { return queue }
            guard creating || FileManager.default.fileExists(atPath: url.path) else { return nil }
            queue =
                Self.open(url, version: version, schema: schema)
                ?? {
                    // Another schema, or not a database: start over.
                    for suffix in ["", "-wal", "-shm"] { unlink(url.path + suffix) }
                    return Self.open(url, version: version, schema: schema)
                }()
            return queue
        }
    }

    private static func open(_ url: URL, version: Int32, schema: [String]) -> DatabaseQueue? {
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Another demokit building beside this one (a shared content store) holds it briefly.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            try queue.write { db in
                let current = try Int32.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if current == version {
                    // A damaged file says so at its first read, not later mid-build.
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                    return
                }
                guard current == 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 else {
                    throw DatabaseError(resultCode: .SQLITE_SCHEMA, message: "another schema")
                }
                for statement in schema { try db.execute(sql: statement) }
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
            return queue
        } catch {
            return nil
        }
    }

    /// Reads in one transaction; nil when the file is unusable or the read fails.
    func read<T>(_ body: (Database) throws -> T) -> T? {
        guard let queue = opened(creating: false) else { return nil }
        do {
            return try queue.read(body)
        } catch {
            if Self.isDamage(error) { remove() }
            return nil
        }
    }

    /// Writes in one transaction: all of `body`'s changes, or none.
    func write(_ body: (Database) throws -> Void) throws {
        guard let queue = opened(creating: true) else {
            throw FileError(
                path: url.path, reason: bilingual("cache de construction illisible, effacez-le", "unreadable build cache, delete it"))
        }
        do {
            try queue.write(body)
        } catch  where Self.isDamage(error) {
            // Started over: the records were only worth the time they save.
            remove()
            guard let queue = opened(creating: true) else { throw error }
            try queue.write(body)
        }
    }

    /// A file damaged where the first read did not look (a disk full when it was written).
    private static func isDamage(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode)
    }

    /// Deletes the file: what it held is forgotten.
    func remove() {
        lock.withLock {
            try? queue?.close()
            queue = nil
            for suffix in ["", "-wal", "-shm"] { unlink(url.path + suffix) }
        }
    }
}
