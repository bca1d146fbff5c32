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
struct FileFingerprint: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var mtime: Int64
    var ctime: Int64

    /// The same file with the same size and modification time (change time aside).
    func sameContent(as other: FileFingerprint) -> Bool {
        device == other.device && inode == other.inode && size == other.size && mtime == other.mtime
    }

    /// Nil for a missing file or anything but a regular file (links are followed).
    static func of(_ path: String) -> FileFingerprint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return of(info)
    }

    /// `path` relative to the open folder `folder`: no absolute path to make.
    static func of(_ path: String, in folder: Int32) -> FileFingerprint? {
        var info = stat()
        guard fstatat(folder, path, &info, 0) == 0 else { return nil }
        return of(info)
    }

    /// The open file `fd`'s.
    static func of(fd: Int32) -> FileFingerprint? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return of(info)
    }

    private static func of(_ info: stat) -> FileFingerprint? {
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileFingerprint(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            mtime: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            ctime: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }
}

extension FileFingerprint {
    /// The fingerprint in one word (`inode-size-mtime-ctime`), for identities kept in
    /// caches: another file, or the same file written again, gives another word.
    var word: String { "\(inode)-\(size)-\(mtime)-\(ctime)" }
}
