import AsyncHTTPClient
import Foundation

/// A release folder served over HTTP(S) by any static web server or mirror, read
/// through `Downloader`: downloads resume where a previous, interrupted one stopped,
/// which matters on the slow connections of town halls.
final class HTTPReleaseSource: ReleaseSource {
    let base: String
    private(set) var bytesRead: Int64 = 0
    var isOnline: Bool { true }
    private let downloader = Downloader()
    private let client: HTTPClient

    init(base: String) throws {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        client = downloader.makeClient()
    }

    deinit { try? client.syncShutdown() }

    func localURL(_ path: String) -> URL? { nil }

    func url(_ path: String) -> String {
        let encoded = path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
        return base + "/" + encoded.joined(separator: "/")
    }

    func fetch(_ path: String, maximumSize: Int) throws -> Data? {
        let memory = MemorySink()
        let (request, transfer) = try downloader.transfer(url(path), from: 0, limit: Int64(maximumSize), into: memory)
        defer { bytesRead += transfer.bodyBytes }
        do {
            try run(path, request, transfer)
        } catch UpdateRefusal.notFound {
            return nil
        }
        return memory.data
    }

    func download(_ path: String, to partial: URL, expected: FileRecord, writer: DurableWriter) throws {
        var existing = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int64) ?? 0
        if existing == expected.size { return }
        // Longer than announced: start over in a new file (O_TRUNC is not to be relied on).
        if existing > expected.size {
            try writer.remove(partial)
            existing = 0
        }
        // Two attempts: the second starts over when the server cannot continue the first.
        for offset in [existing, 0] {
            let fd = open(partial.path, O_WRONLY | O_CREAT, 0o644)
            guard fd >= 0 else { throw FileHashing.posixError(partial, "création / create") }
            let handle = FileDescriptor(fd)
            let sink = DurableSink(handle: handle, url: partial, writer: writer)
            let (request, transfer) = try downloader.transfer(url(path), from: offset, limit: expected.size, size: expected.size, into: sink)
            do {
                defer { bytesRead += transfer.bodyBytes }
                try run(path, request, transfer)
            } catch Transfer.Stop.restart where offset > 0 {
                try handle.close(partial)
                continue
            }
            try handle.sync(partial)
            try handle.close(partial)
            return
        }
    }

    /// Runs one transfer, its stops told as the updater's refusals.
    private func run(_ path: String, _ request: HTTPClient.Request, _ transfer: Transfer) throws {
        do {
            try client.execute(request: request, delegate: transfer).futureResult.wait()
        } catch Transfer.Stop.status(404, _), Transfer.Stop.status(410, _) {
            throw UpdateRefusal.notFound(path)
        } catch let Transfer.Stop.status(code, _) {
            throw FileError(path: url(path), reason: bilingual("le serveur a répondu \(code)", "the server answered \(code)"))
        } catch let Transfer.Stop.announced(size) {
            throw size > transfer.limit ? UpdateRefusal.tooLarge(path, Int(size), Int(transfer.limit)) : UpdateRefusal.fileMismatch(path)
        } catch let Transfer.Stop.tooLarge(received) {
            throw UpdateRefusal.tooLarge(path, Int(received), Int(transfer.limit))
        } catch Transfer.Stop.restart {
            throw Transfer.Stop.restart
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(path: url(path), reason: bilingual("échec du téléchargement", "download failed") + ": \(error)")
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
