import Foundation

/// `demokit catalogue package-facts`: for every application of the kit whose
/// `live.packages` name Debian packages, reads the packages (the content store's
/// `debs/` first, else `apt-get download` through the live base's private apt index)
/// and writes what they say into `payload/packages/<id>.yml`, with the icon in
/// `payload/packages/icons/`. A maintainer runs it and commits the result, so a build
/// stays offline and gives the same bytes.
public struct PackageFactsCollector {
    var kit: Kit
    var store: ContentStore
    var environment: [String: String]
    /// Replaces the machine's apt sources for downloads (`--mirror`).
    var mirror: String?
    /// Where a `.deb` is looked for before `debs/` (tests hand their own).
    var extraFolders: [URL] = []

    public init(kit: Kit, store: ContentStore, environment: [String: String] = ProcessInfo.processInfo.environment, mirror: String? = nil) {
        self.kit = kit
        self.store = store
        self.environment = environment
        self.mirror = mirror
    }

    public struct Report: Sendable {
        /// By application id, sorted.
        public var facts: [PackageFacts] = []
        /// Files written or removed, relative to the kit.
        public var changed: [String] = []

        public var summary: String {
            let icons = facts.filter { $0.icon != nil }.count
            let summaries = facts.filter { $0.summaryFrench != nil }.count
            let releases = facts.filter { $0.releaseDate != nil }.count
            let metainfo = facts.filter { $0.metainfo != nil }.count
            return bilingual(
                "\(facts.count) application(s) : \(metainfo) métainfo, \(icons) icône(s), \(summaries) résumé(s) en français, \(releases) version(s) datée(s) ; \(changed.count) fichier(s) modifié(s)",
                "\(facts.count) application(s): \(metainfo) metainfo, \(icons) icon(s), \(summaries) French summary(ies), \(releases) dated release(s); \(changed.count) file(s) changed"
            )
        }
    }

    /// Reads every live application's packages and writes the facts files.
    public func run(progress: (String) -> Void = { _ in }) throws -> Report {
        let source = PackageFiles(collector: self)
        var report = Report()
        var icons: [String: Data] = [:]
        let apps = kit.apps.values.filter { !$0.livePackages.isEmpty }.sorted { $0.id.value < $1.id.value }
        for app in apps {
            progress(app.id.value)
            let (facts, icon) = try facts(for: app, from: source)
            report.facts.append(facts)
            icons[app.id.value] = icon
        }
        report.changed = try write(report.facts, icons: icons)
        return report
    }

    /// The facts of one application from its packages and their same-source dependencies.
    func facts(for app: AppDelivery, from files: PackageFiles) throws -> (PackageFacts, Data?) {
        let date = kit.settings.date
        var main: [DebianPackage] = []
        for name in app.livePackages {
            guard let package = try files.package(name) else {
                throw PackageFactsError(
                    what: bilingual("paquet « \(name) » introuvable (\(app.id.value))", "package \"\(name)\" not found (\(app.id.value))"),
                    hint: bilingual(
                        "vérifiez le nom dans payload/apps/\(app.id.value).yml, ou construisez le système live (demokit base build)",
                        "check the name in payload/apps/\(app.id.value).yml, or build the live system (demokit base build)"))
            }
            main.append(package)
        }
        let family = try files.family(of: main)

        // The component: the one the launcher names, else the first application.
        var components: [(package: DebianPackage, path: String, metainfo: AppStreamMetainfo)] = []
        for package in family {
            for path in package.files.keys.sorted() where path.hasPrefix("/usr/share/metainfo/") || path.hasPrefix("/usr/share/appdata/") {
                if let data = package.files[path], let metainfo = AppStreamMetainfo.parse(data) { components.append((package, path, metainfo)) }
            }
        }
        let chosen =
            app.liveDesktop.flatMap { desktop in components.first { $0.metainfo.describes(desktop: desktop) } }
            ?? components.first { $0.metainfo.type == "desktop-application" || $0.metainfo.type == "desktop" }
        let origin = PackageFacts.Origin(package: chosen?.package.name ?? main[0].name, version: chosen?.package.version ?? main[0].version, date: date)
        var facts = PackageFacts(id: app.id, origin: origin)
        if let chosen {
            let metainfo = chosen.metainfo
            facts.metainfo = chosen.path
            facts.summaryFrench = metainfo.summaryFrench
            facts.summaryEnglish = metainfo.summaryDefault
            facts.homepage = metainfo.urls["homepage"]
            facts.bugTracker = metainfo.urls["bugtracker"]
            facts.help = metainfo.urls["help"]
            facts.releaseVersion = metainfo.releaseDate == nil ? nil : metainfo.releaseVersion
            facts.releaseDate = metainfo.releaseDate
        } else {
            facts.notes.append(
                bilingual(
                    "pas de métainfo AppStream dans \(main.map(\.name).joined(separator: ", "))",
                    "no AppStream metainfo in \(main.map(\.name).joined(separator: ", "))"))
        }

        // The icon the component or the launcher names.
        var iconName = chosen?.metainfo.stockIcon
        if iconName == nil, let desktop = app.liveDesktop {
            for package in family {
                if let file = package.contents("/usr/share/applications/\(desktop).desktop"), let icon = DesktopFile.icon(file.data) {
                    iconName = icon
                    break
                }
            }
        }
        let name = iconName ?? app.liveDesktop ?? main[0].name
        let (icon, data, notes) = findIcon(named: name, in: family, id: app.id.value, date: date)
        facts.icon = icon
        facts.notes += notes
        return (facts, data)
    }

