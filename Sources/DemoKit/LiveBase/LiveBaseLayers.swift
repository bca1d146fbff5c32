import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Splits an installed Debian system into squashfs layers so that each profile's boot
/// entry mounts only what its applications need (live-boot's `module=`):
///
/// - `filesystem`: the packages every profile needs (the desktop, the kernel's
///   modules, the browser, the applications of every profile);
/// - one layer per set of profiles sharing packages (`layer-mairie_ecole`);
/// - `state`, on top: every folder, and the files no package owns (dpkg's
///   database, caches, the session's settings).
///
/// Each is `live/<name>-<start of its SHA-256>.squashfs` on the key (`Layer.file`).
///
/// A package belongs to the profiles whose applications depend on it (Depends and
/// Pre-Depends, as installed); its files are those of its dpkg list. No file is in two
/// layers, so nothing is stored twice. Runs inside mmdebstrap's customize hook
/// (`demokit base layers ROOT WORK`), where the system's files are readable in both
/// root and unshare modes.
public enum LiveBaseLayers {
    static let commonLayer = "filesystem"
    static let stateLayer = "state"

    /// An installed package as dpkg's status file says.
    struct Package {
        var name: String
        var architecture: String
        /// Alternatives groups of Depends and Pre-Depends, names only.
        var depends: [[String]]
        var provides: [String]
        var version: String
        /// `Essential: yes` or `Priority: required`: the base system, which packages use
        /// without saying so.
        var essential = false
    }

