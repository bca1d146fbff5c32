import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension KeyUpdater {
    /// Downloads `path` from `source` into `partial` on the key, resuming from what
    /// `partial` already holds; never writes more than `expected.size` bytes. Every write
    /// goes through the key's `DurableWriter`. The caller checks the hash.
    static func download(
        _ path: String, from source: any ReleaseSource, to partial: URL, expected: FileRecord, writer: DurableWriter
    ) throws {
        var existing = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int64) ?? 0
        if existing == expected.size { return }
        // Longer than announced: start over in a new file (O_TRUNC is not to be relied on).
        if existing > expected.size {
            try writer.remove(partial)
            existing = 0
        }
        // Two attempts: the second starts over when the source cannot continue the first.
        for offset in [existing, 0] {
            let fd = open(partial.path, O_WRONLY | O_CREAT, 0o644)
            guard fd >= 0 else { throw FileHashing.posixError(partial, "création / create") }
            let handle = FileDescriptor(fd)
            do {
                try source.read(path, from: offset, size: expected.size, into: DurableSink(handle: handle, url: partial, writer: writer))
            } catch Transfer.Stop.restart where offset > 0 {
                try handle.close(partial)
                continue
            }
            try handle.sync(partial)
            try handle.close(partial)
            return
        }
    }
}

/// Writes a download to its partial file through the key's `DurableWriter`, from where
/// the answer starts. A full answer rewrites the file from its start; it is at least as
/// long as what was there, so no truncation is needed (fusefat ignores it anyway).
private final class DurableSink: DownloadSink {
    let handle: FileDescriptor
    let url: URL
    let writer: DurableWriter

    init(handle: FileDescriptor, url: URL, writer: DurableWriter) {
        self.handle = handle
        self.url = url
        self.writer = writer
    }

    func begin(at offset: Int64) throws {
        guard lseek(handle.fd, off_t(offset), SEEK_SET) >= 0 else { throw FileHashing.posixError(url, "lseek") }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try writer.append(bytes, to: handle, url)
    }
}
