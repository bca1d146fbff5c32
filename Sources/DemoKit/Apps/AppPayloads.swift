import Foundation

/// The application files of a key: every pinned artifact of the selected profiles'
/// applications, taken from the content store and laid out under `apps/`.
/// An artifact used by several applications or profiles lands once.
struct AppPayloads: Sendable {
    var placements: [String: AppPlacement] = [:]
    /// Files under `apps/`, sorted by path, each once.
    var files: [PlannedFile] = []
    /// Key paths of each application's files (shared ones appear under several ids).
    var appFiles: [String: [String]] = [:]
    /// Pinned artifacts the store lacks or holds with other content.
    var missing: [MissingArtifactsError.Item] = []
    /// For applications whose artifact is missing: its download size, the best estimate
    /// of its room on the key before it is fetched.
    var estimated: [String: Int64] = [:]
    /// Artifacts that disagree with their pin's appinfo fields, FAT32-unsafe layouts…
    var diagnostics: [Diagnostic] = []

    init() {}

    /// Hashes the pinned artifacts the store holds at their pinned size on every
    /// core, largest first, into its memo, where `status` then finds them: one by one,
    /// a core would hash while the others wait. A file that cannot be read is left to
    /// `status` to report.
    static func hashOnEveryCore(_ pins: [ArtifactPin], in store: ContentStore) {
        var seen: Set<String> = []
        let pins = pins.filter { seen.insert($0.sha256.lowercased()).inserted }
        let order = pins.indices.sorted { pins[$0].size > pins[$1].size }
        _ = parallelMap(pins, order: order) { pin -> Bool in
            let url = store.objectURL(sha256: pin.sha256)
            guard let fingerprint = FileFingerprint.of(url.path), fingerprint.size == pin.size else { return false }
            return (try? store.memo.sha256(of: url)) != nil
        }
    }

    /// Resolves the applications of `kit`'s profiles against `store`. With `verify`,
    /// each artifact is hashed again (builds); without, sizes are trusted (plans).
    static func resolve(
        _ kit: Kit, store: ContentStore, verify: Bool = true, progress: any ProgressReporter = SilentProgress()
    ) throws -> AppPayloads {
        var result = AppPayloads()
        var owners: [String: String] = [:]  // key path or folder → artifact hash
        var seen: Set<String> = []
        let ids = kit.profiles.flatMap { $0.apps.map(\.value) }.filter { seen.insert($0).inserted }
        if verify { hashOnEveryCore(ids.flatMap { kit.apps[$0]?.pins ?? [] }, in: store) }
        for id in ids {
            guard let delivery = kit.apps[id] else { continue }
            var placement = AppPlacement()
            var paths: [String] = []
            if let windows = delivery.windows {
                let status = try store.status(of: windows.pin, verify: verify)
                if status == .present {
                    progress.detail(bilingual("\(id) : application portable Windows", "\(id): Windows portable app"))
                    let app = try PortableUnpacker.unpack(
                        store.objectURL(sha256: windows.pin.sha256), format: windows.format, sha256: windows.pin.sha256, store: store)
                    result.diagnostics += check(windows, against: app)
                    let folder = "apps/windows/\(windows.appID.value)"
                    if claim(folder, windows.pin, &owners, &result.diagnostics) {
                        for file in app.files {
                            result.files.append(
                                PlannedFile(
                                    path: "\(folder)/\(file.path)", content: .owned(app.root.appendingPathComponent(file.path)),
                                    role: .application))
                        }
                    }
                    paths += app.files.map { "\(folder)/\($0.path)" }
                    placement.windows = AppPlacement.Portable(
                        start: (folder + "/" + app.info.start).replacingOccurrences(of: "/", with: "\\"),
                        folder: folder, name: app.info.name, version: app.info.version, category: app.info.category)
                } else {
                    result.missing.append(item(id, "windows", windows.pin, status))
                    result.estimated[id, default: 0] += windows.pin.size
                    placement.notOnKey.append("windows")
                }
            }
            if let linux = delivery.linux {
                let status = try store.status(of: linux.pin, verify: verify)
                if status == .present {
                    let path = "apps/linux/\(linux.fileName)"
                    if claim(path, linux.pin, &owners, &result.diagnostics) {
                        result.files.append(PlannedFile(path: path, content: .owned(store.objectURL(sha256: linux.pin.sha256)), role: .application))
                    }
                    paths.append(path)
                    placement.linux = AppPlacement.AppImage(path: path)
                } else {
                    result.missing.append(item(id, "linux", linux.pin, status))
                    result.estimated[id, default: 0] += linux.pin.size
                    placement.notOnKey.append("linux")
                }
            }
            result.appFiles[id] = paths
            if placement != AppPlacement() { result.placements[id] = placement }
        }
        result.files.sort { $0.path < $1.path }
        return result
    }

