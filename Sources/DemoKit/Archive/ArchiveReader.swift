import CArchive
import Foundation

/// Owns a libarchive reader over one file: zip, tar (any compression), ISO 9660, 7z, cpio…
/// whatever the system's libarchive reads. Entries come one at a time; the data of the
/// current entry is streamed to a file or read into memory, or skipped.
/// Every return code other than OK becomes an `ArchiveError` carrying `archive_error_string`.
final class ArchiveReader {
    enum EntryType: Sendable, Equatable {
        case file, directory, symlink, other
    }

    struct Entry: Sendable, Equatable {
        /// Path inside the archive as stored (UTF-8), without a leading `./`.
        var path: String
        var type: EntryType
        /// Size of the data; 0 for directories, -1 when the format does not say.
        var size: Int64
        var permissions: Int
        /// Target of a symbolic link.
        var linkTarget: String?

        /// A relative path that stays inside the archive's root (no `/…`, no `..`):
        /// the only kind demokit writes to disk, so a crafted archive cannot climb out.
        var isSafeRelativePath: Bool {
            guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\") else { return false }
            return !path.split(separator: "/").contains("..")
        }
    }

    private var handle: OpaquePointer?
    private let path: String
    private var dataPending = false

    /// Opens an archive; the format and compression are detected from the content.
    init(path: String) throws {
        self.path = path
        _ = ArchiveLocale.utf8
        guard let handle = archive_read_new() else {
            throw ArchiveError(path: path, operation: "archive_read_new", detail: "out of memory")
        }
        self.handle = handle
        try check(archive_read_support_format_all(handle), "support_format_all")
        try check(archive_read_support_filter_all(handle), "support_filter_all")
        try check(archive_read_open_filename(handle, path, 1 << 16), "open_filename")
    }

    deinit {
        if let handle { archive_read_free(handle) }
    }

    private func check(_ code: Int32, _ operation: String) throws {
        guard code != ARCHIVE_OK, code != ARCHIVE_WARN else { return }
        let detail = handle.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "code \(code)"
        throw ArchiveError(path: path, operation: operation, detail: detail)
    }

    /// The next entry's header, or nil at the end. The previous entry's unread data is skipped.
    func next() throws -> Entry? {
        guard let handle else { return nil }
        var entry: OpaquePointer?
        let code = archive_read_next_header(handle, &entry)
        if code == ARCHIVE_EOF { return nil }
        try check(code, "read_next_header")
        guard let entry else { return nil }
        dataPending = true
        var name = archive_entry_pathname_utf8(entry).map { String(cString: $0) } ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        while name.hasPrefix("./") { name.removeFirst(2) }
        let filetype = archive_entry_filetype(entry)
        let link = archive_entry_symlink(entry).map { String(cString: $0) }
        let type: EntryType
        if link != nil {
            type = .symlink
        } else if filetype == DEMOKIT_AE_IFREG {
            type = .file
        } else if filetype == DEMOKIT_AE_IFDIR {
            type = .directory
        } else {
            type = .other
        }
        if type == .directory, name.hasSuffix("/") { name.removeLast() }
        let size = archive_entry_size_is_set(entry) != 0 ? Int64(archive_entry_size(entry)) : -1
        return Entry(path: name, type: type, size: size, permissions: Int(archive_entry_perm(entry)), linkTarget: link)
    }