    /// Paragraphs of `var/lib/dpkg/status` with `Status: install ok installed`.
    static func installedPackages(status text: String) -> [String: Package] {
        var result: [String: Package] = [:]
        for paragraph in text.components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            var last: String?
            for line in paragraph.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.first == " ", let last {
                    fields[last, default: ""] += String(line)
                } else if let colon = line.firstIndex(of: ":") {
                    let name = String(line[..<colon])
                    fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    last = name
                }
            }
            guard let name = fields["Package"], fields["Status"] == "install ok installed" else { continue }
            func names(_ field: String?) -> [[String]] {
                (field ?? "").split(separator: ",").map { group in
                    group.split(separator: "|").compactMap { alternative in
                        let word = alternative.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
                        let bare = word.split(separator: ":").first.map(String.init) ?? ""
                        return bare.isEmpty ? nil : bare
                    }
                }.filter { !$0.isEmpty }
            }
            result[name] = Package(
                name: name, architecture: fields["Architecture"] ?? "", depends: names(fields["Depends"]) + names(fields["Pre-Depends"]),
                provides: names(fields["Provides"]).flatMap { $0 }, version: fields["Version"] ?? "",
                essential: fields["Essential"] == "yes" || fields["Priority"] == "required")
        }
        return result
    }

    /// The installed packages `roots` need, themselves included.
    static func closure(of roots: [String], in packages: [String: Package]) -> Set<String> {
        var providers: [String: [String]] = [:]
        for package in packages.values.sorted(by: { $0.name < $1.name }) {
            for virtual in package.provides { providers[virtual, default: []].append(package.name) }
        }
        func resolve(_ name: String) -> String? {
            if packages[name] != nil { return name }
            return providers[name]?.first
        }
        var seen: Set<String> = []
        var queue = roots.compactMap(resolve)
        while let name = queue.popLast() {
            guard seen.insert(name).inserted, let package = packages[name] else { continue }
            for group in package.depends {
                // The first alternative installed is the one dpkg chose.
                if let chosen = group.lazy.compactMap(resolve).first { queue.append(chosen) }
            }
        }
        return seen
    }

    /// Layer name of each installed package: the common layer for what every profile
    /// needs (and what no profile names: the base system's own packages), else
    /// `layer-<profiles>`.
    static func assign(plan: LiveBasePlan, packages: [String: Package]) -> [String: String] {
        // The base system is every profile's, even when only one profile's application
        // names one of its packages (util-linux holds the getty that logs the user in).
        let base = packages.values.filter(\.essential).map(\.name).sorted()
        let common = closure(of: plan.commonPackages + base, in: packages)
        let perProfile = plan.profiles.map { (id: $0.id, needs: closure(of: plan.commonPackages + $0.packages, in: packages)) }
        var result: [String: String] = [:]
        for name in packages.keys {
            let users = perProfile.filter { $0.needs.contains(name) }.map(\.id)
            if common.contains(name) || users.isEmpty || users.count == plan.profiles.count {
                result[name] = commonLayer
            } else {
                result[name] = "layer-" + users.joined(separator: "_")
            }
        }
        return result
    }

    /// What `layers` made, for base.json.
    public struct Layer: Sendable, Codable, Equatable {
        /// `filesystem`, `layer-<profiles>`, `state`.
        var name: String
        /// The profiles that mount it (every profile for the common and state layers).
        var profiles: [String]
        /// The packages whose files it holds, `name=version`.
        var packages: [String]
        var size: Int64
        var sha256: String
        /// Taken from the content store, not compressed again (not in base.json: two
        /// builds of the same inputs write the same file).
        var reused: Bool

        enum CodingKeys: String, CodingKey {
            case name, profiles, packages, size, sha256
        }

        /// Its file on the key, `live/<name>-<start of its SHA-256>.squashfs`: a layer
        /// that changes gets a new name, so an update written from the live system
        /// puts the new layer beside the one the running system holds open, never over
        /// it (the module files name the layers a profile's next boot mounts).
        var file: String { "\(name)-\(sha256.prefix(16)).squashfs" }

        init(name: String, profiles: [String], packages: [String], size: Int64, sha256: String, reused: Bool) {
            self.name = name
            self.profiles = profiles
            self.packages = packages
            self.size = size
            self.sha256 = sha256
            self.reused = reused
        }

        public init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                name: try values.decode(String.self, forKey: .name), profiles: try values.decode([String].self, forKey: .profiles),
                packages: try values.decode([String].self, forKey: .packages), size: try values.decode(Int64.self, forKey: .size),
                sha256: try values.decode(String.self, forKey: .sha256), reused: false)
        }
    }

    /// Splits `root` into layers under `work/layers/`, compresses each into
    /// `work/out/live/`, copies the kernel and initrd, and writes the module files and
    /// `base.json`. `layerStore`: compressed layers of earlier builds, by content.
    @discardableResult
    public static func make(root: URL, work: URL, layerStore: URL, log: (String) -> Void) throws -> [Layer] {
        let planData = try Data(contentsOf: work.appendingPathComponent("plan.json"))
        let plan = try JSONDecoder().decode(LiveBasePlan.self, from: planData)
        let statusText = try String(contentsOf: root.appendingPathComponent("var/lib/dpkg/status"), encoding: .utf8)
        let packages = installedPackages(status: statusText)
        let layerOf = assign(plan: plan, packages: packages)
        for profile in plan.profiles {
            for name in profile.packages where packages[name] == nil && !packages.values.contains(where: { $0.provides.contains(name) }) {
                throw LiveBaseError(
                    what: bilingual("paquet « \(name) » absent du système construit", "package \"\(name)\" missing from the built system"),
                    hint: nil)
            }
        }

        // Merged /usr: /bin, /sbin and /lib* are links into /usr, where the walk finds
        // the files dpkg lists under the old paths.
        let merged = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"].filter { name in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent(name).path)) == "usr/\(name)"
        }.map { "/\($0)/" }
        func canonical(_ path: String) -> String {
            for prefix in merged where path.hasPrefix(prefix) { return "/usr" + path }
            return path
        }

        // Owner of each path, from dpkg's lists; a file two layers claim goes to the common one.
        var owner: [String: String] = [:]
        var folderOwners: [String: Set<String>] = [:]
        let info = root.appendingPathComponent("var/lib/dpkg/info")
        let infoFiles = try FileManager.default.contentsOfDirectory(atPath: info.path).sorted()
        for file in infoFiles {
            // `<package>[:<arch>].<kind>`: package names may hold dots, kinds do not.
            let stem = file.lastIndex(of: ".").map { String(file[..<$0]) } ?? file
            let package = stem.split(separator: ":").first.map(String.init) ?? stem
            guard let layer = layerOf[package] else { continue }
            owner["/var/lib/dpkg/info/" + file] = layer
            guard file.hasSuffix(".list") else { continue }
            let text = try String(contentsOf: info.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let path = canonical(String(line))
                if let existing = owner[path], existing != layer { owner[path] = commonLayer } else { owner[path] = layer }
                folderOwners[path, default: []].insert(layer)
            }
        }

        // Walk the system: folders go to the state layer (and, as parents, to the
        // layers of their files); files to their owner's layer.
        var members: [String: [String]] = [:]
        var folders: [String] = []
        // Mount points and scratch space, the kernel (on the key beside the layers), and
        // apt's downloads, whose folders' owners depend on whether apt fetched anything.
        let skipped = ["/proc/", "/sys/", "/dev/", "/run/", "/tmp/", "/boot/", "/var/tmp/", "/var/cache/apt/", "/var/lib/apt/lists/"]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else {
            throw FileError(path: root.path, reason: bilingual("lecture impossible", "cannot read"))
        }
        for case let relative as String in walker {
            let path = "/" + relative
            if skipped.contains(where: { path.hasPrefix($0) }) { continue }
            var info = stat()
            guard lstat(root.path + path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                folders.append(path)
                continue
            }
            var layer = owner[path]
            if layer == nil {
                // A file made by a maintainer script (a .pyc, a cache): the layer of the
                // nearest folder that only one layer's packages own, else the state.
                var folder = parent(of: path)
                while folder != "/" {
                    if let owners = folderOwners[folder] {
                        if owners.count == 1 { layer = owners.first }
                        break
                    }
                    folder = parent(of: folder)
                }
            }
            members[layer ?? stateLayer, default: []].append(path)
        }
        members[stateLayer, default: []] += folders

        let layerNames = Set(layerOf.values).union([commonLayer, stateLayer]).sorted { order($0) < order($1) }
        let out = work.appendingPathComponent("out/live")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: layerStore, withIntermediateDirectories: true)
        var layers: [Layer] = []
        for name in layerNames {
            let paths = (members[name] ?? []).sorted()
            guard !paths.isEmpty || name == commonLayer || name == stateLayer else { continue }
            let folder = work.appendingPathComponent("layers/\(name)")
            try populate(folder, from: root, paths: paths)
            let contentKey = try digest(of: folder, paths: paths, epoch: plan.epoch)
            let stored = layerStore.appendingPathComponent("\(contentKey).squashfs")
            let target = out.appendingPathComponent("\(name).squashfs")
            var reused = false
            if FileManager.default.fileExists(atPath: stored.path) {
                try FileManager.default.copyItem(at: stored, to: target)
                reused = true
                log(bilingual("couche \(name) : reprise (contenu inchangé)", "layer \(name): reused (same content)"))
            } else {
                log(bilingual("couche \(name) : compression de \(paths.count) entrées", "layer \(name): compressing \(paths.count) entries"))
                try squash(folder, to: target, epoch: plan.epoch)
                let partial = layerStore.appendingPathComponent(".\(contentKey).partial")
                try? FileManager.default.removeItem(at: partial)
                try FileManager.default.copyItem(at: target, to: partial)
                _ = rename(partial.path, stored.path)
            }
            try? FileManager.default.removeItem(at: folder)
            let hashed = try FileHashing.sha256(fileAt: target)
            let named = out.appendingPathComponent("\(name)-\(hashed.sha256.prefix(16)).squashfs")
            try FileManager.default.moveItem(at: target, to: named)
            let profiles =
                name.hasPrefix("layer-") ? name.dropFirst(6).split(separator: "_").map(String.init) : plan.profiles.map(\.id)
            let held = layerOf.filter { $0.value == name }.keys.sorted().map { "\($0)=\(packages[$0]?.version ?? "")" }
            layers.append(Layer(name: name, profiles: profiles, packages: held, size: hashed.size, sha256: hashed.sha256, reused: reused))
        }

        // Module files: the layers of each profile, bottom first.
        for profile in plan.profiles {
            let list = layers.filter { $0.profiles.contains(profile.id) }.map { "\($0.file)\n" }.joined()
            try Data(list.utf8).write(to: out.appendingPathComponent("\(profile.id).module"))
            if profile.id == plan.defaultProfile {
                try Data(list.utf8).write(to: out.appendingPathComponent("filesystem.module"))
            }
        }

        // The newest kernel and its initrd.
        let boot = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("boot").path)
        guard let kernel = boot.filter({ $0.hasPrefix("vmlinuz-") }).sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last
        else {
            throw LiveBaseError(
                what: bilingual("pas de noyau dans /boot du système construit", "no kernel in the built system's /boot"),
                hint: bilingual("gardez linux-image-amd64 dans desktop-packages.txt", "keep linux-image-amd64 in desktop-packages.txt"))
        }
        let version = String(kernel.dropFirst("vmlinuz-".count))
        try FileManager.default.copyItem(at: root.appendingPathComponent("boot/\(kernel)"), to: out.appendingPathComponent("vmlinuz"))
        try FileManager.default.copyItem(
            at: root.appendingPathComponent("boot/initrd.img-\(version)"), to: out.appendingPathComponent("initrd.img"))

        let release = releaseDate(in: work)
        let record = BuiltBaseRecord(
            key: plan.key, plan: plan, kernelVersion: version, kernelParameters: plan.kernelParameters,
            mirrorReleaseDate: release, packageCount: packages.count, layers: layers)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(record).write(to: work.appendingPathComponent("out/base.json"))
        return layers
    }

    /// The folder holding an absolute path (`/` for `/etc`). By hand: Foundation's
    /// `deletingLastPathComponent` crashes on Linux for some one-letter names.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Common first, the profiles' layers by name, the state last.
    static func order(_ name: String) -> String {
        name == commonLayer ? "0" : name == stateLayer ? "2" : "1" + name
    }

    /// Hard-links `paths` of `root` into `folder`, with their parent folders as `root` has them.
    static func populate(_ folder: URL, from root: URL, paths: [String]) throws {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var made: Set<String> = ["/"]
        func makeFolder(_ path: String) throws {
            guard !made.contains(path) else { return }
            try makeFolder(parent(of: path))
            var info = stat()
            guard lstat(root.path + path, &info) == 0 else { throw FileHashing.posixError(root.appendingPathComponent(path), "lstat") }
            let target = folder.path + path
            if mkdir(target, info.st_mode & 0o7777) != 0, errno != EEXIST {
                throw FileHashing.posixError(URL(fileURLWithPath: target), "mkdir")
            }
            _ = chown(target, info.st_uid, info.st_gid)
            _ = chmod(target, info.st_mode & 0o7777)
            made.insert(path)
        }
        for path in paths {
            var info = stat()
            guard lstat(root.path + path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                try makeFolder(path)
            } else {
                try makeFolder(parent(of: path))
                // linkat without AT_SYMLINK_FOLLOW links a symbolic link itself.
                if linkat(AT_FDCWD, root.path + path, AT_FDCWD, folder.path + path, 0) != 0 {
                    throw FileHashing.posixError(URL(fileURLWithPath: folder.path + path), "link")
                }
            }
        }
    }

    /// A hash of everything mksquashfs puts in the layer: names, types, modes, owners,
    /// device numbers, link targets, contents. Equal hashes give equal squashfs bytes
    /// (fixed times), so a compressed layer of an earlier build can be taken as it is.
    static func digest(of folder: URL, paths: [String], epoch: Int64) throws -> String {
        var hasher = SHA256()
        hasher.update(data: Data("squashfs zstd \(squashLevel) \(epoch)\n".utf8))
        var all = Set(paths)
        for path in paths {
            var folder = parent(of: path)
            while folder != "/" && all.insert(folder).inserted { folder = parent(of: folder) }
        }
        // Hard links inside the layer, named by the first path of their inode.
        var firstPath: [UInt: String] = [:]
        for path in all.sorted() {
            var info = stat()
            guard lstat(folder.path + path, &info) == 0 else { continue }
            var line = "\(path)\t\(info.st_mode)\t\(info.st_uid)\t\(info.st_gid)\t\(info.st_rdev)"
            if info.st_mode & S_IFMT != S_IFDIR {
                let inode = UInt(info.st_ino)
                if let first = firstPath[inode] { line += "\t=\(first)" } else { firstPath[inode] = path }
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                line += "\t" + (try FileHashing.sha256(fileAt: URL(fileURLWithPath: folder.path + path)).sha256)
            case S_IFLNK:
                line += "\t" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: folder.path + path)) ?? "")
            default:
                break
            }
            hasher.update(data: Data((line + "\n").utf8))
        }
        return FileHashing.hex(hasher.finalize())
    }

    /// zstd level 6: within a few percent of level 15's size, several times faster.
    static let squashLevel = 6

    static func squash(_ folder: URL, to target: URL, epoch: Int64) throws {
        // mksquashfs refuses SOURCE_DATE_EPOCH beside its own time options.
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = nil
        try Tool.mksquashfs.run(
            [
                folder.path, target.path, "-noappend", "-comp", "zstd", "-Xcompression-level", "\(squashLevel)",
                "-all-time", "\(epoch)", "-mkfs-time", "\(epoch)", "-no-progress", "-quiet",
            ], environment: environment)
    }

    /// The Date of the mirror's Release file, which the build saved before apt's lists
    /// were removed (`release-date` in the work folder).
    static func releaseDate(in work: URL) -> String? {
        (try? String(contentsOf: work.appendingPathComponent("release-date"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `base.json` of a live system in the content store.
public struct BuiltBaseRecord: Sendable, Codable, Equatable {
    var key: String
    var plan: LiveBasePlan
    var kernelVersion: String
    var kernelParameters: [String]
    /// `Date:` of the mirror's Release file when the packages were fetched.
    var mirrorReleaseDate: String?
    var packageCount: Int
    var layers: [LiveBaseLayers.Layer]
}
