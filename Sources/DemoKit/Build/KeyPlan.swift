import Foundation

/// What a key will hold, measured before anything is copied: sizes per part and per
/// profile, what profiles share, and whether it fits a key of a given size.
public struct KeyPlan: Sendable {
    public enum Part: String, Sendable, CaseIterable {
        case base, applications, catalogue, site, other

        public var label: String {
            switch self {
            case .base: return bilingual("système de base", "base system")
            case .applications: return bilingual("applications", "applications")
            case .catalogue: return bilingual("catalogue (base, listes, manifeste)", "catalogue (database, lists, manifest)")
            case .site: return bilingual("site", "site")
            case .other: return bilingual("autres fichiers", "other files")
            }
        }

        init(role: FileRole) {
            switch role {
            case .boot: self = .base
            case .application: self = .applications
            case .catalogue: self = .catalogue
            case .site: self = .site
            case .other: self = .other
            }
        }
    }

    struct File: Sendable, Equatable {
        var path: String
        var size: Int64
        var part: Part
    }

    public struct ProfileSize: Sendable, Equatable {
        public var id: String
        public var apps: Int
        /// Applications with at least one file on the key.
        public var appsOnKey: Int
        /// Room taken by this profile's application files.
        public var bytes: Int64
        /// Of which files also used by another profile.
        public var sharedBytes: Int64
    }

    public struct SharedApp: Sendable, Equatable {
        public var id: String
        public var profiles: [String]
        public var bytes: Int64
    }

    /// Every file of the key, the base system's included when the build has one.
    var files: [File]
    /// Size of a base system counted but not in `files` (a base ISO given to `plan`); else 0.
    var baseSystemBytes: Int64 = 0
    public var profiles: [ProfileSize] = []
    public var shared: [SharedApp] = []
    /// Applications whose artifacts are not in the cache, with their download size.
    var estimated: [String: Int64] = [:]
    public var fat32Problems: [(path: String, problem: FAT32Rules.Problem)] = []

    public func bytes(_ part: Part) -> Int64 {
        files.filter { $0.part == part }.reduce(0) { $0 + $1.size } + (part == .base ? baseSystemBytes : 0)
            + (part == .applications ? estimated.values.reduce(0, +) : 0)
    }

    /// Sum of the files' sizes (what `demokit/manifest.json` plus itself add up to).
    public var totalBytes: Int64 { Part.allCases.reduce(0) { $0 + bytes($1) } }

    /// Room taken on a FAT32 file system with this cluster size: each file and folder
    /// rounded up to whole clusters.
    func bytesOnDisk(clusterSize: Int64) -> Int64 {
        func round(_ size: Int64) -> Int64 { max(1, (size + clusterSize - 1) / clusterSize) * clusterSize }
        var folders: Set<String> = []
        for file in files {
            var dir = (file.path as NSString).deletingLastPathComponent
            while !dir.isEmpty, folders.insert(dir).inserted { dir = (dir as NSString).deletingLastPathComponent }
        }
        let filesOnDisk = files.reduce(Int64(0)) { $0 + round($1.size) }
        let extra = estimated.values.reduce(Int64(0)) { $0 + round($1) } + (baseSystemBytes > 0 ? round(baseSystemBytes) : 0)
        return filesOnDisk + extra + Int64(folders.count) * clusterSize
    }

    /// Whether the plan fits a key of this capacity, on the FAT32 layout chosen for it.
    public func fit(_ key: ByteSize) -> Fit {
        let cluster = Self.clusterSize(forKey: key)
        return Fit(key: key, clusterSize: cluster, used: bytesOnDisk(clusterSize: cluster), usable: Self.usableBytes(onKey: key))
    }

    public struct Fit: Sendable {
        var key: ByteSize
        public var clusterSize: Int64
        public var used: Int64
        public var usable: Int64
        public var fits: Bool { used <= usable }
    }

