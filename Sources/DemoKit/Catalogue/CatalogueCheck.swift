import Foundation

/// `demokit catalogue check`: the catalogue's quality report. Errors are what stops a
/// build (the kit's own validation); the rest are warnings a curator works through:
/// entries without French description, unknown and deprecated licence ids, the same
/// software twice across sources, profile applications the key cannot run.
public struct CatalogueCheck {
    public struct Report: Sendable {
        public var diagnostics: [Diagnostic]
        var entries: Int
        public var hasErrors: Bool { diagnostics.hasErrors }

        func count(_ severity: Diagnostic.Severity) -> Int { diagnostics.filter { $0.severity == severity }.count }

        public var summary: String {
            bilingual(
                "\(entries) logiciels : \(count(.error)) erreur(s), \(count(.warning)) avertissement(s)",
                "\(entries) software: \(count(.error)) error(s), \(count(.warning)) warning(s)")
        }
    }

    var loader: KitLoader

    public init(loader: KitLoader) {
        self.loader = loader
    }

    public func run() -> Report {
        let result = loader.load()
        guard let kit = result.kit else {
            return Report(diagnostics: result.diagnostics, entries: 0)
        }
        return Report(diagnostics: (result.diagnostics + Self.check(kit)).sortedByPosition(), entries: kit.catalogue.count)
    }

    static func check(_ kit: Kit) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func warn(_ entry: CatalogueEntry, _ fr: String, _ en: String) {
            diagnostics.append(entry.id.diagnostic(bilingual(fr, en), .warning))
        }
        for entry in kit.catalogue {
            if entry.missingFrench {
                warn(entry, "« \(entry.id.value) » : pas de description en français", "\"\(entry.id.value)\": no French description")
            }
            for id in SPDX.licenseIDs(in: entry.licence.value) {
                if id.hasPrefix("LicenseRef-") {
                    warn(
                        entry, "« \(entry.id.value) » : licence inconnue « \(id) » — vérifiez-la et écrivez son identifiant SPDX",
                        "\"\(entry.id.value)\": unknown licence \"\(id)\" — check it and write its SPDX id")
                } else if SPDX.isDeprecated(id) {
                    warn(
                        entry, "« \(entry.id.value) » : identifiant SPDX obsolète « \(id) » — précisez -only ou -or-later",
                        "\"\(entry.id.value)\": deprecated SPDX id \"\(id)\" — say -only or -or-later")
                }
            }
        }
        // The same software under two ids (across sources, or twice in one).
        var groups: [String: [CatalogueEntry]] = [:]
        for entry in kit.catalogue {
            var keys = ["name:" + CatalogueMerge.normalisedName(entry.name)]
            if let sill = entry.sill { keys.append("sill:" + sill) }
            // Repositories only: a publisher's website is often shared by its whole suite (openMairie…).
            if let url = entry.repository { keys.append("url:" + normalisedURL(url)) }
            for key in Set(keys) { groups[key, default: []].append(entry) }
        }
        var reported: Set<[String]> = []
        for key in groups.keys.sorted() {
            guard let entries = groups[key], entries.count > 1 else { continue }
            let ids = entries.map(\.id.value).sorted()
            guard reported.insert(ids).inserted, let first = entries.first else { continue }
            let sources = entries.map { "\($0.id.value) [\($0.source.name), \($0.id.file)]" }.joined(separator: ", ")
            let what = key.split(separator: ":", maxSplits: 1).first.map(String.init) ?? key
            warn(
                first, "même logiciel en double ? (\(what)) : \(sources) — ajoutez « sill: » ou alignez les noms pour les fusionner",
                "same software twice? (\(what)): \(sources) — add \"sill:\" or align the names to merge them")
        }
        // Profile applications the key cannot run on Windows or Linux.
        for profile in kit.profiles {
            for app in profile.apps {
                let delivery = kit.apps[app.value]
                if delivery?.livePackages.isEmpty ?? true {
                    diagnostics.append(
                        app.diagnostic(
                            bilingual(
                                "« \(app.value) » n'a aucune livraison Windows ni Linux (payload/apps/\(app.value).yml) : la clé ne peut pas le lancer",
                                "\"\(app.value)\" has no Windows or Linux delivery (payload/apps/\(app.value).yml): the key cannot run it"),
                            .warning))
                }
            }
        }
        diagnostics += packageFactsGaps(kit)
        return diagnostics
    }

    /// `https://www.Example.org/x/` → `example.org/x`, to find the same project twice.
    static func normalisedURL(_ url: String) -> String {
        var text = url.lowercased()
        for prefix in ["https://", "http://"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if text.hasPrefix("www.") { text.removeFirst(4) }
        if text.hasSuffix(".git") { text.removeLast(4) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
