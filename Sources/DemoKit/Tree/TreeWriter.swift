import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a planned tree into a folder, hashing every file as it is written, and
/// stamps files and folders with the build's fixed time.
///
/// Files are written by every core at once; a file whose bytes are
/// already in the previous build (same path, same SHA-256, file untouched since) is
/// hard-linked from it instead of written; demokit's own files (content store,
/// extracted base) are hard-linked when on the same file system.
struct TreeWriter: Sendable {
    var mtime: Date
    var progress: any ProgressReporter
    /// The previous build of the same output, to take unchanged files from.
    var previous: PreviousTree?
    /// Hashes of demokit's own files (the content store's memo).
    var ownedMemo: FileMemo
    var workers: Int
    /// False where the output's file system stores no modes (FAT32, see
    /// `OutputSwap.storesModes`): files and folders keep whatever it shows.
    var setsModes = true

    /// A previous build: its folder and what each of its files holds.
    struct PreviousTree: Sendable {
        let root: URL
        /// `root` as a path, for the 40,000 paths made from it.
        let rootPath: String
        /// Absolute paths of the previous build's files → their hash, trusted only while
        /// their fingerprint is unchanged.
        var memo: FileMemo

        /// Generated files: path → their key and bytes' hash, as last written.
        var pages: [String: PageRecord]

        init(root: URL, memo: FileMemo, pages: [String: PageRecord] = [:]) {
            self.root = root
            rootPath = TreeWriter.folderPath(root)
            self.memo = memo
            self.pages = pages
        }

        /// Size and hash of one of its files, if untouched since it was written.
        func known(_ path: String) -> (size: Int64, sha256: String)? {
            guard let fingerprint = FileFingerprint.of(path), let entry = memo.trusted(path, fingerprint)
            else { return nil }
            return (fingerprint.size, entry.sha256)
        }
    }

    /// A generated file's key and the hash of the bytes it gave. Both are held as
    /// digests (`HexDigest`): a rebuild holds one per page of the key.
    struct PageRecord: Sendable, Equatable {
        let keyDigest: HexDigest
        let sha256Digest: HexDigest
        let size: Int64

        var key: String { keyDigest.hex }
        var sha256: String { sha256Digest.hex }

        /// Nil unless both are SHA-256s in lowercase hex: such a page is not recorded,
        /// and rendered again by the next build.
        init?(key: String, sha256: String, size: Int64) {
            guard let keyDigest = HexDigest(key), let sha256Digest = HexDigest(sha256) else { return nil }
            self.init(keyDigest: keyDigest, sha256Digest: sha256Digest, size: size)
        }

        init(keyDigest: HexDigest, sha256Digest: HexDigest, size: Int64) {
            self.keyDigest = keyDigest
            self.sha256Digest = sha256Digest
            self.size = size
        }
    }

    /// How the bytes got there, for the report and the benchmark.
    struct Counts: Sendable {
        var written = 0
        var reused = 0
        var linked = 0
        /// Generated pages rendered (the others were taken by their keys); a rendered
        /// page with unchanged bytes is also counted as reused.
        var rendered = 0
    }

