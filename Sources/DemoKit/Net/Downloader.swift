import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Downloads one URL to a file: resumable (a partial file is continued with an HTTP
/// `Range` request), verified (size and SHA-256 when known), capped in size, with
/// progress. Shared by `demokit fetch` (application artifacts) and key updates.
///
/// The partial file is kept when a download is cut, so running again continues it;
/// it is deleted when its bytes turn out wrong (hash or size), so a bad server cannot
/// leave a poisoned start behind.
public struct Downloader: Sendable {
    public struct Options: Sendable {
        /// Seconds to open a connection.
        public var connectTimeout: Int64 = 15
        /// Seconds without a byte before giving up (the download stays resumable).
        public var readTimeout: Int64 = 60
        /// Refuse anything larger (a wrong address can point at a whole disk image).
        public var maxBytes: Int64 = FAT32Rules.maxFileSize

        public init() {}
    }

    /// What a download should be; unknown fields are not checked.
    public struct Expectation: Sendable {
        public var size: Int64?
        public var sha256: String?

        public init(size: Int64? = nil, sha256: String? = nil) {
            self.size = size
            self.sha256 = sha256?.lowercased()
        }
    }

    public struct Result: Sendable, Equatable {
        public var size: Int64
        public var sha256: String
        /// Bytes that were already there from an earlier, interrupted download.
        public var resumedFrom: Int64
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Downloads `source` into `destination` (replaced when complete). The partial
    /// download lives at `partial` (default: `destination` + `.part`).
    /// `progress` receives (bytes so far, total when known).
    public func download(
        from source: String, to destination: URL, partial: URL? = nil, expecting expectation: Expectation = Expectation(),
        progress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }
    ) async throws -> Result {
        let partial = partial ?? destination.appendingPathExtension("part")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(options.connectTimeout), read: .seconds(options.readTimeout))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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
            var request = HTTPClientRequest(url: source)
            request.headers.add(name: "User-Agent", value: "demokit/\(DemoKitVersion.current)")
            if existing > 0 { request.headers.add(name: "Range", value: "bytes=\(existing)-") }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(options.connectTimeout + options.readTimeout))
            } catch {
                throw DownloadError(url: source, kind: .network(describe(error)), partialBytes: existing)
            }
            var offset: Int64 = 0
            switch response.status.code {
            case 206 where existing > 0:
                guard let range = response.headers.first(name: "Content-Range"), Self.contentRangeStart(range) == existing else {
                    continue  // A range we did not ask for: start over.
                }
                offset = existing
            case 200...299:
                offset = 0
            case 416 where existing > 0:
                continue  // The partial file is no prefix of this file: start over.
            default:
                throw DownloadError(url: source, kind: .http(Int(response.status.code), response.status.reasonPhrase), partialBytes: existing)
            }
            let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
            let total = length.map { $0 + offset } ?? expectation.size
            if let total, let expected = expectation.size, total != expected {
                throw DownloadError(url: source, kind: .size(expected: expected, actual: total), partialBytes: offset)
            }
            if let total, total > options.maxBytes {
                throw DownloadError(url: source, kind: .tooLarge(limit: options.maxBytes), partialBytes: offset)
            }
            let written = try await receive(response.body, into: partial, from: offset, total: total, expectation, source, progress)
            guard total == nil || written == total else {
                throw DownloadError(url: source, kind: .network(bilingual("connexion coupée", "connection closed")), partialBytes: written)
            }
            return try finish(partial, destination, expectation, source, resumedFrom: offset)
        }
        throw DownloadError(url: source, kind: .network(bilingual("reprise refusée par le serveur", "the server refused to resume")), partialBytes: 0)
    }

    /// Appends the body to the partial file from `offset`; returns the file's size.
    private func receive(
        _ body: HTTPClientResponse.Body, into partial: URL, from offset: Int64, total: Int64?, _ expectation: Expectation, _ source: String,
        _ progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> Int64 {
        if offset == 0 {
            FileManager.default.createFile(atPath: partial.path, contents: nil)
        }
        let fd = open(partial.path, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(partial, "ouverture / open") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw FileHashing.posixError(partial, "écriture / write")
        }
        var received = offset
        let limit = min(expectation.size ?? options.maxBytes, options.maxBytes)
        progress(received, total)
        do {
            for try await buffer in body {
                received += Int64(buffer.readableBytes)
                if received > limit {
                    try? FileManager.default.removeItem(at: partial)
                    throw DownloadError(
                        url: source, kind: expectation.size != nil ? .size(expected: limit, actual: received) : .tooLarge(limit: limit), partialBytes: 0)
                }
                try buffer.withUnsafeReadableBytes { raw in
                    var done = 0
                    while done < raw.count {
                        let count = write(fd, raw.baseAddress! + done, raw.count - done)
                        if count < 0 { throw FileHashing.posixError(partial, "écriture / write") }
                        done += count
                    }
                }
                progress(received, total)
            }
        } catch let error as DownloadError {
            throw error
        } catch let error as FileError {
            throw error
        } catch {
            // Cut connection or timeout: what arrived stays, the next run continues it.
            throw DownloadError(url: source, kind: .network(describe(error)), partialBytes: received)
        }
        return received
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

    /// `bytes 100-199/200` → 100.
    static func contentRangeStart(_ header: String) -> Int64? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bytes", let dash = parts[1].firstIndex(of: "-") else { return nil }
        return Int64(parts[1][..<dash])
    }

    private func fileSize(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    private func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return "\(error)"
    }
}

/// A download that failed, saying whether running again will continue it.
public struct DownloadError: UserFacingError {
    public enum Kind: Sendable, Equatable {
        case network(String)
        case http(Int, String)
        case size(expected: Int64, actual: Int64)
        case hash(expected: String, actual: String)
        case tooLarge(limit: Int64)
    }

    public var url: String
    public var kind: Kind
    /// Bytes kept for the next attempt (0 when they were thrown away).
    public var partialBytes: Int64

    public var message: String {
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
