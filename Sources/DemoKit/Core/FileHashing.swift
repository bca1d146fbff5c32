import Crypto
import Foundation

/// Streaming SHA-256 and copy: memory stays flat whatever the file size.
enum FileHashing {
    static let chunkSize = 1 << 20

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        // By table: `String(format:)` per byte is slow, and every file of a key is hashed.
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func sha256(of data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Hashes a file by streaming it.
    static func sha256(fileAt url: URL) throws -> (size: Int64, sha256: String) {
        let input = try openForReading(url)
        defer { close(input) }
        var hasher = SHA256()
        var size: Int64 = 0
        // A small file gets a small buffer: thousands of catalogue entries are hashed.
        var info = stat()
        let length = fstat(input, &info) == 0 ? min(chunkSize, max(Int(info.st_size) + 1, 4096)) : chunkSize
        var buffer = [UInt8](repeating: 0, count: length)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, length) }
            if count < 0 { throw posixError(url, "lecture / read") }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            size += Int64(count)
        }
        return (size, hex(hasher.finalize()))
    }

    /// Copies `source` to `destination` while hashing what is written, in one pass.
    /// `newFile`: fail rather than write into a file already there (it could be a hard
    /// link to another key's file, which must never change).
    static func copyAndHash(
        from source: URL, to destination: URL, newFile: Bool = false, onChunk: (Int) -> Void = { _ in }
    ) throws -> (size: Int64, sha256: String) {
        let input = try openForReading(source)
        defer { close(input) }
        let output = open(destination.path, O_WRONLY | O_CREAT | (newFile ? O_EXCL : O_TRUNC), 0o644)
        guard output >= 0 else { throw posixError(destination, "création / create") }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        do {
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, chunkSize) }
                if count < 0 { throw posixError(source, "lecture / read") }
                if count == 0 { break }
                try buffer.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                    hasher.update(bufferPointer: chunk)
                    var offset = 0
                    while offset < count {
                        let written = write(output, chunk.baseAddress! + offset, count - offset)
                        if written < 0 { throw posixError(destination, "écriture / write") }
                        offset += written
                    }
                }
                size += Int64(count)
                onChunk(count)
            }
        } catch {
            close(output)
            throw error
        }
        guard close(output) == 0 else { throw posixError(destination, "écriture / write") }
        return (size, hex(hasher.finalize()))
    }

    static func openForReading(_ url: URL) throws -> Int32 {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw posixError(url, "ouverture / open") }
        return fd
    }

    /// Writes all of `bytes` to `fd` (`write` may take part of them, or be interrupted).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, to url: URL) throws {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = Glibc.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw posixError(url, "écriture / write")
            }
            offset += written
        }
    }

    static func posixError(_ url: URL, _ what: String) -> FileError {
        let code = errno
        let reason = String(cString: strerror(code))
        var hint: String?
        if code == ENOSPC {
            hint = bilingual(
                "le disque est plein : libérez de la place ou choisissez un autre dossier de sortie",
                "the disk is full: free some space or choose another output folder")
        }
        return FileError(path: url.path, reason: "\(what): \(reason)", hint: hint)
    }
}