    init(mtime: Date, progress: any ProgressReporter = SilentProgress(), previous: PreviousTree? = nil, ownedMemo: FileMemo = FileMemo()) {
        self.mtime = mtime
        self.progress = progress
        self.previous = previous
        self.ownedMemo = ownedMemo
        workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    private(set) var counts = Counts()
    /// Keys of the generated files written (or taken) by this build.
    private(set) var pages: [String: PageRecord] = [:]
    /// Owned files hard-linked into the tree: their fingerprints change with the link.
    private(set) var linkedOwned: [String] = []
    /// The generated files' records, handed over and let go of (peak memory).
    mutating func takePages() -> [String: PageRecord] {
        defer { pages = [:] }
        return pages
    }

    /// What each file returned by `write` looked like once this build was done with
    /// it, where the writer saw it without another `stat`: a file it wrote from bytes
    /// (a rendered page). Nil for the others (copies, links, files stamped again),
    /// whose fingerprints a link or a later removal may still change. The build
    /// cache's memo of the output is made from these and `stat`s only the rest.
    private(set) var observed: [FileFingerprint?] = []

    /// The observed fingerprints, handed over and let go of.
    mutating func takeObserved() -> [FileFingerprint?] {
        defer { observed = [] }
        return observed
    }

    /// The owned files linked, handed over and let go of.
    mutating func takeLinkedOwned() -> [String] {
        defer { linkedOwned = [] }
        return linkedOwned
    }

    /// A tree being written: generated and in-memory files first (`writeGenerated`),
    /// then the copies (`finish`). Between the two, a build can refuse a key that does
    /// not fit before gigabytes are copied.
    struct Pass {
        let files: [PlannedFile]
        let folders: Set<String>
        let generated: [Int]
        let copies: [Int]
        let root: URL
        let shared: Shared
    }

    /// Makes the folders of `plan` in `root`, a new folder: no planned file is there yet.
    func begin(_ plan: TreePlan, into root: URL) throws -> Pass {
        let files = plan.sortedFiles
        let folderSet = folders(of: files)
        try createFolders(folderSet, in: root)
        let totalBytes = try plan.sizes().reduce(Int64(0)) { $0 + $1.size }
        return Pass(
            files: files, folders: folderSet, generated: Self.interleavedByFolder(files.indices.filter { files[$0].isGenerated }, files),
            copies: files.indices.filter { !files[$0].isGenerated }, root: root,
            shared: Shared(count: files.count, totalFiles: files.count, totalBytes: totalBytes))
    }

    /// The generated and in-memory files, and their records.
    func writeGenerated(_ pass: Pass) throws -> [FileRecord] {
        try run(pass.generated, pass.files, pass.root, pass.shared)
        // What rendering the pages freed goes back before the copies (peak memory).
        Memory.releaseFree()
        return pass.generated.compactMap { pass.shared.records[$0] }
    }

    /// The copies; then every file's record, in the plan's order.
    mutating func finish(_ pass: Pass) throws -> [FileRecord] {
        let shared = pass.shared
        try run(pass.copies, pass.files, pass.root, shared)
        counts = shared.counts
        linkedOwned = shared.linkedOwned
        pages = shared.pages
        let written = pass.files.indices.filter { shared.records[$0] != nil }
        observed = written.map { shared.observed[$0] }
        // Folders last: writing files inside them changed their times.
        for folder in pass.folders.sorted(by: >) {
            try stamp(pass.root.appendingPathComponent(folder, isDirectory: true).path, mode: 0o755)
        }
        return written.map { shared.records[$0]! }
    }

    /// The files of different folders in turn. Creating a file (or a link) takes its
    /// folder's lock: two workers on the 10,000 pages of one folder wait on each
    /// other, on two folders they do not.
    static func interleavedByFolder(_ indices: [Int], _ files: [PlannedFile]) -> [Int] {
        var groups: [[Int]] = []
        var groupOf: [Substring: Int] = [:]
        for index in indices {
            let path = files[index].path
            let folder = path[..<(path.lastIndex(of: "/") ?? path.startIndex)]
            if let group = groupOf[folder] {
                groups[group].append(index)
            } else {
                groupOf[folder] = groups.count
                groups.append([index])
            }
        }
        var result: [Int] = []
        result.reserveCapacity(indices.count)
        var round = 0
        while result.count < indices.count {
            for group in groups where round < group.count { result.append(group[round]) }
            round += 1
        }
        return result
    }

    /// State shared by the workers, behind one lock.
    final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var records: [FileRecord?]
        var observed: [FileFingerprint?]
        var counts = Counts()
        var linkedOwned: [String] = []
        var pages: [String: PageRecord] = [:]
        var next = 0
        var done = 0
        var bytes: Int64 = 0
        var failure: Error?
        let totalFiles: Int
        let totalBytes: Int64

        init(count: Int, totalFiles: Int, totalBytes: Int64) {
            records = Array(repeating: nil, count: count)
            observed = Array(repeating: nil, count: count)
            self.totalFiles = totalFiles
            self.totalBytes = totalBytes
        }
    }

    func run(_ indices: [Int], _ files: [PlannedFile], _ root: URL, _ shared: Shared) throws {
        let writer = self
        let rootPath = Self.folderPath(root)
        shared.next = 0
        DispatchQueue.concurrentPerform(iterations: min(workers, max(indices.count, 1))) { _ in
            while true {
                let position: Int? = shared.lock.withLock {
                    guard shared.failure == nil, shared.next < indices.count else { return nil }
                    defer { shared.next += 1 }
                    return shared.next
                }
                guard let position else { return }
                let index = indices[position]
                do {
                    let (record, how, key, rendered, seen) = try writer.writeOne(files[index], root, rootPath)
                    shared.lock.withLock {
                        shared.records[index] = record
                        shared.observed[index] = seen
                        if rendered { shared.counts.rendered += 1 }
                        if let key, let page = PageRecord(key: key, sha256: record.sha256, size: record.size) { shared.pages[record.path] = page }
                        switch how {
                        case .written: shared.counts.written += 1
                        case .reused: shared.counts.reused += 1
                        case let .linked(source):
                            shared.counts.linked += 1
                            shared.linkedOwned.append(source)
                        }
                        shared.done += 1
                        shared.bytes += record.size
                        writer.progress.advance(
                            files: shared.done, bytes: shared.bytes, totalFiles: shared.totalFiles, totalBytes: shared.totalBytes)
                    }
                } catch {
                    shared.lock.withLock { if shared.failure == nil { shared.failure = error } }
                    return
                }
            }
        }
        if let failure = shared.failure { throw failure }
    }

