/// One entry per software: imported entries (SILL, publiccode.yml) are merged into the
/// curated entry that names the same software, field by field, curated fields winning.
///
/// An imported entry names the same software as a curated one when, in this order:
/// both have the same SILL id; or they have the same id; or the curated entry has no
/// SILL id of its own (or the imported one has none) and their names are the same once
/// accent-, case- and punctuation-folded (« Jitsi Meet » = « jitsi-meet »).
/// Imported entries that match no curated one are merged with each other the same way
/// (SILL id, id), in file order.
enum CatalogueMerge {
    static func merge(curated: [CatalogueEntry], imported: [CatalogueEntry], diagnostics: inout [Diagnostic]) -> [CatalogueEntry] {
        var byID: [String: CatalogueEntry] = [:]
        for entry in curated {
            if let first = byID[entry.id.value] {
                diagnostics.append(
                    entry.id.diagnostic(
                        bilingual(
                            "logiciel « \(entry.id.value) » déjà défini dans \(first.id.file)",
                            "software \"\(entry.id.value)\" already defined in \(first.id.file)")))
                continue
            }
            byID[entry.id.value] = entry
        }
        let curatedIDs = Set(byID.keys)
        var sillToID = Dictionary(curated.compactMap { e in e.sill.map { ($0, e.id.value) } }, uniquingKeysWith: { a, _ in a })
        let nameToID = Dictionary(
            curated.map { (normalisedName($0.name), $0.id.value) }, uniquingKeysWith: { a, _ in a })
        // The SILL first: it is the reference the other sources point at (a Comptoir
        // du Libre or publiccode.yml entry gives its SILL id), so their entries join
        // the SILL's whatever the folders' names; then each source in file order.
        let imported = imported.sorted { (sourceRank($0), $0.id.file) < (sourceRank($1), $1.id.file) }
        for entry in imported {
            var target = entry.id.value
            if let sill = entry.sill, let id = sillToID[sill] {
                target = id
            } else if curatedIDs.contains(entry.id.value) {
                if let sill = entry.sill, let other = byID[entry.id.value]?.sill, sill != other {
                    diagnostics.append(
                        entry.id.diagnostic(
                            bilingual(
                                "« \(entry.id.value) » (SILL \(sill)) porte l'id d'une fiche rédigée d'un autre logiciel (SILL \(other)) : relancez l'import",
                                "\"\(entry.id.value)\" (SILL \(sill)) has the id of a curated entry for another software (SILL \(other)): import again")))
                    continue
                }
                target = entry.id.value
            } else if let id = nameToID[normalisedName(entry.name)], let candidate = byID[id],
                candidate.sill == nil || entry.sill == nil
            {
                target = id
            }
            if let existing = byID[target] {
                var merged = overlay(existing, over: entry)
                merged.id = existing.id
                byID[target] = merged
            } else {
                byID[target] = entry
            }
            if let sill = entry.sill, sillToID[sill] == nil { sillToID[sill] = target }
        }
        return byID.values.sorted { $0.id.value < $1.id.value }
    }

    static func sourceRank(_ entry: CatalogueEntry) -> Int {
        switch entry.source.name {
        case SILLImporter.sourceName: 0
        case PublicCodeImporter.sourceName: 1
        case ComptoirImporter.sourceName: 2
        default: 3
        }
    }

    /// Name folded for matching: accents, case and everything but letters and digits removed.
    static func normalisedName(_ name: String) -> String {
        TextFolding.tokens(name).joined()
    }

    /// `primary`'s fields where it has them, `secondary`'s elsewhere; lists of
    /// organisations are united, since each source knows different users.
    /// `provenance` records which source each field finally came from.
    static func overlay(_ primary: CatalogueEntry, over secondary: CatalogueEntry) -> CatalogueEntry {
        var merged = primary
        func take(_ field: String, _ missing: Bool, _ apply: (inout CatalogueEntry) -> Void) {
            guard missing, secondary.presentFields.contains(field) else { return }
            apply(&merged)
            merged.provenance[field] = secondary.source(of: field)
        }
        if merged.description.en == nil, let en = secondary.description.en {
            merged.description.en = en
            merged.provenance["description_en"] = secondary.source(of: "description")
        }
        take("website", primary.website == nil) { $0.website = secondary.website }
        take("repository", primary.repository == nil) { $0.repository = secondary.repository }
        take("documentation", primary.documentation == nil) { $0.documentation = secondary.documentation }
        take("replaces", primary.replaces.isEmpty) { $0.replaces = secondary.replaces }
        take("platforms", primary.platforms.isEmpty) { $0.platforms = secondary.platforms }
        take("keywords", primary.keywords.isEmpty) { $0.keywords = secondary.keywords }
        take("sill", primary.sill == nil) { $0.sill = secondary.sill }
        take("sill_status", primary.sillStatus == nil) { $0.sillStatus = secondary.sillStatus }
        take("sill_years", primary.sillYears.isEmpty) { $0.sillYears = secondary.sillYears }
        take("support_contract", !primary.supportContract) { $0.supportContract = secondary.supportContract }
        take("comptoir", primary.comptoir == nil) { $0.comptoir = secondary.comptoir }
        take("version", primary.version == nil) { $0.version = secondary.version }
        take("release_date", primary.releaseDate == nil) { $0.releaseDate = secondary.releaseDate }
        take("development_status", primary.developmentStatus == nil) { $0.developmentStatus = secondary.developmentStatus }
        take("maintenance", primary.maintenance == nil) { $0.maintenance = secondary.maintenance }
        if primary.missingFrench && !secondary.missingFrench {
            merged.description.fr = secondary.description.fr
            merged.missingFrench = false
            merged.provenance["description"] = secondary.source(of: "description")
        }
        merged.users = unite(primary.users, secondary.users)
        merged.providers = unite(primary.providers, secondary.providers)
        for (role, names) in [("users", secondary.users), ("providers", secondary.providers)] {
            for name in names where merged.provenance["\(role):\(name)"] == nil && !primaryHas(primary, role, name) {
                merged.provenance["\(role):\(name)"] = secondary.source(of: "\(role):\(name)")
            }
        }
        merged.mergedSources.append(contentsOf: [secondary.source] + secondary.mergedSources)
        return merged
    }

    static func primaryHas(_ entry: CatalogueEntry, _ role: String, _ name: String) -> Bool {
        let list = role == "users" ? entry.users : entry.providers
        return list.contains { $0.lowercased() == name.lowercased() }
    }

    static func unite(_ a: [String], _ b: [String]) -> [String] {
        var seen = Set(a.map { $0.lowercased() })
        return a + b.filter { seen.insert($0.lowercased()).inserted }
    }
}
