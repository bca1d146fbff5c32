import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An earlier tree that a build writes over (`OutputSwap`'s spare): what is not
/// planned is removed first, and the planned files already there are listed with
/// their inodes, for `TreeWriter` to keep those that are the previous key's own file
/// at the same path and to replace the others.
///
/// Written with `readdir`, whose entries carry the inode: listing 46,000 files costs
/// no `stat` of them (issue 8). Links and anything else that is not a regular file or
/// a folder are removed, never followed.
enum SpareTree {
    /// Removes from `root` every entry that is neither one of `files` nor a folder of
    /// `folders` (paths relative to `root`), and returns the files that are left,
    /// with their inodes. `root` itself stays.
    static func prune(_ root: String, files: Set<String>, folders: Set<String>) -> [String: UInt64] {
        var present: [String: UInt64] = [:]
        present.reserveCapacity(files.count)
        var removals: [String] = []
        visit(root, "", files, folders, &present, &removals)
        for path in removals { TreeRemoval.remove(path) }
        return present
    }

    /// Makes room for a file written into the tree before it is pruned (the catalogue
    /// database): what is in place of its folders and is not a folder is removed, and
    /// so is what is at its path.
    static func makeRoom(for path: String, in root: String) {
        var folder = root
        for component in path.split(separator: "/").dropLast() {
            folder += "/" + component
            var info = stat()
            if lstat(folder, &info) == 0, info.st_mode & S_IFMT != S_IFDIR { TreeRemoval.remove(folder) }
        }
        TreeRemoval.remove(root + "/" + path)
    }

    private static func visit(
        _ folder: String, _ relative: String, _ files: Set<String>, _ folders: Set<String>, _ present: inout [String: UInt64],
        _ removals: inout [String]
    ) {
        var children: [(String, String)] = []
        FileWalk.forEachEntry(in: folder) { name, entryType, inode in
            let path = folder + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            var type = entryType
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                if lstat(path, &info) == 0 {
                    let format = info.st_mode & S_IFMT
                    type = format == S_IFDIR ? UInt8(DT_DIR) : format == S_IFREG ? UInt8(DT_REG) : UInt8(DT_LNK)
                }
            }
            if type == UInt8(DT_DIR), folders.contains(relativePath) {
                children.append((path, relativePath))
            } else if type == UInt8(DT_REG), let index = files.firstIndex(of: relativePath) {
                // Keyed by the plan's own string, not the one made here: 46,000 fewer
                // heap blocks held while the pages are rendered (peak memory, issue 8).
                present[files[index]] = inode
            } else {
                removals.append(path)
            }
        }
        for (path, relativePath) in children { visit(path, relativePath, files, folders, &present, &removals) }
    }
}