    enum How { case written, reused, linked(String) }

    /// The file's record, how it was placed, its page key, whether it was rendered,
    /// and its fingerprint if the writer saw it last (`observed`).
    func writeOne(_ file: PlannedFile, _ root: URL, _ rootPath: String) throws -> (FileRecord, How, String?, Bool, FileFingerprint?) {
        if case let .generated(make) = file.content {
            let (key, render) = try make()
            if let key, let known = previous?.pages[file.path], known.keyDigest == HexDigest(key),
                try reuse(file.path, known.sha256, known.size, rootPath + "/" + file.path)
            {
                return (FileRecord(path: file.path, size: known.size, sha256: known.sha256, role: file.role), .reused, key, false, nil)
            }
            let data = try render()
            let (sha256, how, seen) = try writeBytes(data, file, root.appendingPathComponent(file.path, isDirectory: false))
            return (FileRecord(path: file.path, size: Int64(data.count), sha256: sha256, role: file.role), how, key, true, seen)
        }
        let (record, how, seen) = try writeOther(file, root)
        return (record, how, nil, false, seen)
    }

    func writeOther(_ file: PlannedFile, _ root: URL) throws -> (FileRecord, How, FileFingerprint?) {
        // `isDirectory` given: without it Foundation asks the file system (a `stat`
        // per file).
        let destination = root.appendingPathComponent(file.path, isDirectory: false)
        func record(_ size: Int64, _ sha256: String) -> FileRecord {
            FileRecord(path: file.path, size: size, sha256: sha256, role: file.role)
        }
        switch file.content {
        case let .bytes(data):
            let (sha256, how, seen) = try writeBytes(data, file, destination)
            return (record(Int64(data.count), sha256), how, seen)
        case .generated:
            preconditionFailure("generated files are written by writeOne")
        case let .copy(source):
            let hashed = try FileHashing.copyAndHash(from: source, to: destination, newFile: true)
            try stamp(destination.path, mode: 0o644)
            return (record(hashed.size, hashed.sha256), .written, nil)
        case let .owned(source):
            // A file of the previous build (the base system taken from it) is known
            // by the output's memo; demokit's other files by the store's. One changed
            // since the build checked it is no longer the ISO's: refused, not hashed.
            let fromPrevious = previous.map { source.path.hasPrefix($0.rootPath + "/") } ?? false
            let known: (size: Int64, sha256: String)
            if fromPrevious {
                guard let previousKnown = previous?.known(source.path) else {
                    throw FileError(
                        path: source.path,
                        reason: bilingual("fichier modifié pendant la construction", "file changed during the build"),
                        hint: bilingual("relancez la construction", "run the build again"))
                }
                known = previousKnown
            } else {
                known = try ownedMemo.sha256(of: source)
            }
            if try reuse(file.path, known.sha256, known.size, destination.path) {
                return (record(known.size, known.sha256), .reused, nil)
            }
            let (how, copied) = try place(source, at: destination)
            if let copied {
                // Copied: the copy's own hash, taken while writing, is what is on the key.
                guard copied == known.sha256 else {
                    throw FileError(path: source.path, reason: bilingual("fichier modifié pendant la copie", "file changed while copied"))
                }
            }
            try stamp(destination.path, mode: 0o644)
            return (record(known.size, known.sha256), how, nil)
        }
    }

