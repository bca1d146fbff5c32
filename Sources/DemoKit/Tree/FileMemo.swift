import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Remembers the SHA-256 of files by fingerprint, so a file is read again only when
/// it changed: the build cache and the content store use it to skip rehashing
/// gigabytes. Entries are keyed by absolute path; thread-safe.
///
/// Stored as tab-separated lines (`path dev ino size mtime ctime sha256 time`): a
/// memo of every file of a large key must load in a fraction of a no-change rebuild,
/// which a JSON decoder of that many records would take whole.
final class FileMemo: @unchecked Sendable {
    struct Entry: Sendable, Equatable {
        var fingerprint: FileFingerprint
        /// Held as a digest: the output's memo holds an entry per file of the key
        /// through a rebuild (`HexDigest`).
        var digest: HexDigest
        /// When the hash was taken (ns since 1970): a file changed in the same clock
        /// tick as this can keep its fingerprint, see `sha256(of:)`.
        var time: Int64

        var sha256: String { digest.hex }

        /// Nil unless `sha256` is a SHA-256 in lowercase hex: then nothing is remembered,
        /// and the file is hashed again when next asked for.
        init?(fingerprint: FileFingerprint, sha256: String, time: Int64) {
            guard let digest = HexDigest(sha256) else { return nil }
            self.init(fingerprint: fingerprint, digest: digest, time: time)
        }

        init(fingerprint: FileFingerprint, digest: HexDigest, time: Int64) {
            self.fingerprint = fingerprint
            self.digest = digest
            self.time = time
        }
    }

    private var entries: [String: Entry]
    private let lock = NSLock()
    /// Margin for files edited just before they were hashed (racy files, as git calls
    /// them): kernels stamp times with a coarse clock.
    static let racyMargin: Int64 = 2_000_000_000

    init(entries: [String: Entry] = [:]) {
        self.entries = entries
    }

    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    func entry(_ path: String) -> Entry? {
        lock.withLock { entries[path] }
    }

    func record(_ path: String, _ entry: Entry?) {
        lock.withLock { entries[path] = entry }
    }

    var paths: [String] { lock.withLock { Array(entries.keys) } }

    /// How many files it remembers.
    var count: Int { lock.withLock { entries.count } }

    /// The remembered hash of `path` if its fingerprint is unchanged and it was not
    /// changed within `racyMargin` before it was hashed; nil otherwise.
    func trusted(_ path: String, _ current: FileFingerprint) -> Entry? {
        guard let entry = entry(path) else { return nil }
        if ignoresChangeTime, entry.time == .max, entry.fingerprint.sameContent(as: current) { return entry }
        guard entry.fingerprint == current, current.ctime + Self.racyMargin < entry.time else { return nil }
        return entry
    }

    /// The content store's memo: its objects are written once, by rename, and never
    /// in place, but hard links to them (from keys, from other stores) change their
    /// change time each time a key is built or removed. There, a file demokit itself
    /// verified is trusted while its device, inode, size and modification time hold.
    var ignoresChangeTime = false

    /// The file's size and SHA-256, from memory when the file has not changed, else
    /// read (and remembered).
    func sha256(of url: URL) throws -> (size: Int64, sha256: String) {
        try sha256(ofPath: url.path)
    }

    func sha256(ofPath path: String) throws -> (size: Int64, sha256: String) {
        let time = Self.now()
        guard let before = FileFingerprint.of(path) else {
            throw FileError(path: path, reason: bilingual("fichier introuvable ou illisible", "file missing or unreadable"))
        }
        if let known = trusted(path, before) { return (known.fingerprint.size, known.sha256) }
        let hashed = try FileHashing.sha256(fileAt: URL(fileURLWithPath: path))
        // Remembered only if it did not change while it was read.
        if FileFingerprint.of(path) == before, hashed.size == before.size,
            let entry = Entry(fingerprint: before, sha256: hashed.sha256, time: time)
        {
            record(path, entry)
        }
        return hashed
    }

    /// Remembers a file this process just wrote with known content. `time` 0 marks it
    /// as trusted at once: demokit's own outputs are not edited while it writes them.
    func remember(_ url: URL, sha256: String, size: Int64) {
        remember(path: url.path, sha256: sha256, size: size)
    }

    func remember(path: String, sha256: String, size: Int64) {
        guard let fingerprint = FileFingerprint.of(path), fingerprint.size == size,
            let entry = Entry(fingerprint: fingerprint, sha256: sha256, time: .max)
        else { return }
        record(path, entry)
    }

