import Foundation

/// What a path of a manifest may be, so that writing it on a FAT32 key can neither
/// escape the key nor clobber another file or demokit's own bookkeeping.
enum PathRules {
    /// 4 GiB: FAT32 stores sizes on 32 bits.
    static let maximumFileSize: Int64 = 1 << 32
    /// demokit's own files on a key: never written from a manifest's file list.
    static let reservedPrefixes = ["demokit/manifest.json", "demokit/trust.json", "demokit/update-state", "demokit/.update"]

    /// Why `path` cannot be written on a FAT32 key, or nil when it can.
    static func problem(with path: String) -> String? {
        if path.isEmpty { return bilingual("chemin vide", "empty path") }
        if path.hasPrefix("/") || path.hasPrefix("\\") { return bilingual("chemin absolu", "absolute path") }
        if path.utf16.count > 240 { return bilingual("chemin trop long", "path too long") }
        // The FAT32 and Windows rules the build checks too (absolute or climbing paths,
        // reserved device names, forbidden or control characters, trailing dots).
        if let problem = FAT32Rules.check(path: path).first { return problem.message }
        let lower = path.lowercased()
        if reservedPrefixes.contains(where: { lower == $0 || lower.hasPrefix($0 + "/") || lower.hasPrefix($0 + ".") || lower.hasPrefix($0 + "-") }) {
            return bilingual("chemin réservé à demokit", "path reserved for demokit")
        }
        return nil
    }

    /// Checks every file of a manifest: paths, sizes, hashes, and collisions once case
    /// is folded (FAT32 ignores case) or a file stands where another needs a folder.
    static func check(_ files: [FileRecord]) throws {
        var seen: [String: String] = [:]
        for file in files {
            if let problem = problem(with: file.path) { throw UpdateRefusal.unsafePath(file.path, problem) }
            if file.size < 0 || file.size >= maximumFileSize { throw UpdateRefusal.fileTooLarge(file.path, file.size) }
            guard file.sha256.count == 64, file.sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw UpdateRefusal.unsafePath(file.path, bilingual("empreinte SHA-256 invalide", "invalid SHA-256"))
            }
            let folded = file.path.uppercased()
            if let other = seen[folded] {
                throw UpdateRefusal.unsafePath(
                    file.path, bilingual("même nom que « \(other) » sur FAT32 (casse ignorée)", "same name as \"\(other)\" on FAT32 (case ignored)"))
            }
            seen[folded] = file.path
        }
        // A file named like a folder of another file ("a" and "a/b").
        for file in files {
            for parent in parents(of: file.path) {
                if let other = seen[parent.uppercased()] {
                    throw UpdateRefusal.unsafePath(
                        file.path, bilingual("« \(other) » est un fichier, pas un dossier", "\"\(other)\" is a file, not a folder"))
                }
            }
        }
    }

    /// The folders above a relative `/`-separated path, nearest first: `a/b/c` → `a/b`, `a`.
    /// (Not `NSString.deletingLastPathComponent`: on Linux it traps on a one-character
    /// string such as `a`, which a manifest can name; found by Fuzz/FuzzUpdateManifest.)
    static func parents(of path: String) -> [String] {
        var result: [String] = []
        var rest = Substring(path)
        while let slash = rest.lastIndex(of: "/") {
            rest = rest[..<slash]
            if !rest.isEmpty { result.append(String(rest)) }
        }
        return result
    }
}
