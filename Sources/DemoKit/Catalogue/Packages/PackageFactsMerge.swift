import Foundation
import GRDB

extension PackageFacts {
    /// The entry completed by the package's facts, each with the package as its source
    /// (`provenance`): what the curated or imported entry says always wins, except an
    /// older release, which the package's newer one replaces.
    func apply(to entry: CatalogueEntry) -> CatalogueEntry {
        var entry = entry
        let source = self.source
        if entry.missingFrench, let french = summaryFrench {
            if entry.description.en != nil { entry.provenance["description_en"] = entry.source(of: "description") }
            entry.description.fr = french
            entry.missingFrench = false
            entry.provenance["description"] = source
        }
        if entry.website == nil, let homepage {
            entry.website = homepage
            entry.provenance["website"] = source
        }
        if entry.documentation == nil, let help {
            entry.documentation = help
            entry.provenance["documentation"] = source
        }
        if let releaseDate, releaseDate > (entry.releaseDate ?? "") {
            entry.releaseDate = releaseDate
            entry.version = releaseVersion
            entry.provenance["release_date"] = source
            if releaseVersion != nil { entry.provenance["version"] = source } else { entry.provenance["version"] = nil }
        }
        return entry
    }

    /// Every entry that has facts, completed by them; the others as they are.
    static func apply(_ facts: [String: PackageFacts], to catalogue: [CatalogueEntry]) -> [CatalogueEntry] {
        guard !facts.isEmpty else { return catalogue }
        return catalogue.map { entry in facts[entry.id.value]?.apply(to: entry) ?? entry }
    }

    /// The icon's problem, if any, as a diagnostic on the facts file: missing, not the
    /// image it says it is, or an SVG that could run a script or load something.
    func iconDiagnostic(kitRoot: URL, file: String) -> Diagnostic? {
        guard let icon else { return nil }
        let url = kitRoot.appendingPathComponent(Self.iconFolder, isDirectory: true).appendingPathComponent(icon.file, isDirectory: false)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return Diagnostic(
                file: file, line: id.line, column: id.column,
                message: bilingual(
                    "icône introuvable : \(Self.iconFolder)/\(icon.file) (relancez demokit catalogue package-facts)",
                    "icon not found: \(Self.iconFolder)/\(icon.file) (run demokit catalogue package-facts again)"))
        }
        let problem = icon.isSVG ? IconCheck.svgProblem(data) : IconCheck.pngProblem(data)
        return problem.map {
            Diagnostic(file: file, line: id.line, column: id.column, message: "\(Self.iconFolder)/\(icon.file): " + $0)
        }
    }
}

