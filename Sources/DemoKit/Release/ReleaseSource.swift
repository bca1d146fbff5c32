import Foundation

/// Where releases are read from: a folder (another key, a shared drive) or a web
/// address. Reads are capped: a source never makes demokit read more than announced.
public protocol ReleaseSource: AnyObject {
    /// A web source: an expired release is refused there, only warned about offline.
    var isOnline: Bool { get }
    /// Bytes read from the source so far.
    var bytesRead: Int64 { get }
    /// A small file (manifest, signature, trust file), or nil when absent.
    func fetch(_ path: String, maximumSize: Int) throws -> Data?
    /// Streams the bytes of `path` from `offset` on into `sink`, never more than `size`
    /// in all. Throws `Transfer.Stop.restart` when the source cannot start at `offset`:
    /// read it again from 0. The caller checks the hash.
    func read(_ path: String, from offset: Int64, size: Int64, into sink: any DownloadSink) throws
    /// The file's local URL when the source is a folder, so it can be copied directly.
    func localURL(_ path: String) -> URL?
}

extension ReleaseSource {
    /// Reads `path` as text, rejecting anything above `maximumSize` bytes.
    func fetchText(_ path: String, maximumSize: Int) throws -> String? {
        try fetch(path, maximumSize: maximumSize).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Opens `--from`: `http://` and `https://` addresses go through HTTP, anything else is a folder.
public func openReleaseSource(_ location: String) throws -> any ReleaseSource {
    let lower = location.lowercased()
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
        return try HTTPReleaseSource(base: location)
    }
    return FolderReleaseSource(root: URL(fileURLWithPath: location))
}

/// A release folder on a disk.
final class FolderReleaseSource: ReleaseSource {
    let root: URL
    private(set) var bytesRead: Int64 = 0
    var isOnline: Bool { false }

    init(root: URL) { self.root = root }

    func localURL(_ path: String) -> URL? { root.appendingPathComponent(path) }

    func fetch(_ path: String, maximumSize: Int) throws -> Data? {
        let url = root.appendingPathComponent(path)
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        // One byte more than allowed tells "too large" without reading the rest.
        let data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        bytesRead += Int64(data.count)
        if data.count > maximumSize { throw UpdateRefusal.tooLarge(path, data.count, maximumSize) }
        return data
    }

    func read(_ path: String, from offset: Int64, size: Int64, into sink: any DownloadSink) throws {
        let url = root.appendingPathComponent(path)
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw UpdateRefusal.notFound(path) }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try sink.begin(at: offset)
        var left = size - offset
        while left > 0, let chunk = try handle.read(upToCount: Int(min(left, 1 << 20))), !chunk.isEmpty {
            try chunk.withUnsafeBytes { try sink.write($0) }
            bytesRead += Int64(chunk.count)
            left -= Int64(chunk.count)
        }
    }

    /// Counts bytes copied straight from `localURL`.
    func countRead(_ bytes: Int64) { bytesRead += bytes }
}