    /// The cluster size mkfs.fat and Windows choose for FAT32 on a key of this capacity.
    static func clusterSize(forKey key: ByteSize) -> Int64 {
        switch key.bytes {
        case ..<(8 << 30): return 4096
        case ..<(16 << 30): return 8192
        case ..<(32 << 30): return 16384
        default: return 32768
        }
    }

    /// What files can use on a key: the capacity less the partition's 1 MiB alignment,
    /// FAT32's reserved sectors and its two allocation tables (4 bytes per cluster each).
    static func usableBytes(onKey key: ByteSize) -> Int64 {
        let afterPartition = key.bytes - (1 << 20) - 32 * 512
        let clusters = afterPartition / clusterSize(forKey: key)
        return max(0, afterPartition - 2 * 4 * clusters)
    }

    /// The plan of a built tree's files; `appFiles` maps each application to its key paths.
    static func make(
        files: [(path: String, size: Int64, role: FileRole)], kit: Kit, appFiles: [String: [String]], estimated: [String: Int64]
    ) -> KeyPlan {
        var plan = KeyPlan(files: files.map { File(path: $0.path, size: $0.size, part: Part(role: $0.role)) }.sorted { $0.path < $1.path })
        plan.estimated = estimated
        let sizes = Dictionary(files.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
        // Which profiles use each file.
        var users: [String: Set<String>] = [:]
        for profile in kit.profiles {
            for app in profile.apps {
                for path in appFiles[app.value] ?? [] { users[path, default: []].insert(profile.id.value) }
            }
        }
        for profile in kit.profiles {
            let ids = profile.apps.map(\.value)
            let paths = Set(ids.flatMap { appFiles[$0] ?? [] })
            let bytes = paths.reduce(Int64(0)) { $0 + (sizes[$1] ?? 0) } + ids.reduce(Int64(0)) { $0 + (estimated[$1] ?? 0) }
            let shared = paths.filter { (users[$0]?.count ?? 0) > 1 }.reduce(Int64(0)) { $0 + (sizes[$1] ?? 0) }
            let onKey = ids.filter { !(appFiles[$0] ?? []).isEmpty }.count
            plan.profiles.append(ProfileSize(id: profile.id.value, apps: ids.count, appsOnKey: onKey, bytes: bytes, sharedBytes: shared))
        }
        var seen: Set<String> = []
        for profile in kit.profiles {
            for app in profile.apps.map(\.value) where seen.insert(app).inserted {
                let paths = appFiles[app] ?? []
                let profiles = kit.profiles.filter { $0.apps.contains { $0.value == app } }.map(\.id.value)
                guard profiles.count > 1, !paths.isEmpty else { continue }
                plan.shared.append(SharedApp(id: app, profiles: profiles, bytes: paths.reduce(Int64(0)) { $0 + (sizes[$1] ?? 0) }))
            }
        }
        plan.fat32Problems = FAT32Rules.check(files: files.map { ($0.path, $0.size) })
        return plan
    }
}

/// The key is too small for what the kit puts on it.
struct KeyTooSmallError: UserFacingError {
    var fit: KeyPlan.Fit
    var plan: KeyPlan

    var message: String {
        let over = fit.used - fit.usable
        let parts = KeyPlan.Part.allCases.map { "  \($0.label): \(formatBytes(plan.bytes($0)))" }.joined(separator: "\n")
        return bilingual(
            "la clé de \(formatBytes(fit.key.bytes)) est trop petite : il faut \(formatBytes(fit.used)) sur FAT32, il manque \(formatBytes(over))",
            "the \(formatBytes(fit.key.bytes, english: true)) key is too small: \(formatBytes(fit.used, english: true)) are needed on FAT32, \(formatBytes(over, english: true)) short"
        ) + "\n" + parts + "\n  "
            + bilingual(
                "retirez des applications des profils, construisez moins de profils (--profile) ou prenez une clé plus grande (demokit plan montre le détail)",
                "remove applications from profiles, build fewer profiles (--profile) or use a larger key (demokit plan shows the details)")
    }
}
