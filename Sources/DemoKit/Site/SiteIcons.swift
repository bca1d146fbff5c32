import Foundation

/// The applications' icons from their Debian packages (`payload/packages/icons/`):
/// each stored once on the key, under `catalogue/icones/`, shown through `<img>` on
/// cards, software pages, sheets and slides, and credited on the credits page.
enum SiteIcons {
    /// The icons' folder on the key, shared by both languages.
    static let folder = "catalogue/icones/"

    /// One file per icon, copied from the kit.
    static func files(_ kit: Kit) -> [PlannedFile] {
        let source = kit.root.appendingPathComponent(PackageFacts.iconFolder, isDirectory: true)
        return kit.packageFacts.keys.sorted().compactMap { id in
            guard let icon = kit.packageFacts[id]?.icon else { return nil }
            return PlannedFile(path: folder + icon.file, content: .copy(source.appendingPathComponent(icon.file, isDirectory: false)), role: .site)
        }
    }
}

extension SitePages {
    /// The address of the application's icon from `page`, or nil when it has none.
    /// For any page that shows an application (talk slides included).
    func iconHref(for entry: CatalogueEntry, from page: SitePage) -> String? {
        kit.packageFacts[entry.id.value]?.icon.map { page.root + SiteIcons.folder + $0.file }
    }

    /// Which package gave which of the page's facts, and when they were read; nil for
    /// an application without package facts.
    func packageSource(_ entry: CatalogueEntry) -> String? {
        guard let facts = kit.packageFacts[entry.id.value] else { return nil }
        let french = language == .fr
        let fields = ["description", "website", "documentation", "release_date"].filter {
            entry.provenance[$0]?.name == PackageFacts.sourceName
        }
        var parts: [String] = []
        if !fields.isEmpty || facts.bugTracker != nil {
            let names: [String: (String, String)] = [
                "description": ("résumé", "summary"), "website": ("site web", "website"), "documentation": ("documentation", "documentation"),
                "release_date": ("dernière version", "latest release"),
            ]
            var what = fields.compactMap { names[$0].map { french ? $0.0 : $0.1 } }
            if facts.bugTracker != nil { what.append(french ? "suivi des problèmes" : "bug tracker") }
            parts.append(what.joined(separator: ", ") + (french ? " : " : ": ") + facts.origin.reference)
        }
        if let icon = facts.icon {
            parts.append((french ? "icône : " : "icon: ") + "\(icon.origin.reference), \(icon.licence)")
        }
        guard !parts.isEmpty else { return nil }
        return parts.joined(separator: french ? " ; " : "; ") + (french ? " (lu le \(facts.origin.date))" : " (read on \(facts.origin.date))")
    }

    /// The credits page's list of icons, with their package and licence; nil when no
    /// application has an icon.
    func iconCredits(from page: SitePage) -> [String: Any]? {
        let list: [[String: Any]] = sortedOrder.compactMap { position in
            let entry = kit.catalogue[position]
            guard let icon = kit.packageFacts[entry.id.value]?.icon else { return nil }
            return [
                "name": entry.name, "iconHref": page.root + SiteIcons.folder + icon.file, "licence": icon.licence,
                "package": icon.origin.package, "version": icon.origin.version, "path": icon.path, "copyright": icon.copyright,
            ]
        }
        return list.isEmpty ? nil : ["list": list]
    }
}
