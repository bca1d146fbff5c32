import Foundation

/// `demokit/profiles/<id>.json`: each profile's applications and how to run them,
/// read by the pages and by the live system's session hook.
struct ProfileAppList: Codable, Sendable, Equatable {
    struct App: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var live: [String]
        var desktop: String?
        var online: String?
        /// The Windows portable app on the key and how to start it.
        var windows: AppPlacement.Portable?
        /// The Linux AppImage on the key.
        var linux: AppPlacement.AppImage?
        /// Platforms pinned in the kit whose file is not on this key (`--skip-missing`).
        var notOnKey: [String]?
    }

    var profile: String
    var name: LocalizedText
    var apps: [App]

    static func path(for profile: String) -> String { "demokit/profiles/\(profile).json" }

    static func plan(_ kit: Kit) throws -> [PlannedFile] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try kit.profiles.map { profile in
            let list = ProfileAppList(
                profile: profile.id.value, name: profile.name,
                apps: profile.apps.compactMap { ref in
                    guard let entry = kit.entry(ref.value) else { return nil }
                    let delivery = kit.apps[ref.value]
                    let placement = kit.placements[ref.value]
                    return App(
                        id: ref.value, name: entry.name, live: delivery?.livePackages ?? [],
                        desktop: delivery?.liveDesktop, online: delivery?.onlineURL,
                        windows: placement?.windows, linux: placement?.linux,
                        notOnKey: (placement?.notOnKey.isEmpty ?? true) ? nil : placement?.notOnKey)
                })
            var data = try encoder.encode(list)
            data.append(0x0A)
            return PlannedFile(path: path(for: profile.id.value), content: .bytes(data), role: .catalogue)
        }
    }
}
