import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Builds into a hidden staging folder beside the output and moves it into place only
/// when complete: a failed or interrupted build never leaves a half-written key at `--out`.
/// The key it replaces is moved aside and removed on a thread of its own (`Removal`).
struct OutputSwap {
    let output: URL
    let staging: URL
    /// File modes can be set beside the output. FAT32 stores none: kernel vfat refuses
    /// a mode it cannot keep, fusefat has no chmod at all. There the tree is written
    /// without them, so a key can be built straight onto a mounted stick.
    let storesModes: Bool

    /// Marks a folder as a demokit key, so replacing it is safe.
    static let marker = "demokit/manifest.json"

    init(output: URL) throws {
        self.output = output.standardizedFileURL
        let parent = self.output.deletingLastPathComponent()
        let name = self.output.lastPathComponent
        staging = parent.appendingPathComponent(".\(name).staging-\(ProcessInfo.processInfo.processIdentifier)")
        let fm = FileManager.default
        try Self.refuseForeignFolder(self.output)
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            storesModes = Self.modesWork(in: parent.path)
            guard Self.renamedFoldersKeepTheirFiles(in: parent.path) else {
                throw FileError(
                    path: parent.path,
                    reason: bilingual(
                        "ce système de fichiers vide les dossiers qu'on renomme (fusefat le fait) : la clé ne peut pas y être remplacée sans perte. Construisez-la dans un dossier local (--out build/kit) puis copiez ce dossier sur la clé",
                        "this file system empties folders when they are renamed (fusefat does): the key cannot be replaced there safely. Build it in a local folder (--out build/kit), then copy that folder to the key"
                    ))
            }
            // Leftovers of interrupted builds (staging folders, previous keys being
            // removed) and the spare key that earlier versions kept beside the output:
            // none of them is read, so none is trusted.
            for item in ((try? fm.contentsOfDirectory(atPath: parent.path)) ?? []).sorted()
            where item.hasPrefix(".\(name).staging-") || item.hasPrefix(".\(name).old-") || item == ".\(name).demokit-spare" {
                TreeRemoval.remove(parent.appendingPathComponent(item).path)
            }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
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

    /// Puts the staging folder in place of the output. The previous key is moved
    /// aside and removed while the caller goes on: `wait()` on what this returns before
    /// taking the new key's fingerprints (unlinking the old names of files linked from
    /// it changes their change times) and before exiting. (A removal cut short leaves a
    /// hidden folder that the next build removes.)
    @discardableResult
    func commit() throws -> Removal {
        let fm = FileManager.default
        let parent = output.deletingLastPathComponent()
        let old = parent.appendingPathComponent(".\(output.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            guard fm.fileExists(atPath: output.path) else {
                try fm.moveItem(at: staging, to: output)
                return Removal(nil)
            }
            try fm.moveItem(at: output, to: old)
            try fm.moveItem(at: staging, to: output)
            return Removal(old.path)
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

    /// After a failed build: the staging folder is removed.
    func discard() {
        TreeRemoval.remove(staging.path)
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
        return FileWalk.forEachEntry(in: probe + "-renamed") { name, _ in names.append(name) } && names == ["f"]
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

    /// What only `Removal.wait()` gives: the previous key is gone.
    struct PreviousRemoved {
        fileprivate init() {}
    }

    /// The previous key being removed on a thread of its own.
    final class Removal: @unchecked Sendable {
        private let work: BackgroundWork?

        init(_ path: String?) {
            work = path.map { path in BackgroundWork { TreeRemoval.remove(path) } }
        }

        /// Returns once the previous key is gone.
        @discardableResult
        func wait() -> PreviousRemoved {
            work?.wait()
            return PreviousRemoved()
        }
    }
}