    /// Takes the fingerprint again after a metadata change (a hard link, a time stamp)
    /// of a file whose content is known not to have changed.
    func refresh(_ path: String) {
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

    static func load(from url: URL) -> FileMemo {
        guard let data = try? Data(contentsOf: url) else { return FileMemo() }
        var entries: [String: Entry] = [:]
        TSVLines.forEach(in: data) { bytes, fields in
            guard fields.count == 8, let digest = HexDigest(utf8: TSVLines.raw(bytes, fields[6])) else { return }
            func number(_ range: Range<Int>) -> Int64? { decimal(bytes, range) }
            guard let device = number(fields[1]), let inode = number(fields[2]), let size = number(fields[3]),
                let mtime = number(fields[4]), let ctime = number(fields[5]), let time = number(fields[7])
            else { return }
            let fingerprint = FileFingerprint(device: UInt64(device), inode: UInt64(inode), size: size, mtime: mtime, ctime: ctime)
            entries[TSVLines.text(bytes, fields[0])] = Entry(fingerprint: fingerprint, digest: digest, time: time)
        }
        return FileMemo(entries: entries)
    }

    /// A non-negative decimal number, or nil.
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 19 else { return nil }
        var value: Int64 = 0
        for index in range {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    /// One line of a memo's file (nil for a path that cannot be remembered).
    static func line(_ path: String, _ entry: Entry) -> String? {
        // A path with a tab or a line break is simply not remembered.
        guard TSVLines.canHold(path) else { return nil }
        let f = entry.fingerprint
        return "\(path)\t\(f.device)\t\(f.inode)\t\(f.size)\t\(f.mtime)\t\(f.ctime)\t\(entry.sha256)\t\(entry.time)\n"
    }

    /// Written beside and renamed over: a memo is never half-written.
    func save(to url: URL, keeping keep: (String) -> Bool = { _ in true }) throws {
        let snapshot = lock.withLock { entries }
        try FileMemo.writeReplacing(url) { file in
            // The paths sorted, not the entries: a sorted copy of the entries would add
            // to the build's peak memory at its end.
            for path in snapshot.keys.sorted() where keep(path) {
                if let line = Self.line(path, snapshot[path]!) { try file.write(line) }
            }
        }
    }

    static func writeReplacing(_ data: Data, to url: URL) throws {
        try writeReplacing(url) { try $0.write(data) }
    }

    /// Writes a file through a temporary one renamed over it. The cache's files have
    /// a line per file of the key: `body` writes them as they come rather than
    /// gathering them into one string first (peak memory).
    static func writeReplacing(_ url: URL, _ body: (BufferedFile) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(temporary, "création / create") }
        let file = BufferedFile(fd: fd, url: temporary)
        do {
            try body(file)
            try file.flush()
            let closed = close(fd)
            file.fd = -1
            guard closed == 0 else { throw FileHashing.posixError(temporary, "écriture / write") }
            guard rename(temporary.path, url.path) == 0 else { throw FileHashing.posixError(url, "renommage / rename") }
        } catch {
            if file.fd >= 0 { close(file.fd) }
            unlink(temporary.path)
            throw error
        }
    }

    /// Text and bytes gathered by the mebibyte before they are written.
    final class BufferedFile {
        fileprivate var fd: Int32
        let url: URL
        private var buffer: [UInt8] = []

        fileprivate init(fd: Int32, url: URL) {
            self.fd = fd
            self.url = url
            buffer.reserveCapacity(1 << 20)
        }

        func write(_ text: String) throws {
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 20 { try flush() }
        }

        func write(_ data: Data) throws {
            guard data.count >= 1 << 20 else {
                buffer.append(contentsOf: data)
                if buffer.count >= 1 << 20 { try flush() }
                return
            }
            try flush()
            try data.withUnsafeBytes { try FileHashing.writeAll(fd, $0, to: url) }
        }

        fileprivate func flush() throws {
            try buffer.withUnsafeBytes { try FileHashing.writeAll(fd, $0, to: url) }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// Tab-separated lines read as bytes: the build cache's files hold one line per file
/// of a key, and splitting them as `String`s would cost more than the rebuild's checks.
enum TSVLines {
    /// Whether `text` can be a field: no tab, no line break. From the bytes: with
    /// Foundation imported, `contains("\t")` is `NSString`'s search, and the cache
    /// asks it of every path it saves, twice per file of the key.
    static func canHold(_ text: some StringProtocol) -> Bool {
        !text.utf8.contains { $0 == 0x09 || $0 == 0x0A }
    }

    /// Calls `body` with each line's fields as byte ranges; a last line without a
    /// newline counts.
    static func forEach(in data: Data, _ body: (UnsafeBufferPointer<UInt8>, [Range<Int>]) -> Void) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var fields: [Range<Int>] = []
            fields.reserveCapacity(8)
            for index in 0...bytes.count {
                let byte: UInt8 = index < bytes.count ? bytes[index] : 0x0A
                if byte == 0x09 || byte == 0x0A {
                    fields.append(start..<index)
                    start = index + 1
                }
                guard byte == 0x0A else { continue }
                body(bytes, fields)
                fields.removeAll(keepingCapacity: true)
            }
        }
    }

    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    static func raw(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))
    }
}
