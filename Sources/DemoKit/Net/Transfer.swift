import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// Where a transfer's body goes.
public protocol DownloadSink: AnyObject {
    /// Called once, before the first byte: the body is the file's from `offset` on
    /// (0: the whole file), and replaces whatever the sink held from there.
    func begin(at offset: Int64) throws
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// One GET made by `Downloader`, as AsyncHTTPClient's delegate. The answer's head says
/// where its body starts in the file: a resumed download continues only from an answer
/// whose `Content-Range` starts exactly where the partial file ends; any other answer to
/// a `Range` request stops the transfer (`Stop.restart`), since appending it would
/// put bytes at the wrong place. The body then goes to the sink, never past `limit`.
///
/// Unchecked: AsyncHTTPClient calls a delegate's methods one at a time; its owner reads
/// it only once the request's future has completed.
final class Transfer: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    /// Why a transfer stopped before its body was whole.
    enum Stop: Error, Equatable {
        /// The server cannot continue from the requested offset: start from 0.
        case restart
        /// An answer other than a success.
        case status(Int, String)
        /// The answer announces a file of this size, not the expected one or over the limit.
        case announced(Int64)
        /// More bytes than the limit arrived; `received` counts the file's bytes so far.
        case tooLarge(received: Int64)
    }

    /// Where the request asked to start.
    let offset: Int64
    let limit: Int64
    /// The whole file's size, when known.
    let size: Int64?
    let sink: any DownloadSink
    let progress: @Sendable (Int64, Int64?) -> Void
    /// Where the answer's body starts in the file.
    private(set) var start: Int64 = 0
    /// The file's size so far: `start` plus the body's bytes received.
    private(set) var received: Int64
    /// The file's size, from the answer's `Content-Length`.
    private(set) var total: Int64?

    init(offset: Int64, limit: Int64, size: Int64?, sink: any DownloadSink, progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.offset = offset
        self.limit = limit
        self.size = size
        self.sink = sink
        self.progress = progress
        received = offset
    }

    /// Bytes of the body received.
    var bodyBytes: Int64 { received - start }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        do {
            try accept(head)
        } catch {
            return task.eventLoop.makeFailedFuture(error)
        }
        return task.eventLoop.makeSucceededFuture(())
    }

    private func accept(_ head: HTTPResponseHead) throws {
        switch head.status.code {
        case 206 where offset > 0:
            guard let range = head.headers.first(name: "Content-Range"), Self.contentRangeStart(range) == offset else {
                throw Stop.restart
            }
            start = offset
        case 200...299:
            start = 0
        case 416 where offset > 0:
            throw Stop.restart  // The partial file is no prefix of this file.
        default:
            throw Stop.status(Int(head.status.code), head.status.reasonPhrase)
        }
        total = head.headers.first(name: "Content-Length").flatMap { Int64($0) }.map { $0 + start } ?? size
        if let total, total > limit || size.map({ total != $0 }) == true { throw Stop.announced(total) }
        try sink.begin(at: start)
        received = start
        progress(received, total)
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        received += Int64(buffer.readableBytes)
        // Endless data: stop reading past the limit.
        guard received <= limit else { return task.eventLoop.makeFailedFuture(Stop.tooLarge(received: received)) }
        do {
            try buffer.withUnsafeReadableBytes { try sink.write($0) }
        } catch {
            return task.eventLoop.makeFailedFuture(error)
        }
        progress(received, total)
        return task.eventLoop.makeSucceededFuture(())
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}

    /// `bytes 100-199/200` → 100.
    static func contentRangeStart(_ header: String) -> Int64? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bytes", let dash = parts[1].firstIndex(of: "-") else { return nil }
        return Int64(parts[1][..<dash])
    }
}

/// A partial download on disk, opened when the answer says where its body starts.
final class PartialFile: DownloadSink {
    let url: URL
    private var fd: Int32 = -1

    init(_ url: URL) {
        self.url = url
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func begin(at offset: Int64) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(url, "ouverture / open") }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw FileHashing.posixError(url, "écriture / write")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try FileHashing.writeAll(fd, bytes, to: url)
    }

    func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        guard Glibc.close(fd) == 0 else { throw FileHashing.posixError(url, "fermeture / close") }
    }
}

/// A small file read into memory.
final class MemorySink: DownloadSink {
    private(set) var data = Data()

    func begin(at offset: Int64) throws { data.removeAll() }
    func write(_ bytes: UnsafeRawBufferPointer) throws { data.append(contentsOf: bytes) }
}
