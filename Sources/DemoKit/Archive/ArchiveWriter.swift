import CArchive
import Foundation

/// An error from libarchive, keeping its own message.
struct ArchiveError: UserFacingError {
    var path: String
    var operation: String
    var detail: String
    var message: String {
        "\(path): \(bilingual("erreur d'archive", "archive error")) (\(operation)): \(detail)"
    }
}

/// Archive formats chosen by the output file's extension.
public enum ArchiveFormat: String, Sendable, CaseIterable {
    case tar, tarGzip = "tar.gz", tarZstd = "tar.zst", zip

    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") {
            self = .tarGzip
        } else if lower.hasSuffix(".tar.zst") || lower.hasSuffix(".tzst") {
            self = .tarZstd
        } else if lower.hasSuffix(".tar") {
            self = .tar
        } else if lower.hasSuffix(".zip") {
            self = .zip
        } else {
            return nil
        }
    }
}

/// Owns a libarchive writer; every return code other than OK becomes an `ArchiveError`
/// carrying `archive_error_string`. `finish()` must be called; `deinit` only frees.
final class ArchiveWriter {
    private var handle: OpaquePointer?
    private let path: String
    private var finished = false
    /// One buffer for every file: allocating a zeroed megabyte per file cost more than
    /// writing tens of thousands of small pages.
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(path: String, format: ArchiveFormat) throws {
        self.path = path
        _ = ArchiveLocale.utf8
        guard let handle = archive_write_new() else {
            throw ArchiveError(path: path, operation: "archive_write_new", detail: "out of memory")
        }
        self.handle = handle
        switch format {
        case .tar, .tarGzip, .tarZstd:
            // "pax restricted": ustar unless a name needs more (accents, long paths).
            try check(archive_write_set_format_pax_restricted(handle), "set_format_pax_restricted")
        case .zip:
            try check(archive_write_set_format_zip(handle), "set_format_zip")
            try check(archive_write_set_options(handle, "zip:compression=deflate"), "set_options")
        }
        switch format {
        case .tarGzip:
            try check(archive_write_add_filter_gzip(handle), "add_filter_gzip")
            // No timestamp or name in the gzip header: reproducible bytes.
            try check(archive_write_set_filter_option(handle, "gzip", "timestamp", nil), "set_filter_option")
        case .tarZstd:
            try check(archive_write_add_filter_zstd(handle), "add_filter_zstd")
        case .tar, .zip:
            break
        }
        if format == .tar {
            // Written by the mebibyte, not by libarchive's default 10 KiB (a write call
            // per 10 KiB of a large key), padded as by default: the same bytes. (With
            // a compressor, the padding would go after the compressed stream.)
            try check(archive_write_set_bytes_per_block(handle, 1 << 20), "set_bytes_per_block")
            try check(archive_write_set_bytes_in_last_block(handle, 10240), "set_bytes_in_last_block")
        }
        try check(archive_write_open_filename(handle, path), "open_filename")
    }

    deinit {
        if let handle {
            if !finished { archive_write_close(handle) }
            archive_write_free(handle)
        }
    }

    private func check(_ code: Int32, _ operation: String) throws {
        guard code != ARCHIVE_OK else { return }
        // Warnings (e.g. an option this libarchive build ignores) are not fatal.
        if code == ARCHIVE_WARN { return }
        let detail = handle.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "code \(code)"
        throw ArchiveError(path: path, operation: operation, detail: detail)
    }

    /// Adds a directory entry.
    func addDirectory(_ name: String, mtime: Date) throws {
        try addEntry(name.hasSuffix("/") ? name : name + "/", type: DEMOKIT_AE_IFDIR, permissions: 0o755, size: 0, mtime: mtime) {}
    }

    /// Adds a regular file, streaming its content from disk.
    func addFile(_ name: String, from url: URL, mtime: Date, permissions: Int32 = 0o644) throws {
        try addFile(name, path: url.path, mtime: mtime, permissions: permissions)
    }

    /// `path`: where the file is, as a path (a `URL` and Foundation's attributes per
    /// file would cost more than archiving it).
    func addFile(_ name: String, path filePath: String, mtime: Date, permissions: Int32 = 0o644) throws {
        func failure(_ operation: String) -> any Error { FileHashing.posixError(URL(fileURLWithPath: filePath), operation) }
        let fd = open(filePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("ouverture / open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("stat") }
        let size = Int64(info.st_size)
        try addEntry(name, type: DEMOKIT_AE_IFREG, permissions: permissions, size: size, mtime: mtime) {
            var remaining = size
            while remaining > 0 {
                let count = self.buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, Int(remaining))) }
                if count < 0 { throw failure("lecture / read") }
                if count == 0 { break }
                let written = self.buffer.withUnsafeBytes { archive_write_data(handle, $0.baseAddress, count) }
                if written < 0 { try check(Int32(written), "write_data") }
                remaining -= Int64(count)
            }
            guard remaining == 0 else {
                throw FileError(path: filePath, reason: bilingual("fichier modifié pendant l'archivage", "file changed while archived"))
            }
        }
    }

    private func addEntry(_ name: String, type: UInt32, permissions: Int32, size: Int64, mtime: Date, body: () throws -> Void) throws {
        guard let entry = archive_entry_new() else {
            throw ArchiveError(path: path, operation: "archive_entry_new", detail: "out of memory")
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, name)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_size(entry, size)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(mtime.timeIntervalSince1970), 0)
        try check(archive_write_header(handle, entry), "write_header \(name)")
        try body()
        try check(archive_write_finish_entry(handle), "finish_entry \(name)")
    }

    /// Flushes and closes the archive; errors here mean the file is incomplete.
    func finish() throws {
        guard let handle, !finished else { return }
        finished = true
        try check(archive_write_close(handle), "close")
    }
}

extension ArchiveWriter {
    /// Writes a whole folder: entries sorted by path, fixed owner, mode and time.
    /// The archive is written beside `destination` and renamed when complete.
    static func archive(tree root: URL, paths: [String], to destination: URL, mtime: Date) throws {
        guard let format = ArchiveFormat(fileName: destination.lastPathComponent) else {
            throw ArchiveError(
                path: destination.path, operation: "format",
                detail: bilingual(
                    "extension inconnue : utilisez .tar, .tar.gz, .tar.zst ou .zip",
                    "unknown extension: use .tar, .tar.gz, .tar.zst or .zip"))
        }
        let partial = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            let writer = try ArchiveWriter(path: partial.path, format: format)
            var directories: Set<String> = []
            let rootPath = TreeWriter.folderPath(root)
            for path in paths.sorted() {
                var parents: [String] = []
                var dir = TreeWriter.parent(of: path)
                while !dir.isEmpty, !directories.contains(dir) {
                    parents.append(dir)
                    dir = TreeWriter.parent(of: dir)
                }
                for parent in parents.reversed() {
                    directories.insert(parent)
                    try writer.addDirectory(parent, mtime: mtime)
                }
                try writer.addFile(path, path: rootPath + "/" + path, mtime: mtime)
            }
            try writer.finish()
            if FileManager.default.fileExists(atPath: destination.path) {
                try FileManager.default.removeItem(at: destination)
            }
            try FileManager.default.moveItem(at: partial, to: destination)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }
}
