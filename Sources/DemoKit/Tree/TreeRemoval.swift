import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Removes a folder and all it holds: a previous key after a rebuild, a staging
/// folder after a failed one. Written by hand because `FileManager`'s `removeItem`
/// looks at every entry through Foundation, one after the other, which a one-entry
/// rebuild of a large key waits for. Here the folders are listed with
/// `readdir` and emptied several at once — `unlink` in one folder waits for that
/// folder's lock, in different folders it does not — then removed deepest first.
/// Symbolic links are removed, never followed.
enum TreeRemoval {
    /// Removes `path` (a folder, a file or a link); nothing when it does not exist.
    /// Returns false if something could not be removed.
    @discardableResult
    static func remove(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        guard info.st_mode & S_IFMT == S_IFDIR else { return unlink(path) == 0 }
        var folders: [(path: String, files: [String])] = []
        list(path, into: &folders)
        let done = parallelMap(folders, order: folders.indices.sorted { folders[$0].files.count > folders[$1].files.count }, workers: diskWorkers) {
            folder in
            folder.files.allSatisfy { unlink(folder.path + "/" + $0) == 0 || errno == ENOENT }
        }
        // Listed parents first: removed children first.
        var removed = true
        for folder in folders.reversed() where rmdir(folder.path) != 0 && errno != ENOENT { removed = false }
        return removed && done.allSatisfy { $0 }
    }

    /// `path` and the folders below it, parents before children, each with the names
    /// of what is not a folder in it.
    private static func list(_ path: String, into folders: inout [(path: String, files: [String])]) {
        var files: [String] = []
        var children: [String] = []
        let opened = FileWalk.forEachEntry(in: path) { name, entryType in
            var type = entryType
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                if lstat(path + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { type = UInt8(DT_DIR) }
            }
            if type == UInt8(DT_DIR) { children.append(name) } else { files.append(name) }
        }
        guard opened else {
            folders.append((path, []))
            return
        }
        folders.append((path, files))
        for child in children { list(path + "/" + child, into: &folders) }
    }
}
