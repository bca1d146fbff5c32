import Crypto
import Foundation

/// What a live system built from Debian packages is made of, worked out from the kit
/// (`base: {debian: SUITE}`): where the packages come from, the packages every profile
/// gets, each profile's own, and the key that names the result in the content store.
public struct LiveBasePlan: Sendable, Codable, Equatable {
    struct ProfilePackages: Sendable, Codable, Equatable {
        var id: String
        var packages: [String]
    }

    /// Bumped when what demokit does with the packages changes the base's bytes.
    static let formatVersion = "5"

    public var suite: String
    /// apt's one-line sources (`deb URI SUITE main`), in order.
    var sources: [String]
    var snapshot: String?
    /// The desktop session and the kit's `base.packages`.
    var commonPackages: [String]
    /// In the kit's menu order.
    var profiles: [ProfilePackages]
    /// The profile mounted when the kernel command line names none.
    var defaultProfile: String
    /// `SOURCE_DATE_EPOCH` of the base: the kit's date.
    var epoch: Int64
    /// SHA-256 of the session files demokit puts into the system (Resources/live).
    var resourcesDigest: String
    /// What the live system's boot entries pass to the kernel (before demokit's own).
    var kernelParameters: [String]

    /// Names the base in the content store: everything that decides its bytes.
    var key: String {
        var hasher = SHA256()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        hasher.update(data: Data("demokit-live-base \(Self.formatVersion)\n".utf8))
        hasher.update(data: (try? encoder.encode(self)) ?? Data())
        return FileHashing.hex(hasher.finalize())
    }

    static func digest(_ text: String) -> String {
        FileHashing.hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Every package named, once, sorted.
    var allPackages: [String] {
        Array(Set(commonPackages + profiles.flatMap(\.packages))).sorted()
    }

    /// The plan of `kit`'s base, or nil when the kit names no Debian base.
    /// `mirror` replaces the machine's apt sources.
    public static func make(kit: Kit, mirror: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> LiveBasePlan?
    {
        guard let spec = kit.settings.base?.debian else { return nil }
        let resources = try LiveResources.load()
        var profiles: [ProfilePackages] = []
        for profile in kit.profiles {
            var packages: Set<String> = []
            for app in profile.apps { packages.formUnion(kit.apps[app.value]?.livePackages ?? []) }
            profiles.append(ProfilePackages(id: profile.id.value, packages: packages.sorted()))
        }
        let common = Array(Set(resources.desktopPackages + spec.packages)).sorted()
        let defaultID = kit.settings.defaultProfile?.value
        let defaultProfile = profiles.first { $0.id == defaultID }?.id ?? profiles.first?.id ?? ""
        let mtime = SourceDate.resolve(kitDate: kit.settings.date, environment: environment)
        return LiveBasePlan(
            suite: spec.suite, sources: try sources(suite: spec.suite, snapshot: spec.snapshot, mirror: mirror), snapshot: spec.snapshot,
            commonPackages: common, profiles: profiles, defaultProfile: defaultProfile,
            epoch: Int64(mtime.timeIntervalSince1970), resourcesDigest: resources.digest, kernelParameters: resources.kernelParameters)
    }

    /// The apt sources of the build: `--mirror`, else the snapshot, else the machine's
    /// own Debian sources for the suite (its `-updates` and `-security` suites included).
    static func sources(suite: String, snapshot: String?, mirror: String?, aptRoot: String = "") throws -> [String] {
        if let mirror {
            return ["deb \(mirror) \(suite) main", "deb \(mirror) \(suite)-updates main"]
        }
        if let snapshot {
            return [
                "deb [check-valid-until=no] http://snapshot.debian.org/archive/debian/\(snapshot)/ \(suite) main",
                "deb [check-valid-until=no] http://snapshot.debian.org/archive/debian-security/\(snapshot)/ \(suite)-security main",
            ]
        }
        let lines = hostSources(aptRoot: aptRoot).filter { line in
            let words = line.split(separator: " ")
            return words.count >= 3 && (words[2] == suite || words[2].hasPrefix(suite + "-"))
        }
        guard !lines.isEmpty else {
            throw LiveBaseError(
                what: bilingual(
                    "aucune source apt Debian pour « \(suite) » sur cette machine (/etc/apt/sources.list*)",
                    "no Debian apt source for \"\(suite)\" on this machine (/etc/apt/sources.list*)"),
                hint: bilingual(
                    "indiquez un miroir : demokit base build --mirror http://deb.debian.org/debian",
                    "name a mirror: demokit base build --mirror http://deb.debian.org/debian"))
        }
        return lines
    }

    /// The machine's Debian sources as one-line `deb URI SUITE main` entries: both the
    /// one-line (`.list`) and deb822 (`.sources`) formats, `main` only, Debian's archive
    /// only (a URI ending in `/debian` or `/debian-security`).
    static func hostSources(aptRoot: String = "") -> [String] {
        let fm = FileManager.default
        var files = ["\(aptRoot)/etc/apt/sources.list"]
        let folder = "\(aptRoot)/etc/apt/sources.list.d"
        files += ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { "\(folder)/\($0)" }
        var result: [String] = []
        func add(_ uri: String, _ suite: String, _ components: [String]) {
            var trimmed = uri
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            guard trimmed.hasSuffix("/debian") || trimmed.hasSuffix("/debian-security"), components.contains("main") else { return }
            let line = "deb \(trimmed) \(suite) main"
            if !result.contains(line) { result.append(line) }
        }
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            if file.hasSuffix(".sources") {
                for stanza in text.components(separatedBy: "\n\n") {
                    var fields: [String: [String]] = [:]
                    for line in stanza.split(separator: "\n") where !line.hasPrefix("#") {
                        guard let colon = line.firstIndex(of: ":") else { continue }
                        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].split(separator: " ").map(String.init)
                    }
                    guard fields["types"]?.contains("deb") == true, fields["enabled"]?.first?.lowercased() != "no" else { continue }
                    for uri in fields["uris"] ?? [] {
                        for suite in fields["suites"] ?? [] { add(uri, suite, fields["components"] ?? []) }
                    }
                }
            } else if file.hasSuffix(".list") {
                for line in text.split(separator: "\n") {
                    var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                    guard words.first == "deb" else { continue }
                    words.removeFirst()
                    if words.first?.hasPrefix("[") == true {
                        while let word = words.first, !word.hasSuffix("]") { words.removeFirst() }
                        words.removeFirst()
                    }
                    guard words.count >= 3 else { continue }
                    add(words[0], words[1], Array(words[2...]))
                }
            }
        }
        return result
    }
}

