import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Downloads over HTTP(S), the one way demokit does: resumable (a partial file is
/// continued with a `Range` request, and only from an answer whose `Content-Range`
/// starts where the partial file ends), capped in size, with progress.
/// `download(from:to:)` fetches a whole file, verified, for `demokit fetch` and
/// `add-app`; `HTTPReleaseSource` reads releases through `transfer(_:from:limit:size:into:progress:)`.
///
/// The partial file is kept when a download is cut, so running again continues it;
/// it is deleted when its bytes turn out wrong (hash or size), so a bad server cannot
/// leave a poisoned start behind.
public struct Downloader: Sendable {
    public struct Options: Sendable {
        /// Seconds to open a connection.
        var connectTimeout: Int64 = 15
        /// Seconds without a byte before giving up (the download stays resumable).
        var readTimeout: Int64 = 60
        /// Refuse anything larger (a wrong address can point at a whole disk image).
        var maxBytes: Int64 = FAT32Rules.maxFileSize

        public init() {}
    }

    /// What a download should be; unknown fields are not checked.
    struct Expectation: Sendable {
        var size: Int64?
        var sha256: String?

        init(size: Int64? = nil, sha256: String? = nil) {
            self.size = size
            self.sha256 = sha256?.lowercased()
        }
    }

    public struct Result: Sendable, Equatable {
        var size: Int64
        var sha256: String
        /// Bytes that were already there from an earlier, interrupted download.
        var resumedFrom: Int64
    }

    var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// A client with the options' timeouts, following redirects; the caller shuts it down.
    func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(options.connectTimeout), read: .seconds(options.readTimeout))
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// One GET of `url`, asking for the bytes from `offset` on when it is not 0. Its
    /// body goes to `sink` from where the answer starts (`Transfer.start`), never past
    /// `limit` bytes of file; `size`, when known, is the whole file's. Run it with
    /// `client.execute(request:delegate:)`.
    func transfer(
        _ url: String, from offset: Int64, limit: Int64, size: Int64? = nil, into sink: any DownloadSink,
        progress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }
    ) throws -> (HTTPClient.Request, Transfer) {
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "demokit/\(DemoKitVersion.current)")
        if offset > 0 { headers.add(name: "Range", value: "bytes=\(offset)-") }
        let request = try HTTPClient.Request(url: url, method: .GET, headers: headers)
        return (request, Transfer(offset: offset, limit: limit, size: size, sink: sink, progress: progress))
    }

    /// Downloads `source` into `destination` (replaced when complete). The partial
    /// download lives at `partial` (default: `destination` + `.part`).
    /// `progress` receives (bytes so far, total when known).
    func download(
        from source: String, to destination: URL, partial: URL? = nil, expecting expectation: Expectation = Expectation(),
        progress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }
    ) async throws -> Result {
        let partial = partial ?? destination.appendingPathExtension("part")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        let client = makeClient()
        do {
            let result = try await run(client, source, destination, partial, expectation, progress)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func run(
        _ client: HTTPClient, _ source: String, _ destination: URL, _ partial: URL, _ expectation: Expectation,
        _ progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> Result {
        // Two attempts: the second starts over when the server cannot continue the first.
        for attempt in 0..<2 {
            var existing = fileSize(partial)
            if let size = expectation.size, existing > size || attempt > 0 {
                try? FileManager.default.removeItem(at: partial)
                existing = 0
            }
            if existing > 0, existing == expectation.size {
                return try finish(partial, destination, expectation, source, resumedFrom: existing)
            }
            let limit = min(expectation.size ?? options.maxBytes, options.maxBytes)
            let file = PartialFile(partial)
            let (request, transfer) = try self.transfer(source, from: existing, limit: limit, size: expectation.size, into: file, progress: progress)
            do {
                try await client.execute(request: request, delegate: transfer).futureResult.get()
            } catch Transfer.Stop.restart {
                continue
            } catch let stop as Transfer.Stop {
                throw failure(stop, source, partial, expectation, limit: limit, kept: transfer.received)
            } catch let error as FileError {
                throw error
            } catch {
                // Cut connection or timeout: what arrived stays, the next run continues it.
                throw DownloadError(url: source, kind: .network("\(error)"), partialBytes: transfer.received)
            }
            try file.close()
            guard transfer.total == nil || transfer.received == transfer.total else {
                throw DownloadError(
                    url: source, kind: .network(bilingual("connexion coupée", "connection closed")), partialBytes: transfer.received)
            }
            return try finish(partial, destination, expectation, source, resumedFrom: transfer.start)
        }
        throw failure(.restart, source, partial, expectation, limit: 0, kept: 0)
    }

    /// What a stopped transfer means for the person who ran the command. `kept`: bytes
    /// still in the partial file.
    private func failure(_ stop: Transfer.Stop, _ source: String, _ partial: URL, _ expectation: Expectation, limit: Int64, kept: Int64)
        -> DownloadError
    {
        switch stop {
        case let .status(code, reason):
            return DownloadError(url: source, kind: .http(code, reason), partialBytes: kept)
        case let .announced(total):
            if let expected = expectation.size, total != expected {
                return DownloadError(url: source, kind: .size(expected: expected, actual: total), partialBytes: kept)
            }
            return DownloadError(url: source, kind: .tooLarge(limit: options.maxBytes), partialBytes: kept)
        case let .tooLarge(received):
            // More bytes than the file can have: none of them can be trusted.
            try? FileManager.default.removeItem(at: partial)
            let kind: DownloadError.Kind = expectation.size != nil ? .size(expected: limit, actual: received) : .tooLarge(limit: limit)
            return DownloadError(url: source, kind: kind, partialBytes: 0)
        case .restart:
            return DownloadError(url: source, kind: .network(bilingual("reprise refusée par le serveur", "the server refused to resume")), partialBytes: 0)
        }
    }

    /// Checks the complete partial file, then moves it into place.
    private func finish(_ partial: URL, _ destination: URL, _ expectation: Expectation, _ source: String, resumedFrom: Int64) throws -> Result {
        let (size, sha256) = try FileHashing.sha256(fileAt: partial)
        if let expected = expectation.size, size != expected {
            try? FileManager.default.removeItem(at: partial)
            throw DownloadError(url: source, kind: .size(expected: expected, actual: size), partialBytes: 0)
        }
        if let expected = expectation.sha256, sha256 != expected {
            try? FileManager.default.removeItem(at: partial)
            throw DownloadError(url: source, kind: .hash(expected: expected, actual: sha256), partialBytes: 0)
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
        try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.moveItem(at: partial, to: destination)
        return Result(size: size, sha256: sha256, resumedFrom: resumedFrom)
    }

    private func fileSize(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// A download that failed, saying whether running again will continue it.
struct DownloadError: UserFacingError {
    enum Kind: Sendable, Equatable {
        case network(String)
        case http(Int, String)
        case size(expected: Int64, actual: Int64)
        case hash(expected: String, actual: String)
        case tooLarge(limit: Int64)
    }

    var url: String
    var kind: Kind
    /// Bytes kept for the next attempt (0 when they were thrown away).
    var partialBytes: Int64

    var message: String {
        let what: String
        switch kind {
        case let .network(detail):
            what = bilingual("échec du téléchargement", "download failed") + ": \(detail)"
        case let .http(code, reason):
            what = bilingual("le serveur a répondu \(code) \(reason)", "the server answered \(code) \(reason)")
        case let .size(expected, actual):
            what = bilingual(
                "taille inattendue : \(actual) octets au lieu de \(expected) (le fichier a changé sur le serveur ?)",
                "unexpected size: \(actual) bytes instead of \(expected) (did the file change on the server?)")
        case let .hash(expected, actual):
            what = bilingual(
                "contenu inattendu : sha256 \(actual) au lieu de \(expected) — fichier rejeté (le fichier a changé sur le serveur ? relancez demokit add-app pour l'épingler à nouveau)",
                "unexpected content: sha256 \(actual) instead of \(expected) — file rejected (did the file change on the server? run demokit add-app again to pin it anew)"
            )
        case let .tooLarge(limit):
            what = bilingual("fichier plus grand que \(formatBytes(limit))", "file larger than \(limit) bytes")
        }
        var text = "\(url): \(what)"
        if partialBytes > 0 {
            text +=
                "\n  "
                + bilingual(
                    "\(formatBytes(partialBytes)) déjà reçus sont gardés : relancez la commande pour continuer",
                    "\(formatBytes(partialBytes, english: true)) already received are kept: run the command again to continue")
        }
        return text
    }
}