    /// Streams the current entry's data into `destination` (created or truncated).
    /// Stops with an error past `limit` bytes. Returns the number of bytes written.
    @discardableResult
    func writeData(to destination: URL, limit: Int64 = .max) throws -> Int64 {
        let output = open(destination.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard output >= 0 else { throw FileHashing.posixError(destination, "création / create") }
        do {
            let total = try readData(limit: limit) { chunk in
                var offset = 0
                while offset < chunk.count {
                    let written = write(output, chunk.baseAddress! + offset, chunk.count - offset)
                    if written < 0 { throw FileHashing.posixError(destination, "écriture / write") }
                    offset += written
                }
            }
            guard closeDescriptor(output) == 0 else { throw FileHashing.posixError(destination, "écriture / write") }
            return total
        } catch {
            _ = closeDescriptor(output)
            throw error
        }
    }

    /// Reads the current entry's data into memory, refusing more than `limit` bytes.
    func data(limit: Int64 = 64 << 20) throws -> Data {
        var data = Data()
        try readData(limit: limit) { data.append(contentsOf: $0) }
        return data
    }

    /// Skips the current entry's data.
    func skipData() throws {
        guard let handle, dataPending else { return }
        dataPending = false
        try check(archive_read_data_skip(handle), "read_data_skip")
    }

    @discardableResult
    private func readData(limit: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        guard let handle, dataPending else { return 0 }
        dataPending = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(handle, $0.baseAddress, $0.count) }
            if count < 0 { try check(Int32(count), "read_data") }
            if count <= 0 { break }
            total += Int64(count)
            if total > limit {
                throw ArchiveError(
                    path: path, operation: "read_data",
                    detail: bilingual("élément plus grand que \(formatBytes(limit))", "entry larger than \(limit) bytes"))
            }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return total
    }

    /// Closes the archive; later calls read nothing.
    func close() throws {
        guard let handle else { return }
        self.handle = nil
        defer { archive_read_free(handle) }
        let code = archive_read_close(handle)
        guard code == ARCHIVE_OK || code == ARCHIVE_WARN else {
            let detail = archive_error_string(handle).map { String(cString: $0) } ?? "code \(code)"
            throw ArchiveError(path: path, operation: "close", detail: detail)
        }
    }
}

extension ArchiveReader {
    /// Every entry's header, data skipped.
    static func list(_ url: URL) throws -> [Entry] {
        let reader = try ArchiveReader(path: url.path)
        var entries: [Entry] = []
        while let entry = try reader.next() {
            entries.append(entry)
            try reader.skipData()
        }
        try reader.close()
        return entries
    }

    /// Extracts regular files and folders below `destination`; refuses links, devices
    /// and paths that would land outside it. Returns the files written, sorted.
    @discardableResult
    static func extract(_ url: URL, to destination: URL, sizeLimit: Int64 = .max) throws -> [String] {
        let fm = FileManager.default
        let reader = try ArchiveReader(path: url.path)
        var files: [String] = []
        while let entry = try reader.next() {
            guard entry.isSafeRelativePath else {
                throw ArchiveError(
                    path: url.path, operation: "extract",
                    detail: bilingual("chemin dangereux « \(entry.path) »", "unsafe path \"\(entry.path)\""))
            }
            let target = destination.appendingPathComponent(entry.path)
            switch entry.type {
            case .directory:
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
            case .file:
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try reader.writeData(to: target, limit: sizeLimit)
                files.append(entry.path)
            case .symlink, .other:
                throw ArchiveError(
                    path: url.path, operation: "extract",
                    detail: bilingual(
                        "« \(entry.path) » n'est ni un fichier ni un dossier (lien ?) : FAT32 ne peut pas le contenir",
                        "\"\(entry.path)\" is neither a file nor a folder (a link?): FAT32 cannot hold it"))
            }
        }
        try reader.close()
        return files.sorted()
    }
}

/// `close(2)`, named apart from `ArchiveReader.close()`.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

/// libarchive converts names through the C library's current locale; in the default "C"
/// locale a name such as `été.txt` has no multibyte form, and some of its code paths
/// then handle a NULL name. A UTF-8 character type, set once for the process before
/// the first archive is opened, keeps accented names as they are.
enum ArchiveLocale {
    static let utf8: Bool = {
        if let current = setlocale(LC_CTYPE, nil), String(cString: current).uppercased().contains("UTF-8") { return true }
        return setlocale(LC_CTYPE, "C.UTF-8") != nil
    }()
}
