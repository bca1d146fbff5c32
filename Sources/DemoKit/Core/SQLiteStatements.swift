import Foundation
import GRDB
import GRDBSQLite

// Statements run and rows read straight through SQLite's C calls, for the few
// places that insert or read a row per file of a key (the catalogue writer, the
// incremental layer).

extension Database {
    /// Runs a statement compiled once per connection, its values bound straight to
    /// SQLite. The writer inserts many rows with a handful of statements; through
    /// GRDB's `StatementArguments`, which box every value, binding takes as long as
    /// SQLite's own work. A value pack: no array, no boxing.
    func run<each Value: SQLiteBindable>(_ sql: String, _ values: repeat each Value) throws {
        let statement = try cachedStatement(sql: sql).sqliteStatement
        var index: CInt = 0
        var code = SQLITE_OK
        for value in repeat each values {
            index += 1
            if code == SQLITE_OK { code = value.bind(to: statement, at: index) }
        }
        if code == SQLITE_OK { code = sqlite3_step(statement) }
        let done = code == SQLITE_DONE
        sqlite3_reset(statement)
        guard done else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: sql)
        }
    }
}

/// SQLite's SQLITE_TRANSIENT, which the C header spells as a cast Swift does not import:
/// the bound bytes are copied before the call returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A value bound to a statement's parameter as GRDB binds it: text, integer
/// (booleans as 0 and 1) or NULL.
protocol SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt
}

extension String: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt {
        var text = self
        let copy = sqliteTransient
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, copy) }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(statement, index, $0, CInt(bytes.count), copy)
            }
        }
    }
}

extension Int: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension Int64: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt { sqlite3_bind_int64(statement, index, self) }
}

extension Bool: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt {
        self?.bind(to: statement, at: index) ?? sqlite3_bind_null(statement, index)
    }
}

extension Database {
    /// Steps through the rows of a query compiled once per connection, handing each
    /// to `row` as SQLite's statement: read with `sqlite3_column_*`, no boxed values.
    func eachRow(_ sql: String, _ row: (OpaquePointer) throws -> Void) throws {
        let statement = try cachedStatement(sql: sql).sqliteStatement
        defer { sqlite3_reset(statement) }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: sql)
            }
            try row(statement)
        }
    }
}

/// Column readers for `eachRow`.
enum SQLiteColumn {
    static func text(_ statement: OpaquePointer, _ index: CInt) -> String {
        guard let bytes = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    static func int64(_ statement: OpaquePointer, _ index: CInt) -> Int64 { sqlite3_column_int64(statement, index) }

    /// A SHA-256 stored as its 64 lowercase hex characters; nil for anything else.
    static func digest(_ statement: OpaquePointer, _ index: CInt) -> HexDigest? {
        guard let bytes = sqlite3_column_text(statement, index) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, index))
        return HexDigest(utf8: UnsafeRawBufferPointer(start: bytes, count: count))
    }

    static func blob(_ statement: OpaquePointer, _ index: CInt) -> Data {
        let count = Int(sqlite3_column_bytes(statement, index))
        guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return Data() }
        return Data(bytes: bytes, count: count)
    }
}

extension Data: SQLiteBindable {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt {
        withUnsafeBytes { bytes in
            sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), CInt(bytes.count), sqliteTransient)
        }
    }
}
