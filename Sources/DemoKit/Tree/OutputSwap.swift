import Foundation

/// Builds into a hidden staging folder beside the output and moves it into place only
/// when complete: a failed or interrupted build never leaves a half-written key at `--out`.
public struct OutputSwap {
    public let output: URL
    public let staging: URL

    /// Marks a folder as a demokit key, so replacing it is safe.
    static let marker = "demokit/manifest.json"

    public init(output: URL) throws {
        self.output = output.standardizedFileURL
        let parent = self.output.deletingLastPathComponent()
        let name = self.output.lastPathComponent
        staging = parent.appendingPathComponent(".\(name).staging-\(ProcessInfo.processInfo.processIdentifier)")
        let fm = FileManager.default
        try Self.refuseForeignFolder(self.output)
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            // Leftovers of an interrupted build.
            for item in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where item.hasPrefix(".\(name).staging-") || item.hasPrefix(".\(name).old-") {
                TreeRemoval.remove(parent.appendingPathComponent(item).path)
            }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
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

    /// Puts the staging folder in place of the output. The previous key, moved
    /// aside, is removed while the caller goes on: `wait()` on what this returns
    /// before taking the new key's fingerprints (unlinking the old names of files
    /// linked from it changes their change times) and before exiting. (A removal
    /// cut short leaves a hidden folder that the next build removes.)
    @discardableResult
    public func commit() throws -> Removal {
        let fm = FileManager.default
        let old = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            var moved = false
            if fm.fileExists(atPath: output.path) {
                try fm.moveItem(at: output, to: old)
                moved = true
            }
            try fm.moveItem(at: staging, to: output)
            return Removal(moved ? old.path : nil)
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

    public func discard() {
        TreeRemoval.remove(staging.path)
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
