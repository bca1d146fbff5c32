import Foundation

/// Pre-renders the catalogue website: static pages that open from `file://` with no
/// server, every link relative and naming an explicit `.html` file.
public struct SiteGenerator {
    public var kit: Kit
    public var theme: Theme

    public init(kit: Kit, theme: Theme) {
        self.kit = kit
        self.theme = theme
    }

    public func plan() throws -> [PlannedFile] {
        var files: [PlannedFile] = []
        func page(_ path: String, _ template: String, _ context: [String: Any]) throws {
            let depth = path.split(separator: "/").count - 1
            var context = context
            context["root"] = String(repeating: "../", count: depth)
            context["kit"] = ["name": kit.settings.name.fr, "version": kit.settings.version]
            files.append(.text(path, try theme.render(template, context), role: .site))
        }

        try page("index.html", "root", [:])
        try page(
            "catalogue/index.html", "home",
            [
                "title": kit.settings.name.fr,
                "profiles": kit.profiles.map(profileSummary),
                "count": kit.catalogue.count,
            ])
        for profile in kit.profiles {
            try page(
                "catalogue/profils/\(profile.id.value).html", "profile",
                [
                    "title": profile.name.fr,
                    "profile": profileSummary(profile),
                    "pitch": paragraphs(profile.pitch.fr),
                    "apps": profile.apps.compactMap { kit.entry($0.value) }.map(softwareSummary),
                ])
        }
        try page(
            "catalogue/logiciels/index.html", "software-list",
            [
                "title": "Tous les logiciels",
                "software": kit.catalogue.map(softwareSummary),
            ])
        for entry in kit.catalogue {
            try page(
                "catalogue/logiciels/\(entry.id.value).html", "software",
                [
                    "title": entry.name,
                    "software": softwareDetail(entry),
                ])
        }
        for asset in theme.assets {
            files.append(PlannedFile(path: "catalogue/assets/\(asset.path)", content: .copy(asset.url), role: .site))
        }
        return files
    }

    func profileSummary(_ profile: Profile) -> [String: Any] {
        [
            "id": profile.id.value,
            "name": profile.name.fr,
            "nameEn": profile.name.english,
            "audience": profile.audience.fr,
            "appCount": profile.apps.count,
        ]
    }

    func softwareSummary(_ entry: CatalogueEntry) -> [String: Any] {
        var summary: [String: Any] = [
            "id": entry.id.value,
            "name": entry.name,
            "description": entry.description.fr,
            "licence": entry.licence.value,
            "replaces": entry.replaces.joined(separator: ", "),
        ]
        // How to start it from the key, when its files are on it.
        let placement = kit.placements[entry.id.value]
        summary["windowsStart"] = placement?.windows?.start ?? ""
        summary["linuxStart"] = placement?.linux?.path ?? ""
        summary["notOnKey"] = placement?.notOnKey.joined(separator: ", ") ?? ""
        return summary
    }

    func softwareDetail(_ entry: CatalogueEntry) -> [String: Any] {
        var detail = softwareSummary(entry)
        detail["descriptionEn"] = entry.description.en ?? ""
        detail["categories"] = entry.categories.compactMap { kit.category($0.value) }.map { ["id": $0.id.value, "name": $0.name.fr] }
        detail["website"] = entry.website ?? ""
        detail["repository"] = entry.repository ?? ""
        detail["platforms"] = entry.platforms.joined(separator: ", ")
        detail["users"] = entry.users
        detail["providers"] = entry.providers
        detail["profiles"] = kit.profiles.filter { $0.apps.contains { $0.value == entry.id.value } }.map(profileSummary)
        if let app = kit.apps[entry.id.value] {
            detail["live"] = app.livePackages.joined(separator: " ")
            detail["online"] = app.onlineURL ?? ""
        }
        return detail
    }

    func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map { $0.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