    /// One artifact per place: the same artifact twice is stored once; two different
    /// artifacts wanting one place is an error in the kit.
    static func claim(_ place: String, _ pin: ArtifactPin, _ owners: inout [String: String], _ diagnostics: inout [Diagnostic]) -> Bool {
        guard let owner = owners[place] else {
            owners[place] = pin.sha256
            return true
        }
        if owner != pin.sha256 {
            diagnostics.append(
                Diagnostic(
                    file: pin.file, line: pin.line, column: 1,
                    message: bilingual(
                        "deux fichiers différents veulent la même place sur la clé : \(place)",
                        "two different files want the same place on the key: \(place)")))
        }
        return false
    }

    static func item(_ id: String, _ platform: String, _ pin: ArtifactPin, _ status: ContentStore.Status) -> MissingArtifactsError.Item {
        let reason: String
        switch status {
        case .missing, .present:
            reason = bilingual("absent", "missing")
        case let .mismatched(size, sha):
            reason = bilingual(
                "contenu différent dans le cache (\(size) octets\(sha.map { ", sha256 \($0.prefix(12))…" } ?? ""))",
                "different content in the cache (\(size) bytes\(sha.map { ", sha256 \($0.prefix(12))…" } ?? ""))")
        }
        return MissingArtifactsError.Item(app: id, platform: platform, pin: pin, reason: reason)
    }

    /// What the pin repeats from appinfo.ini must still be true of the artifact.
    static func check(_ pin: WindowsPortable, against app: UnpackedPortableApp) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func compare(_ field: Located<String>?, _ key: String, _ actual: String?, _ iniKey: String) {
            guard let field, field.value != actual else { return }
            diagnostics.append(
                field.diagnostic(
                    bilingual(
                        "« \(key) » vaut « \(field.value) » mais l'appinfo.ini de l'application dit \(iniKey)=\(actual ?? "(rien)") : corrigez le fichier ou relancez demokit add-app",
                        "\"\(key)\" is \"\(field.value)\" but the app's appinfo.ini says \(iniKey)=\(actual ?? "(nothing)"): fix the file or run demokit add-app again"
                    )))
        }
        compare(pin.appID, "appid", app.info.appID, "AppID")
        compare(pin.name, "name", app.info.name, "Name")
        compare(pin.version, "version", app.info.version, app.info.displayVersion != nil ? "DisplayVersion" : "PackageVersion")
        compare(pin.start, "start", app.info.start, "Start")
        let start = app.info.start.replacingOccurrences(of: "\\", with: "/")
        if !app.files.contains(where: { $0.path.lowercased() == start.lowercased() }) {
            diagnostics.append(
                pin.appID.diagnostic(
                    bilingual(
                        "le lanceur « \(app.info.start) » (Start= de appinfo.ini) est absent du dossier de l'application",
                        "the launcher \"\(app.info.start)\" (appinfo.ini's Start=) is not in the app's folder")))
        }
        return diagnostics
    }
}
