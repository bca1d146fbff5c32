/// Where things are in a release folder (or the same tree on a web server). Several
/// kits and channels can share one folder: files are stored once, by content.
///
///     objects/ab/abcdef…                      every file, named by its SHA-256
///     <kit>/<channel>/manifest.json(.minisig) the latest release (written last)
///     <kit>/<channel>/releases/<n>.json(.minisig)   every release, kept
///     <kit>/trust/<n>.json(.minisig)          the chain of trust files
enum ReleaseLayout {
    static func object(_ sha256: String) -> String { "objects/\(sha256.prefix(2))/\(sha256)" }
    static func manifest(kit: String, channel: String) -> String { "\(kit)/\(channel)/manifest.json" }
    static func archivedManifest(kit: String, channel: String, number: Int) -> String { "\(kit)/\(channel)/releases/\(number).json" }
    static func trust(kit: String, version: Int) -> String { "\(kit)/trust/\(version).json" }
    static let signatureSuffix = ".minisig"
}
