import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A release folder served over HTTP(S) by any static web server or mirror. Downloads
/// resume where a previous, interrupted one stopped (`Range`), which matters on the
/// slow connections of town halls.
public final class HTTPReleaseSource: ReleaseSource {
    public let base: String
    public private(set) var bytesRead: Int64 = 0
    public var isOnline: Bool { true }
    private let client: HTTPClient

    public init(base: String) throws {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit { try? client.syncShutdown() }

    public func localURL(_ path: String) -> URL? { nil }

    func url(_ path: String) -> String {
        let encoded = path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
        return base + "/" + encoded.joined(separator: "/")
    }

    public func fetch(_ path: String, maximumSize: Int) throws -> Data? {
        let request = try HTTPClient.Request(url: url(path), method: .GET)
        let delegate = BodyDelegate(limit: Int64(maximumSize), path: path) { _ in }
        let (status, data) = try run(request, delegate)
        bytesRead += Int64(data.count)
        if status == 404 || status == 410 { return nil }
        guard (200..<300).contains(status) else { throw httpError(path, status) }
        return data
    }

    public func download(_ path: String, to partial: URL, expected: FileRecord, writer: DurableWriter) throws {
        let existing = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int64) ?? 0
        if existing == expected.size { return }
        let resumeFrom = existing < expected.size ? existing : 0
        // Longer than announced: start over in a new file (O_TRUNC is not to be relied on).
        if existing > expected.size { try writer.remove(partial) }
        var headers = HTTPHeaders()
        if resumeFrom > 0 { headers.add(name: "Range", value: "bytes=\(resumeFrom)-") }
        let request = try HTTPClient.Request(url: url(path), method: .GET, headers: headers)
        let fd = open(partial.path, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(partial, "création / create") }
        let handle = FileDescriptor(fd)
        let sink = DownloadSink(handle: handle, url: partial, writer: writer, resumeFrom: resumeFrom, expected: expected.size)
        let delegate = BodyDelegate(limit: expected.size, path: path, sink: sink.receive)
        delegate.onHead = sink.start
        let (status, _) = try run(request, delegate)
        bytesRead += sink.received
        if status == 404 || status == 410 { throw UpdateRefusal.notFound(path) }
        guard (200..<300).contains(status) else { throw httpError(path, status) }
        if let error = sink.error { throw error }
        try handle.sync(partial)
        try handle.close(partial)
    }

    private func run(_ request: HTTPClient.Request, _ delegate: BodyDelegate) throws -> (Int, Data) {
        do {
            try client.execute(request: request, delegate: delegate).wait()
        } catch let refusal as UpdateRefusal {
            throw refusal
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(path: request.url.absoluteString, reason: bilingual("échec du téléchargement", "download failed") + ": \(error)")
        }
        return (delegate.status, delegate.body)
    }

    private func httpError(_ path: String, _ status: Int) -> FileError {
        FileError(path: url(path), reason: bilingual("le serveur a répondu \(status)", "the server answered \(status)"))
    }
}

/// Writes a download to its partial file: appends after a `206 Partial Content`,
/// starts over when the server ignored the range (`200`).
private final class DownloadSink: @unchecked Sendable {
    let handle: FileDescriptor
    let url: URL
    let writer: DurableWriter
    let resumeFrom: Int64
    let expected: Int64
    var received: Int64 = 0
    var error: (any Error)?

    init(handle: FileDescriptor, url: URL, writer: DurableWriter, resumeFrom: Int64, expected: Int64) {
        self.handle = handle
        self.url = url
        self.writer = writer
        self.resumeFrom = resumeFrom
        self.expected = expected
    }

    func start(_ status: Int) {
        // A full answer (200) rewrites the file from its start; it is at least as long
        // as what was there, so no truncation is needed (fusefat ignores it anyway).
        let offset: Int64 = status == 206 ? resumeFrom : 0
        if lseek(handle.fd, off_t(offset), SEEK_SET) < 0 {
            error = FileHashing.posixError(url, "lseek")
        }
    }

    func receive(_ buffer: ByteBuffer) throws {
        if let error { throw error }
        received += Int64(buffer.readableBytes)
        try buffer.withUnsafeReadableBytes { try writer.append($0, to: handle, url) }
    }
}

/// Collects a response: status, then the body either in memory (capped) or to a sink.
private final class BodyDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void
    let limit: Int64
    let path: String
    let sink: (ByteBuffer) throws -> Void
    var onHead: ((Int) -> Void)?
    var status = 0
    var body = Data()
    var size: Int64 = 0
    var collect = false

    init(limit: Int64, path: String, sink: @escaping (ByteBuffer) throws -> Void) {
        self.limit = limit
        self.path = path
        self.sink = sink
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        collect = onHead == nil
        if (200..<300).contains(status) { onHead?(status) }
        return task.eventLoop.makeSucceededFuture(())
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard (200..<300).contains(status) else { return task.eventLoop.makeSucceededFuture(()) }
        size += Int64(buffer.readableBytes)
        // Endless data: stop reading past the announced size.
        if size > limit {
            return task.eventLoop.makeFailedFuture(UpdateRefusal.tooLarge(path, Int(size), Int(limit)))
        }
        do {
            if collect {
                body.append(contentsOf: buffer.readableBytesView)
            } else {
                try sink(buffer)
            }
        } catch {
            return task.eventLoop.makeFailedFuture(error)
        }
        return task.eventLoop.makeSucceededFuture(())
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}
}
