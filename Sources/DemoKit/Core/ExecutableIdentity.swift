import Foundation

/// demokit itself, for what is kept between runs and made by it (the build key, the
/// cached pages and entries, the key's own updater): a rebuilt binary may write other
/// bytes under the same version, so its file's fingerprint is part of its identity.
enum ExecutableIdentity {
    /// The running demokit: version, path, fingerprint.
    static var current: String { of(runningExecutable) }

    /// `current` on one line, for line-based files.
    static var currentLine: String { current.replacingOccurrences(of: "\n", with: " ") }

    static var runningExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
    }

    /// The demokit at `path` (the running one's version).
    static func of(_ path: String) -> String {
        "\(DemoKitVersion.current)\t\(path)\t\(FileFingerprint.of(path)?.word ?? "?")"
    }
}