    /// The best icon: the SVG, else the largest PNG of at most 128 px; with why none
    /// was taken otherwise.
    func findIcon(named name: String, in family: [DebianPackage], id: String, date: String) -> (PackageFacts.Icon?, Data?, [String]) {
        var candidates: [String]
        if name.hasPrefix("/") {
            candidates = [name]
        } else {
            let base = (name.hasSuffix(".png") || name.hasSuffix(".svg")) ? String(name.dropLast(4)) : name
            candidates = ["/usr/share/icons/hicolor/scalable/apps/\(base).svg"]
            candidates += ["128x128", "96x96", "64x64", "48x48"].map { "/usr/share/icons/hicolor/\($0)/apps/\(base).png" }
            candidates += ["/usr/share/pixmaps/\(base).svg", "/usr/share/pixmaps/\(base).png"]
        }
        var notes: [String] = []
        for candidate in candidates {
            guard let (package, path, data) = lookUp(candidate, in: family) else { continue }
            let svg = path.hasSuffix(".svg")
            if let problem = svg ? IconCheck.svgProblem(data) : IconCheck.pngProblem(data) {
                notes.append("\(package.name) \(path): \(problem)")
                continue
            }
            let copyrightPath = "/usr/share/doc/\(package.name)/copyright"
            let copyright = lookUp(copyrightPath, in: [package] + family)
            let licence = copyright.flatMap { DebianCopyright.licence(String(decoding: $0.data, as: UTF8.self), forPath: path) }
            let icon = PackageFacts.Icon(
                file: "\(id).\(svg ? "svg" : "png")", origin: PackageFacts.Origin(package: package.name, version: package.version, date: date),
                path: path, licence: licence ?? bilingual("voir \(copyrightPath)", "see \(copyrightPath)"),
                copyright: copyright.map { "\($0.package.name):\($0.path)" } ?? copyrightPath)
            return (icon, data, notes)
        }
        // Say why there is none: larger PNGs only, or nothing by that name.
        let base = name.split(separator: "/").last.map { String($0).replacingOccurrences(of: ".png", with: "") } ?? name
        let larger = family.flatMap { Array($0.files.keys) + Array($0.links.keys) }.filter {
            $0.hasPrefix("/usr/share/icons/hicolor/") && $0.hasSuffix("/apps/\(base).png")
        }
        if !larger.isEmpty {
            let sizes = Set(larger.compactMap { $0.split(separator: "/").dropFirst(4).first.map(String.init) }).sorted()
            notes.append(
                bilingual(
                    "icône « \(base) » seulement en PNG de plus de 128 px (\(sizes.joined(separator: ", "))) : ajoutez-en une plus petite à la main",
                    "icon \"\(base)\" only as PNG larger than 128 px (\(sizes.joined(separator: ", "))): add a smaller one by hand"))
        } else if notes.isEmpty {
            notes.append(
                bilingual(
                    "pas d'icône « \(name) » dans \(family.map(\.name).joined(separator: ", "))",
                    "no icon \"\(name)\" in \(family.map(\.name).joined(separator: ", "))"))
        }
        return (nil, nil, notes)
    }

    /// A file of one of the packages, links followed across them.
    func lookUp(_ path: String, in packages: [DebianPackage]) -> (package: DebianPackage, path: String, data: Data)? {
        var path = path
        for _ in 0..<8 {
            var next: String?
            for package in packages {
                if let data = package.files[path] { return (package, path, data) }
                if let target = package.links[path] {
                    next = DebianPackage.resolve(target, from: path)
                    break
                }
            }
            guard let next else { return nil }
            path = next
        }
        return nil
    }

