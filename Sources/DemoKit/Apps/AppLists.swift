import Foundation

/// `demokit/profiles/<id>.json`: each profile's applications and how to run them,
/// read by the pages and by the live system's session hook.
public struct ProfileAppList: Codable, Sendable, Equatable {
    public struct App: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var live: [String]
        public var desktop: String?
        public var online: String?
        /// The Windows portable app on the key and how to start it.
        public var windows: AppPlacement.Portable?
        /// The Linux AppImage on the key.
        public var linux: AppPlacement.AppImage?
        /// Platforms pinned in the kit whose file is not on this key (`--skip-missing`).
        public var notOnKey: [String]?
    }

    public var profile: String
    public var name: LocalizedText
    public var apps: [App]

    public static func path(for profile: String) -> String { "demokit/profiles/\(profile).json" }

    public static func plan(_ kit: Kit) throws -> [PlannedFile] {
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
