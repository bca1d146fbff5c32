import Foundation

/// Before the packages are downloaded: the mirror answers, every package the kit names
/// exists there, and roughly how much the live system will download and take on disk.
/// apt reads the plan's sources into a folder of its own (`index`), so neither the
/// machine's apt lists nor its suite matter.
struct LivePackageCheck {
    var plan: LiveBasePlan
    var kit: Kit
    var environment: [String: String]
    /// apt's lists of the plan's sources (in the content store).
    var index: URL?

    struct Estimate {
        var packages: Int
        var downloadBytes: Int64
        var installedBytes: Int64
    }

    func run() throws -> Estimate {
        try update()
        let names = plan.allPackages
        let shown = stanzas(try aptCache(["show", "--no-all-versions"] + names))
        let found = Set(shown.compactMap { $0["Package"] })
        var unknown: [String] = []
        for name in names where !found.contains(name) {
            // A virtual package some real one provides is fine.
            let text = (try? aptCache(["showpkg", name])) ?? ""
            let provided =
                text.components(separatedBy: "Reverse Provides:").dropFirst().first?
                .split(separator: "\n").contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
            if !provided { unknown.append(name) }
        }
        if !unknown.isEmpty { throw unknownPackagesError(unknown) }

        let tree = try aptCache(
            ["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
                + names)
        let closure = Set(tree.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("<") }.map(String.init))
        let all = stanzas(try aptCache(["show", "--no-all-versions"] + closure.sorted()))
        var download: Int64 = 0
        var installed: Int64 = 0
        for stanza in all {
            download += Int64(stanza["Size"] ?? "") ?? 0
            installed += (Int64(stanza["Installed-Size"] ?? "") ?? 0) * 1024
        }
        return Estimate(packages: all.count, downloadBytes: download, installedBytes: installed)
    }

    /// The packages, each named where the kit writes it (`payload/apps/x.yml:3:14`).
    func unknownPackagesError(_ names: [String]) -> any Error {
        var diagnostics: [Diagnostic] = []
        for name in Set(names).sorted() {
            var places: [Located<String>] = []
            for profile in kit.profiles {
                for app in profile.apps {
                    places += (kit.apps[app.value]?.livePackagesWritten ?? []).filter { $0.value == name }
                }
            }
            let message = bilingual(
                "paquet Debian inconnu « \(name) » dans \(plan.suite) (main) : corrigez le nom (apt-cache search \(name)) ou retirez-le",
                "unknown Debian package \"\(name)\" in \(plan.suite) (main): fix the name (apt-cache search \(name)) or remove it")
            var seen: Set<String> = []
            for place in places where seen.insert("\(place.file):\(place.line):\(place.column)").inserted {
                diagnostics.append(place.diagnostic(message))
            }
            if places.isEmpty, let line = kit.settings.base?.debian?.line {
                diagnostics.append(Diagnostic(file: "profiles/kit.yml", line: line, column: 3, message: message))
            }
        }
        return KitValidationError(diagnostics: diagnostics.sortedByPosition())
    }

    /// apt's options that keep it to `index`.
    var aptOptions: [String] {
        let dir = index?.path ?? "/nonexistent"
        return [
            "Dir::State=\(dir)/state", "Dir::State::Lists=\(dir)/lists", "Dir::State::status=\(dir)/status", "Dir::Cache=\(dir)/cache",
            "Dir::Etc::SourceList=\(dir)/sources.list", "Dir::Etc::SourceParts=\(dir)/empty", "Dir::Etc::PreferencesParts=\(dir)/empty",
            "Dir::Etc::Preferences=\(dir)/empty/none", "Acquire::Check-Valid-Until=false", "APT::Architecture=amd64",
            "APT::Architectures=amd64", "Debug::NoLocking=1", "Acquire::Languages=none",
        ].flatMap { ["-o", $0] }
    }

    /// `apt-get update` of the plan's sources into `index`: the mirror's answer.
    func update() throws {
        guard let index else { return }
        let fm = FileManager.default
        for folder in ["state", "lists/partial", "cache/archives/partial", "empty"] {
            try fm.createDirectory(at: index.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data().write(to: index.appendingPathComponent("status"))
        let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
        let lines = plan.sources.map { line -> String in
            guard fm.fileExists(atPath: keyring), !line.contains("[") else { return line }
            return line.replacingOccurrences(of: "deb ", with: "deb [signed-by=\(keyring)] ", options: .anchored)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: index.appendingPathComponent("sources.list"))
        let (status, output) = try apt(.aptGet, aptOptions + ["update", "-q"])
        let failed = output.split(separator: "\n").filter { $0.hasPrefix("Err:") || $0.hasPrefix("E:") || $0.hasPrefix("W: Failed") }
        if status != 0 || !failed.isEmpty {
            throw LiveBaseError(
                what: bilingual(
                    "miroir Debian injoignable ou incomplet (\(plan.sources.joined(separator: " ; "))) : \(failed.prefix(3).joined(separator: " | "))",
                    "Debian mirror unreachable or incomplete (\(plan.sources.joined(separator: "; "))): \(failed.prefix(3).joined(separator: " | "))"),
                hint: bilingual(
                    "vérifiez le réseau, ou indiquez un autre miroir : --mirror http://deb.debian.org/debian",
                    "check the network, or name another mirror: --mirror http://deb.debian.org/debian"))
        }
    }

    /// apt-cache's output; a missing name makes it fail, which `show` reports by omission.
    func aptCache(_ arguments: [String]) throws -> String {
        try apt(.aptCache, aptOptions + arguments).output
    }

    /// Where apt keeps the lists of `plan`'s sources in the content store.
    static func indexFolder(store: ContentStore, plan: LiveBasePlan) -> URL {
        store.root.appendingPathComponent("apt/" + String(LiveBasePlan.digest(plan.sources.joined(separator: "\n")).prefix(16)))
    }

    /// `apt-get download` of `names` into `folder`, from the plan's sources (`update` first).
    func download(_ names: [String], into folder: URL) throws -> (status: Int32, output: String) {
        try apt(.aptGet, aptOptions + ["download", "-q"] + names, directory: folder)
    }

    /// apt's output, standard error included, in the C locale whose messages `update` and
    /// `LiveBaseBuilder` look for.
    func apt(_ tool: Tool, _ arguments: [String], directory: URL? = nil) throws -> (status: Int32, output: String) {
        var env = environment
        env["LC_ALL"] = "C"
        let result = try tool.launch(arguments, environment: env, directory: directory)
        return (result.status, result.outputText)
    }

    func stanzas(_ text: String) -> [[String: String]] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") where !line.hasPrefix(" ") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return fields["Package"] == nil ? nil : fields
        }
    }
}