    /// Writes each application's facts and icon; removes those of applications that
    /// no longer have packages. Returns the files changed, relative to the kit.
    func write(_ all: [PackageFacts], icons: [String: Data]) throws -> [String] {
        let fm = FileManager.default
        let folder = kit.root.appendingPathComponent(PackageFacts.folder, isDirectory: true)
        let iconFolder = kit.root.appendingPathComponent(PackageFacts.iconFolder, isDirectory: true)
        try fm.createDirectory(at: iconFolder, withIntermediateDirectories: true)
        var changed: [String] = []
        var kept: Set<String> = []
        func put(_ data: Data, _ relative: String) throws {
            kept.insert(relative)
            let url = kit.root.appendingPathComponent(relative, isDirectory: false)
            if fm.contents(atPath: url.path) == data { return }
            try data.write(to: url, options: .atomic)
            changed.append(relative)
        }
        for facts in all {
            try put(Data(facts.yaml.utf8), "\(PackageFacts.folder)/\(facts.id.value).yml")
            if let icon = facts.icon, let data = icons[facts.id.value] {
                try put(data, "\(PackageFacts.iconFolder)/\(icon.file)")
            }
        }
        for (dir, relative) in [(folder, PackageFacts.folder), (iconFolder, PackageFacts.iconFolder)] {
            for name in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() {
                let path = "\(relative)/\(name)"
                guard !kept.contains(path), name.hasSuffix(".yml") || name.hasSuffix(".png") || name.hasSuffix(".svg") else { continue }
                try fm.removeItem(at: dir.appendingPathComponent(name))
                changed.append(path)
            }
        }
        return changed.sorted()
    }
}

/// Finds, downloads and reads `.deb` files for a collector, each once.
final class PackageFiles {
    let collector: PackageFactsCollector
    var read: [String: DebianPackage?] = [:]
    var check: LivePackageCheck?
    var updated = false

    init(collector: PackageFactsCollector) {
        self.collector = collector
    }

    var debs: URL { collector.store.root.appendingPathComponent("debs", isDirectory: true) }

    /// The package, from the store or downloaded; nil when the mirror has none.
    func package(_ name: String, download: Bool = true) throws -> DebianPackage? {
        if let known = read[name] { return known }
        var url = try newest(name)
        if url == nil, download {
            try fetch(name)
            url = try newest(name)
        }
        let package = try url.map { try DebianPackage.read($0, environment: collector.environment) }
        read[name] = package
        return package
    }

    /// The packages with their dependencies built from the same source, recursively
    /// (gimp → gimp-data; libreoffice-writer → libreoffice-core → libreoffice-common):
    /// icons often live in a `-data` or `-common` package. Only dependencies whose name
    /// starts like their source are tried, so unrelated libraries are not downloaded.
    func family(of main: [DebianPackage]) throws -> [DebianPackage] {
        var family = main
        var seen = Set(main.map(\.name))
        var index = 0
        while index < family.count, family.count < 40 {
            let package = family[index]
            index += 1
            let stem = package.source.split(separator: "-").first.map(String.init) ?? package.source
            for name in package.depends where !seen.contains(name) && (name.hasPrefix(stem) || name.hasPrefix("lib" + stem)) {
                seen.insert(name)
                guard let dependency = try? self.package(name), dependency.source == package.source else { continue }
                family.append(dependency)
            }
        }
        return family
    }

    /// The newest `.deb` of `name` among the folders, by Debian's version order.
    func newest(_ name: String) throws -> URL? {
        let fm = FileManager.default
        var found: [(version: String, url: URL)] = []
        for folder in collector.extraFolders + [debs] {
            for file in ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where file.hasPrefix(name + "_") && file.hasSuffix(".deb") {
                let parts = file.split(separator: "_")
                guard parts.count == 3, parts[0] == name else { continue }
                found.append((String(parts[1]).removingPercentEncoding ?? String(parts[1]), folder.appendingPathComponent(file)))
            }
        }
        guard var best = found.first else { return nil }
        for candidate in found.dropFirst() where try isNewer(candidate.version, than: best.version) { best = candidate }
        return best.1
    }

    func isNewer(_ a: String, than b: String) throws -> Bool {
        guard a != b, Tool.dpkg.locate(environment: collector.environment) != nil else { return false }
        return try Tool.dpkg.launch(["--compare-versions", a, "gt", b], environment: collector.environment).status == 0
    }

    /// `apt-get download` into the store's `debs/`, through the live base's own apt index.
    func fetch(_ name: String) throws {
        if check == nil {
            guard let plan = try LiveBasePlan.make(kit: collector.kit, mirror: collector.mirror, environment: collector.environment) else {
                return
            }
            let index = LivePackageCheck.indexFolder(store: collector.store, plan: plan)
            check = LivePackageCheck(plan: plan, kit: collector.kit, environment: collector.environment, index: index)
        }
        guard let check else { return }
        if !updated {
            try check.update()
            updated = true
        }
        try FileManager.default.createDirectory(at: debs, withIntermediateDirectories: true)
        _ = try check.download([name], into: debs)
    }
}

struct PackageFactsError: UserFacingError {
    var what: String
    var hint: String
    var message: String { what + "\n  " + hint }
}