    /// Writes bytes, or links the previous build's identical file; with the written
    /// file's fingerprint once stamped.
    func writeBytes(_ data: Data, _ file: PlannedFile, _ destination: URL) throws -> (String, How, FileFingerprint?) {
        let sha256 = FileHashing.sha256(of: data)
        if try reuse(file.path, sha256, Int64(data.count), destination.path) { return (sha256, .reused, nil) }
        let fd = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(destination, "création / create") }
        defer { close(fd) }
        try data.withUnsafeBytes { try FileHashing.writeAll(fd, $0, to: destination) }
        try stamp(fd: fd, destination.path, mode: 0o644)
        return (sha256, .written, FileFingerprint.of(fd: fd))
    }

    /// Hard-links the previous build's file at the same path when it holds these
    /// bytes and was not touched since it was written. False: not taken.
    func reuse(_ path: String, _ sha256: String, _ size: Int64, _ destination: String) throws -> Bool {
        guard let previous else { return false }
        let old = previous.rootPath + "/" + path
        guard let fingerprint = FileFingerprint.of(old), fingerprint.size == size,
            let known = previous.memo.entry(old), known.fingerprint == fingerprint, known.digest == HexDigest(sha256),
            link(old, destination) == 0
        else { return false }
        // Its mode is still 0644 (the memo's change time is the one recorded after the
        // previous build stamped it); its time is this build's unless the kit's date moved.
        if fingerprint.mtime != stampTime.nanosecondsSince1970 { try stamp(destination, mode: 0o644) }
        return true
    }

    /// A folder's path without a trailing slash: files' paths are made by adding
    /// "/" and their relative path, not by building a `URL` (40,000 times a build).
    static func folderPath(_ folder: URL) -> String {
        var path = folder.path
        if path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The build's time as `futimens` takes it.
    var stampTime: (seconds: Int, nanoseconds: Int, nanosecondsSince1970: Int64) {
        let seconds = Int(mtime.timeIntervalSince1970.rounded(.down))
        let nanoseconds = Int((mtime.timeIntervalSince1970 - Double(seconds)) * 1e9)
        return (seconds, nanoseconds, Int64(seconds) * 1_000_000_000 + Int64(nanoseconds))
    }

    /// Hard link, or copy when the store is on another file system.
    /// Returns how, and for a copy the hash of what was written.
    func place(_ source: URL, at destination: URL) throws -> (How, String?) {
        if link(source.path, destination.path) == 0 { return (.linked(source.path), nil) }
        return (.written, try FileHashing.copyAndHash(from: source, to: destination, newFile: true).sha256)
    }

    /// The folder part of a relative path ("" at the top), from its bytes.
    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    /// The folders that hold the files, from their paths' bytes (not through
    /// `NSString`, once per file); files are sorted, so a file in the same
    /// folder as the one before adds nothing.
    func folders(of files: [PlannedFile]) -> Set<String> {
        var folders: Set<String> = []
        var last: Substring = ""
        let slash = UInt8(ascii: "/")
        for file in files {
            let path = Substring(file.path)
            guard let end = path.utf8.lastIndex(of: slash) else { continue }
            var folder = path[..<end]
            if folder == last { continue }
            last = folder
            while folders.insert(String(folder)).inserted, let up = folder.utf8.lastIndex(of: slash) {
                folder = folder[..<up]
            }
        }
        return folders
    }

    func createFolders(_ folders: Set<String>, in root: URL) throws {
        for folder in folders.sorted() {
            let url = root.appendingPathComponent(folder, isDirectory: true)
            guard mkdir(url.path, 0o755) == 0 || errno == EEXIST else {
                throw FileError(
                    path: url.path, reason: bilingual("création du dossier impossible", "cannot create folder") + ": \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Fixed time and mode (0644 files, 0755 folders), whatever the umask; left alone
    /// when already right, so a linked file's fingerprint does not change for nothing.
    func stamp(_ path: String, mode: mode_t) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileHashing.posixError(URL(fileURLWithPath: path), "ouverture / open") }
        defer { close(fd) }
        try stamp(fd: fd, path, mode: mode)
    }

    func stamp(fd: Int32, _ path: String, mode: mode_t) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileHashing.posixError(URL(fileURLWithPath: path), "stat") }
        let (seconds, nanoseconds, _) = stampTime
        if setsModes, info.st_mode & 0o7777 != mode {
            guard fchmod(fd, mode) == 0 else { throw FileHashing.posixError(URL(fileURLWithPath: path), "chmod") }
        }
        if info.st_mtim.tv_sec != seconds || info.st_mtim.tv_nsec != nanoseconds {
            var times = [timespec(tv_sec: seconds, tv_nsec: nanoseconds), timespec(tv_sec: seconds, tv_nsec: nanoseconds)]
            guard futimens(fd, &times) == 0 else { throw FileHashing.posixError(URL(fileURLWithPath: path), "utimens") }
        }
    }
}
