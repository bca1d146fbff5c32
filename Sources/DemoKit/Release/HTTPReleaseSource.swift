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

    func read(_ path: String, from offset: Int64, size: Int64, into sink: any DownloadSink) throws {
        let (request, transfer) = try downloader.transfer(url(path), from: offset, limit: size, size: size, into: sink)
        defer { bytesRead += transfer.bodyBytes }
        try run(path, request, transfer)
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