/// What the catalogue accepts as an icon: a PNG of at most 128 px a side, or an SVG
/// without scripts, event handlers or references to other files.
enum IconCheck {
    /// Width and height of a PNG, from its header; nil when it is no PNG.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func number(_ start: Int) -> Int { bytes[start..<start + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (number(16), number(20))
    }

    static func pngProblem(_ data: Data) -> String? {
        guard let size = pngSize(data) else { return bilingual("ce n'est pas une image PNG", "not a PNG image") }
        guard size.width <= PackageFacts.maximumPNGSize, size.height <= PackageFacts.maximumPNGSize, size.width > 0, size.height > 0 else {
            return bilingual(
                "PNG de \(size.width)×\(size.height) px : 128 px au plus", "\(size.width)×\(size.height) px PNG: 128 px at most")
        }
        return nil
    }

    /// Why an SVG is refused, or nil. An SVG shown through `<img>` runs no script, but
    /// the same file opened on its own would: scripts, event handlers, `javascript:`
    /// and references outside the file (`href` to anything but `#…` or an embedded
    /// `data:` image) are refused.
    static func svgProblem(_ data: Data) -> String? {
        guard let text = String(data: data, encoding: .utf8) else {
            return bilingual("SVG illisible (UTF-8 attendu)", "unreadable SVG (UTF-8 expected)")
        }
        let lower = text.lowercased()
        guard lower.contains("<svg") else { return bilingual("ce n'est pas une image SVG", "not an SVG image") }
        if lower.contains("<script") { return bilingual("SVG refusé : il contient un script", "SVG refused: it holds a script") }
        if lower.contains("javascript:") { return bilingual("SVG refusé : il contient « javascript: »", "SVG refused: it holds \"javascript:\"") }
        if lower.contains("<foreignobject") {
            return bilingual("SVG refusé : il contient du HTML (foreignObject)", "SVG refused: it holds HTML (foreignObject)")
        }
        if lower.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil {
            return bilingual("SVG refusé : il contient un gestionnaire d'événement (on…=)", "SVG refused: it holds an event handler (on…=)")
        }
        // Every href (xlink:href included) must stay inside the file.
        let pattern = #"href\s*=\s*["']\s*([^"']*)["']"#
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        for match in expression.matches(in: text, range: range) {
            guard let valueRange = Range(match.range(at: 1), in: text) else { continue }
            let value = text[valueRange].lowercased()
            if value.hasPrefix("#") || value.hasPrefix("data:image/png") || value.hasPrefix("data:image/jpeg") { continue }
            return bilingual(
                "SVG refusé : il renvoie vers « \(text[valueRange].prefix(60)) » (seuls les liens internes #… sont acceptés)",
                "SVG refused: it refers to \"\(text[valueRange].prefix(60))\" (only internal #… links are accepted)")
        }
        if lower.range(of: #"url\(\s*["']?\s*(https?:|//|file:)"#, options: .regularExpression) != nil
            || lower.contains("@import")
        {
            return bilingual("SVG refusé : il charge une ressource extérieure", "SVG refused: it loads an outside resource")
        }
        return nil
    }
}

extension CatalogueWriter {
    /// The `package_facts` row of an application (`docs/catalogue-database.md`).
    static func insertPackageFacts(_ facts: PackageFacts, _ db: Database) throws {
        let icon = facts.icon
        try db.run(
            "INSERT INTO package_facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            facts.id.value, facts.origin.package, facts.origin.version, facts.origin.date, facts.metainfo, facts.summaryFrench,
            facts.summaryEnglish, facts.homepage, facts.bugTracker, facts.help, facts.releaseVersion, facts.releaseDate,
            icon.map { SiteIcons.folder + $0.file }, icon?.origin.package, icon?.origin.version, icon?.path, icon?.licence,
            icon?.copyright, facts.notes.isEmpty ? nil : facts.notes.joined(separator: "\n"))
    }
}

extension CatalogueCheck {
    /// The live applications that still have no icon, with what their packages lack.
    static func packageFactsGaps(_ kit: Kit) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for app in kit.apps.values.sorted(by: { $0.id.value < $1.id.value }) where !app.livePackages.isEmpty {
            let id = app.id.value
            guard let facts = kit.packageFacts[id] else {
                diagnostics.append(
                    app.id.diagnostic(
                        bilingual(
                            "« \(id) » : pas d'icône ni de faits de ses paquets Debian (\(PackageFacts.folder)/\(id).yml) : lancez demokit catalogue package-facts",
                            "\"\(id)\": no icon nor facts from its Debian packages (\(PackageFacts.folder)/\(id).yml): run demokit catalogue package-facts"),
                        .warning))
                continue
            }
            guard facts.icon == nil else { continue }
            // The notes are already in both languages.
            let why = facts.notes.isEmpty ? "" : " — " + facts.notes.joined(separator: " ; ")
            diagnostics.append(
                Diagnostic(
                    .warning, file: facts.id.file, line: facts.id.line, column: facts.id.column,
                    message: bilingual("« \(id) » : application live sans icône", "\"\(id)\": live application without an icon") + why))
        }
        return diagnostics
    }
}