/// The files demokit puts into every live system it builds (`Resources/live`): the
/// desktop's package list, dpkg's path filters, the customize hook, kernel parameters.
struct LiveResources: Sendable {
    var desktopPackages: [String]
    var dpkgConfig: URL
    var customizeHook: URL
    var kernelParameters: [String]
    var digest: String

    static let names = ["customize.sh", "desktop-packages.txt", "dpkg.cfg", "kernel-parameters.txt"]

    static func load() throws -> LiveResources {
        guard let folder = Bundle.module.url(forResource: "live", withExtension: nil, subdirectory: "Resources") else {
            throw LiveBaseError(
                what: bilingual("fichiers du système live absents de demokit", "demokit's live system files are missing"),
                hint: bilingual("réinstallez demokit (scripts/setup)", "reinstall demokit (scripts/setup)"))
        }
        var hasher = SHA256()
        var texts: [String: String] = [:]
        for name in names {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw FileError(path: url.path, reason: bilingual("fichier introuvable", "file not found"))
            }
            hasher.update(data: Data("\(name) \(data.count)\n".utf8))
            hasher.update(data: data)
            texts[name] = String(decoding: data, as: UTF8.self)
        }
        func words(_ name: String) -> [String] {
            (texts[name] ?? "").split(separator: "\n").flatMap { line in
                line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                    .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init) ?? []
            }
        }
        return LiveResources(
            desktopPackages: words("desktop-packages.txt"), dpkgConfig: folder.appendingPathComponent("dpkg.cfg"),
            customizeHook: folder.appendingPathComponent("customize.sh"), kernelParameters: words("kernel-parameters.txt"),
            digest: FileHashing.hex(hasher.finalize()))
    }
}

/// A live system that cannot be built, with what to do about it.
struct LiveBaseError: UserFacingError {
    var what: String
    var hint: String?
    var message: String { what + (hint.map { "\n  \($0)" } ?? "") }
}
