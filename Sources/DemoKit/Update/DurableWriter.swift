import Crypto
import Foundation

/// Every write the updater makes to a key goes through here: data is flushed
/// (`fsync`, which on Linux vfat also writes the directory entry and the FAT) before
/// anything relies on it, and bytes and operations are counted for the report.
///
/// FAT has no journal, and any `fsync` on Linux vfat writes the whole FAT, while a
/// directory's entries reach the disk only when that directory, or the file an entry
/// names, is flushed. So every change of a directory is flushed at once, in an order
/// where a power cut at any point leaves each entry on the disk naming clusters the
/// FAT still gives it: at worst some clusters belong to no file (space that
/// `fsck.fat -a` gives back), never a file that points at free or shared clusters.
///
/// Test hook: `DEMOKIT_TEST_CRASH_AFTER_WRITES=N` ends the process abruptly (`_exit`,
/// no cleanup, like a key pulled out) at the N-th write operation, so tests can stop
/// an update at every step.
public final class DurableWriter {
    private(set) var bytesWritten: Int64 = 0
    private(set) var operations = 0
    let crashAfter: Int?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        crashAfter = environment["DEMOKIT_TEST_CRASH_AFTER_WRITES"].flatMap { Int($0) }
    }

    /// Counts one write operation; the test hook stops the process here.
    func tick() {
        operations += 1
        if let crashAfter, operations >= crashAfter { _exit(75) }
    }

    /// Opens a new, empty file at `url`, removing what was there first: fusefat (and
    /// maybe other FAT drivers) ignores `O_TRUNC`, which would leave old bytes at the end.
    func createFresh(_ url: URL) throws -> FileDescriptor {
        if access(url.path, F_OK) == 0 {
            tick()
            guard unlink(url.path) == 0 else { throw FileHashing.posixError(url, bilingual("suppression", "removal")) }
            // The entry's removal reaches the disk before the FAT that frees its clusters.
            syncDirectory(url.deletingLastPathComponent())
        }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(url, "création / create") }
        return FileDescriptor(fd)
    }

    /// Writes `data` to a new file and flushes it.
    func write(_ data: Data, to url: URL) throws {
        let handle = try createFresh(url)
        try data.withUnsafeBytes { try writeAll(handle, $0, url) }
        try handle.sync(url)
        try handle.close(url)
    }

    /// Copies `source` into `destination` (created or, with `append`, extended),
    /// hashing everything `destination` ends up holding, flushes it, and checks the
    /// result against the expected size and SHA-256. A mismatch removes the copy.
    func copy(from source: URL, to destination: URL, expected: FileRecord) throws {
        let input = try FileHashing.openForReading(source)
        let inputHandle = FileDescriptor(input)
        defer { try? inputHandle.close(source) }
        let output = try createFresh(destination)
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: FileHashing.chunkSize)
        do {
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, FileHashing.chunkSize) }
                if count < 0 { throw FileHashing.posixError(source, "lecture / read") }
                if count == 0 { break }
                size += Int64(count)
                // Endless data: never write past what the manifest announced.
                if size > expected.size { throw UpdateRefusal.fileMismatch(expected.path) }
                try buffer.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                    hasher.update(bufferPointer: chunk)
                    try writeAll(output, chunk, destination)
                }
            }
            try output.sync(destination)
            try output.close(destination)
        } catch {
            try? output.close(destination)
            unlink(destination.path)
            syncDirectory(destination.deletingLastPathComponent())
            throw error
        }
        guard size == expected.size, FileHashing.hex(hasher.finalize()) == expected.sha256 else {
            unlink(destination.path)
            syncDirectory(destination.deletingLastPathComponent())
            throw UpdateRefusal.fileMismatch(expected.path)
        }
    }

    /// Appends a chunk to an open partial download.
    func append(_ chunk: UnsafeRawBufferPointer, to handle: FileDescriptor, _ url: URL) throws {
        try writeAll(handle, chunk, url)
    }

    func writeAll(_ handle: FileDescriptor, _ bytes: UnsafeRawBufferPointer, _ url: URL) throws {
        tick()
        try FileHashing.writeAll(handle.fd, bytes, to: url)
        bytesWritten += Int64(bytes.count)
    }

    /// Renames and flushes. Not atomic on FAT32: callers only rename content they can
    /// check again by hash. A cut leaves the destination's old content or its new one,
    /// never two names for the same clusters, and never a name for freed clusters:
    /// - the file being replaced stays open until its name points at the new content,
    ///   since Linux frees its clusters when its last descriptor closes (and the next
    ///   flush writes the FAT) while the entry is rewritten only when the renamed file
    ///   itself is flushed;
    /// - the source's entry goes first: a cut then leaves the new content under no
    ///   name (clusters lost, staged again by the rerun) rather than under two.
    func rename(_ source: URL, to destination: URL) throws {
        tick()
        let replaced = open(destination.path, O_RDONLY)
        defer { if replaced >= 0 { _ = posixClose(replaced) } }
        guard posixRename(source.path, destination.path) == 0 else { throw FileHashing.posixError(destination, "renommage / rename") }
        let folder = destination.deletingLastPathComponent()
        syncDirectory(source.deletingLastPathComponent())
        syncFile(destination)
        syncDirectory(folder)
    }

    /// Removes a file, or a folder and everything in it. By system calls: Foundation's
    /// `removeItem` fails on fusefat, which answers `unlink` on a folder with EPERM.
    func remove(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
                try remove(url.appendingPathComponent(name))
            }
        }
        tick()
        guard (isDirectory.boolValue ? rmdir(url.path) : unlink(url.path)) == 0 else {
            throw FileHashing.posixError(url, bilingual("suppression", "removal"))
        }
        // The entry's removal reaches the disk before the FAT that frees its clusters.
        syncDirectory(url.deletingLastPathComponent())
    }

    func createDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        tick()
        // The folders about to be made, outermost first.
        var created: [URL] = []
        var folder = url.standardizedFileURL
        while folder.path != "/", !FileManager.default.fileExists(atPath: folder.path) {
            created.insert(folder, at: 0)
            folder = folder.deletingLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            if let damaged = Self.damagedFolder(on: url) { throw Self.damagedFolderError(damaged) }
            throw FileError(path: url.path, reason: bilingual("création du dossier impossible", "cannot create folder") + ": \(error.localizedDescription)")
        }
        // The FAT first: a folder just made has nothing of its own to write, so its
        // fsync writes only the FAT, where the new folders' clusters are taken. Then
        // each new folder's entry, before files are flushed into it: otherwise they
        // would be on the disk under a folder that is not.
        if let innermost = created.last { syncDirectory(innermost) }
        syncDirectory(folder)
        for made in created { syncDirectory(made) }
    }

    /// The first folder on the way to `url` that the system refuses to read (EIO). Linux
    /// writes a new folder's entry and its first cluster (`.` and `..`) in one flush, in
    /// no set order: after a power cut in between, the entry names a cluster without them,
    /// and the kernel answers EIO for that folder until the file system is repaired.
    static func damagedFolder(on url: URL) -> String? {
        var path = ""
        for component in url.standardizedFileURL.pathComponents.dropFirst() {
            path += "/" + component
            var info = stat()
            if stat(path, &info) != 0 { return errno == EIO ? path : nil }
        }
        return nil
    }

    static func damagedFolderError(_ path: String) -> FileError {
        FileError(
            path: path,
            reason: bilingual(
                "dossier abîmé par une coupure pendant sa création, illisible jusqu'à la réparation de la clé",
                "folder damaged by a power cut while it was made, unreadable until the key is repaired"),
            hint: bilingual(
                "réparez le système de fichiers de la clé, puis relancez la même mise à jour (rien n'est perdu) : sous Windows « chkdsk E: /f », sous Linux « fsck.fat -a /dev/sdX1 » (clé démontée, à répéter tant qu'il trouve quelque chose)",
                "repair the key's file system, then run the same update again (nothing is lost): on Windows \"chkdsk E: /f\", on Linux \"fsck.fat -a /dev/sdX1\" (key unmounted, again while it finds something)"
            ))
    }

    /// Best effort: some file systems (FUSE ones among them) refuse `fsync` on a folder.
    func syncDirectory(_ url: URL) { Self.syncFolder(url) }

    static func syncFolder(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = posixClose(fd)
    }

    /// Flushes a file already written and flushed once: on Linux vfat this writes its
    /// directory entry (start cluster and size) where a rename put it. Best effort too.
    func syncFile(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = posixClose(fd)
    }
}

/// An open file descriptor, closed exactly once.
final class FileDescriptor {
    let fd: Int32
    private var isOpen = true

    init(_ fd: Int32) { self.fd = fd }

    /// The folder first: its fsync writes the FAT, where the file's new clusters are
    /// already taken, while the file's entry there still names none (Linux vfat writes
    /// the entry when the file itself is flushed). The file's fsync then writes its
    /// data and its entry. A cut between leaves clusters that belong to no file, never
    /// an entry naming clusters the FAT says are free.
    func sync(_ url: URL) throws {
        DurableWriter.syncFolder(url.deletingLastPathComponent())
        guard fsync(fd) == 0 else { throw FileHashing.posixError(url, "fsync") }
    }

    func close(_ url: URL) throws {
        guard isOpen else { return }
        isOpen = false
        guard posixClose(fd) == 0 else { throw FileHashing.posixError(url, "fermeture / close") }
    }

    deinit { if isOpen { _ = posixClose(fd) } }
}

// The system calls under names that members called write, rename and close do not shadow.
private func posixRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }
