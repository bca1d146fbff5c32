import CArchive
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Builds into a hidden staging folder beside the output and moves it into place only
/// when complete: a failed or interrupted build never leaves a half-written key at `--out`.
///
/// Where the file system has hard links, the key replaced by a build is not removed:
/// it is kept beside the output as the *spare* (`.<name>.demokit-spare`), and the next
/// build is written over it. Most of its files are the output's own (the same inodes,
/// linked by the build that made the output), so a rebuild after a small change has
/// a few files to write and none to link or remove, where it had 46,000 names to
/// create and 46,000 to unlink (issue 8). What the spare holds is never trusted:
/// a file is kept only when it is the output's file at the same path, whose hash the
/// build checked; anything else is removed or written again (`SpareTree`).
public struct OutputSwap {
    public let output: URL
    public let staging: URL
    /// Where the replaced key is kept for the next build.
    public let spare: URL
    /// The staging folder is an earlier tree (the spare, or a build cut short) to be
    /// updated in place, not an empty folder.
    public let stagingHoldsATree: Bool
    /// Hard links work beside the output: a spare is worth keeping (on FAT32 it would
    /// be a second full copy of the key).
    public let keepsSpare: Bool
    /// File modes can be set beside the output. FAT32 stores none: kernel vfat refuses
    /// a mode it cannot keep, fusefat has no chmod at all. There the tree is written
    /// without them, so a key can be built straight onto a mounted stick.
    public let storesModes: Bool

    /// Marks a folder as a demokit key, so replacing it is safe.
    static let marker = "demokit/manifest.json"

    /// `keepSpare`: false removes the previous key after the swap, even where hard
    /// links would allow a spare (and any spare left).
    public init(output: URL, keepSpare: Bool = true) throws {
        self.output = output.standardizedFileURL
        let parent = self.output.deletingLastPathComponent()
        let name = self.output.lastPathComponent
        staging = parent.appendingPathComponent(".\(name).staging-\(ProcessInfo.processInfo.processIdentifier)")
        spare = parent.appendingPathComponent(".\(name).demokit-spare")
        let fm = FileManager.default
        try Self.refuseForeignFolder(self.output)
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            keepsSpare = keepSpare && Self.hardLinksWork(in: parent.path)
            storesModes = Self.modesWork(in: parent.path)
            guard Self.renamedFoldersKeepTheirFiles(in: parent.path) else {
                throw FileError(
                    path: parent.path,
                    reason: bilingual(
                        "ce système de fichiers vide les dossiers qu'on renomme (fusefat le fait) : la clé ne peut pas y être remplacée sans perte. Construisez-la dans un dossier local (--out build/kit) puis copiez ce dossier sur la clé",
                        "this file system empties folders when they are renamed (fusefat does): the key cannot be replaced there safely. Build it in a local folder (--out build/kit), then copy that folder to the key"
                    ))
            }
            // The tree to write over: the spare, else the staging folder of a build cut
            // short; other leftovers of interrupted builds are removed.
            var tree: String? = nil
            if keepsSpare, Self.isFolder(spare.path) { tree = spare.path }
            for item in ((try? fm.contentsOfDirectory(atPath: parent.path)) ?? []).sorted()
            where item.hasPrefix(".\(name).staging-") || item.hasPrefix(".\(name).old-") || item == spare.lastPathComponent {
                let path = parent.appendingPathComponent(item).path
                if path == tree { continue }
                if keepsSpare, tree == nil, item.hasPrefix(".\(name).staging-"), Self.isFolder(path) {
                    tree = path
                } else {
                    TreeRemoval.remove(path)
                }
            }
            if let tree, rename(tree, staging.path) == 0 {
                stagingHoldsATree = true
            } else {
                if let tree { TreeRemoval.remove(tree) }
                try fm.createDirectory(at: staging, withIntermediateDirectories: true)
                stagingHoldsATree = false
            }
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(
                path: parent.path,
                reason: bilingual("impossible de préparer le dossier de sortie", "cannot prepare the output folder") + ": \(error.localizedDescription)")
        }
    }

    /// Refuses to replace a non-empty folder that is not a demokit key (a typo in
    /// `--out` must never wipe someone's documents).
    static func refuseForeignFolder(_ url: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw FileError(path: url.path, reason: bilingual("existe déjà et n'est pas un dossier", "already exists and is not a folder"))
        }
        let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        if !contents.isEmpty && !fm.fileExists(atPath: url.appendingPathComponent(marker).path) {
            throw FileError(
                path: url.path,
                reason: bilingual(
                    "ce dossier n'est pas vide et ne contient pas de clé demokit : il ne sera pas remplacé",
                    "this folder is not empty and holds no demokit key: it will not be replaced"),
                hint: bilingual("choisissez un dossier vide ou inexistant avec --out", "choose an empty or new folder with --out"))
        }
    }

    /// Puts the staging folder in place of the output. The previous key becomes the
    /// spare, exchanged with the staging folder in one step where the system can
    /// (`renameat2`), else by two renames. Without hard links it is moved aside and
    /// removed while the caller goes on: `wait()` on what this returns before taking
    /// the new key's fingerprints (unlinking the old names of files linked from it
    /// changes their change times) and before exiting. (A removal cut short leaves a
    /// hidden folder that the next build removes.)
    @discardableResult
    public func commit() throws -> Removal {
        let fm = FileManager.default
        let parent = output.deletingLastPathComponent()
        let old = keepsSpare ? spare : parent.appendingPathComponent(".\(output.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            guard fm.fileExists(atPath: output.path) else {
                try fm.moveItem(at: staging, to: output)
                return Removal(nil)
            }
            if keepsSpare, demokit_exchange_paths(staging.path, output.path) == 0 {
                // The staging folder's name now holds the previous key.
                if rename(staging.path, spare.path) != 0 { TreeRemoval.remove(staging.path) }
                return Removal(nil)
            }
            try fm.moveItem(at: output, to: old)
            try fm.moveItem(at: staging, to: output)
            return Removal(keepsSpare ? nil : old.path)
        } catch {
            // Put the previous key back if it was moved aside.
            if !fm.fileExists(atPath: output.path), fm.fileExists(atPath: old.path) {
                try? fm.moveItem(at: old, to: output)
            }
            throw FileError(
                path: output.path,
                reason: bilingual("impossible de mettre la clé en place", "cannot move the key into place") + ": \(error.localizedDescription)")
        }
    }

    /// After a failed build: the staging folder is kept as the spare where hard links
    /// work (the next build checks every file of it anyway), else removed.
    public func discard() {
        if keepsSpare, !FileManager.default.fileExists(atPath: spare.path), rename(staging.path, spare.path) == 0 { return }
        TreeRemoval.remove(staging.path)
    }

    /// Whether a file can be hard-linked in `folder`: a probe file, linked and removed.
    static func hardLinksWork(in folder: String) -> Bool {
        let probe = folder + "/.demokit-link-probe-\(ProcessInfo.processInfo.processIdentifier)"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        close(fd)
        defer {
            unlink(probe)
            unlink(probe + "-link")
        }
        return link(probe, probe + "-link") == 0
    }

    /// Whether a folder renamed in `folder` keeps its files. The key is swapped in by
    /// renaming folders; fusefat accepts the rename and loses the folder's contents,
    /// which would destroy the previous key.
    static func renamedFoldersKeepTheirFiles(in folder: String) -> Bool {
        let probe = folder + "/.demokit-rename-probe-\(ProcessInfo.processInfo.processIdentifier)"
        defer {
            for path in [probe + "/f", probe + "-renamed/f"] { unlink(path) }
            for path in [probe, probe + "-renamed"] { rmdir(path) }
        }
        guard mkdir(probe, 0o755) == 0 else { return false }
        let fd = open(probe + "/f", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        close(fd)
        guard rename(probe, probe + "-renamed") == 0 else { return false }
        // Listed, not looked up: the kernel's name cache answers a lookup of the moved
        // file even when the folder is empty on disk.
        var names: [String] = []
        return FileWalk.forEachEntry(in: probe + "-renamed") { name, _, _ in names.append(name) } && names == ["f"]
    }

    /// Whether modes stick in `folder`: a probe file made 0600, then 0644.
    static func modesWork(in folder: String) -> Bool {
        let probe = folder + "/.demokit-mode-probe-\(ProcessInfo.processInfo.processIdentifier)"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer {
            close(fd)
            unlink(probe)
        }
        var info = stat()
        for mode: mode_t in [0o600, 0o644] {
            guard fchmod(fd, mode) == 0, fstat(fd, &info) == 0, info.st_mode & 0o7777 == mode else { return false }
        }
        return true
    }

    static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// The previous key being removed on a thread of its own.
    public final class Removal: @unchecked Sendable {
        private let work: BackgroundWork?

        init(_ path: String?) {
            work = path.map { path in BackgroundWork { TreeRemoval.remove(path) } }
        }

        /// Returns once the previous key is gone.
        public func wait() {
            work?.wait()
        }
    }
}
