import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `lstat` says of a regular file: device, inode, size, modification and change
/// times in nanoseconds. Writing a file, or even setting its time back, changes its
/// change time (ctime), which no user call can set; so a file with the same
/// fingerprint as when it was hashed still has the same content (as git's index
/// assumes), except when it is changed again within the same clock tick — see
/// `FileMemo.sha256(of:)`.
public struct FileFingerprint: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var mtime: Int64
    public var ctime: Int64

    /// Nil for a missing file or anything but a regular file (links are followed).
    public static func of(_ path: String) -> FileFingerprint? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileFingerprint(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            mtime: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            ctime: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }
}

/// Remembers the SHA-256 of files by fingerprint, so a file is read again only when
/// it changed: the build cache and the content store use it to skip rehashing
/// gigabytes. Entries are keyed by absolute path; thread-safe.
///
/// Stored as tab-separated lines (`path dev ino size mtime ctime sha256 time`): a
/// memo of 50,000 files must load in milliseconds for a no-change rebuild, and a
/// JSON decoder takes a large part of a second for that many records.
public final class FileMemo: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public var fingerprint: FileFingerprint
        public var sha256: String
        /// When the hash was taken (ns since 1970): a file changed in the same clock
        /// tick as this can keep its fingerprint, see `sha256(of:)`.
        public var time: Int64
    }

    private var entries: [String: Entry]
    private let lock = NSLock()
    /// Margin for files edited just before they were hashed (racy files, as git calls
    /// them): kernels stamp times with a coarse clock.
    static let racyMargin: Int64 = 2_000_000_000

    public init(entries: [String: Entry] = [:]) {
        self.entries = entries
    }

    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    public func entry(_ path: String) -> Entry? {
        lock.withLock { entries[path] }
    }

    public func record(_ path: String, _ entry: Entry?) {
        lock.withLock { entries[path] = entry }
    }

    public var paths: [String] { lock.withLock { Array(entries.keys) } }

    /// The remembered hash of `path` if its fingerprint is unchanged and it was not
    /// changed within `racyMargin` before it was hashed; nil otherwise.
    public func trusted(_ path: String, _ current: FileFingerprint) -> Entry? {
        guard let entry = entry(path), entry.fingerprint == current, current.ctime + Self.racyMargin < entry.time else { return nil }
        return entry
    }

    /// The file's size and SHA-256, from memory when the file has not changed, else
    /// read (and remembered).
    public func sha256(of url: URL) throws -> (size: Int64, sha256: String) {
        let path = url.path
        let time = Self.now()
        guard let before = FileFingerprint.of(path) else {
            throw FileError(path: path, reason: bilingual("fichier introuvable ou illisible", "file missing or unreadable"))
        }
        if let known = trusted(path, before) { return (known.fingerprint.size, known.sha256) }
        let hashed = try FileHashing.sha256(fileAt: url)
        // Remembered only if it did not change while it was read.
        if FileFingerprint.of(path) == before, hashed.size == before.size {
            record(path, Entry(fingerprint: before, sha256: hashed.sha256, time: time))
        }
        return hashed
    }

    /// Remembers a file this process just wrote with known content. `time` 0 marks it
    /// as trusted at once: demokit's own outputs are not edited while it writes them.
    public func remember(_ url: URL, sha256: String, size: Int64) {
        guard let fingerprint = FileFingerprint.of(url.path), fingerprint.size == size else { return }
        record(url.path, Entry(fingerprint: fingerprint, sha256: sha256, time: .max))
    }

    /// Takes the fingerprint again after a metadata change (a hard link, a time stamp)
    /// of a file whose content is known not to have changed.
    public func refresh(_ path: String) {
        lock.withLock {
            guard var entry = entries[path], let fingerprint = FileFingerprint.of(path), fingerprint.size == entry.fingerprint.size else {
                entries[path] = nil
                return
            }
            entry.fingerprint = fingerprint
            entry.time = .max
            entries[path] = entry
        }
    }

    // MARK: Storage

    public static func load(from url: URL) -> FileMemo {
        guard let data = try? Data(contentsOf: url) else { return FileMemo() }
        var entries: [String: Entry] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            guard fields.count == 8,
                let device = UInt64(ascii: fields[1]), let inode = UInt64(ascii: fields[2]), let size = Int64(ascii: fields[3]),
                let mtime = Int64(ascii: fields[4]), let ctime = Int64(ascii: fields[5]), let time = Int64(ascii: fields[7]),
                fields[6].count == 64
            else { continue }
            let fingerprint = FileFingerprint(device: device, inode: inode, size: size, mtime: mtime, ctime: ctime)
            entries[String(decoding: fields[0], as: UTF8.self)] = Entry(
                fingerprint: fingerprint, sha256: String(decoding: fields[6], as: UTF8.self), time: time)
        }
        return FileMemo(entries: entries)
    }

    /// Written beside and renamed over: a memo is never half-written.
    public func save(to url: URL, keeping keep: (String) -> Bool = { _ in true }) throws {
        var text = ""
        let snapshot = lock.withLock { entries }
        for (path, entry) in snapshot.sorted(by: { $0.key < $1.key }) where keep(path) {
            // A path with a tab or a line break is simply not remembered.
            guard !path.contains("\t"), !path.contains("\n") else { continue }
            let f = entry.fingerprint
            text += "\(path)\t\(f.device)\t\(f.inode)\t\(f.size)\t\(f.mtime)\t\(f.ctime)\t\(entry.sha256)\t\(entry.time)\n"
        }
        try FileMemo.writeReplacing(Data(text.utf8), to: url)
    }

    static func writeReplacing(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw FileHashing.posixError(url, "renommage / rename")
        }
    }
}

extension FixedWidthInteger {
    init?(ascii bytes: some Collection<UInt8>) {
        self.init(String(decoding: bytes, as: UTF8.self))
    }
}
