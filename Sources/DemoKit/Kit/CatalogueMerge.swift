/// One entry per software: imported entries (SILL, publiccode.yml) are merged into the
/// curated entry that names the same software, field by field, curated fields winning.
public enum CatalogueMerge {
    public static func merge(curated: [CatalogueEntry], imported: [CatalogueEntry], diagnostics: inout [Diagnostic]) -> [CatalogueEntry] {
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
        let sillToID = Dictionary(curated.compactMap { e in e.sill.map { ($0, e.id.value) } }, uniquingKeysWith: { a, _ in a })
        for entry in imported.sorted(by: { $0.id.file < $1.id.file }) {
            let target = entry.sill.flatMap { sillToID[$0] } ?? entry.id.value
            if let existing = byID[target] {
                byID[target] = overlay(existing, over: entry)
            } else {
                byID[target] = entry
            }
        }
        return byID.values.sorted { $0.id.value < $1.id.value }
    }

    /// `primary`'s fields where it has them, `secondary`'s elsewhere; lists of
    /// organisations are united, since each source knows different users.
    static func overlay(_ primary: CatalogueEntry, over secondary: CatalogueEntry) -> CatalogueEntry {
        var merged = primary
        if merged.description.en == nil { merged.description.en = secondary.description.en }
        merged.website = primary.website ?? secondary.website
        merged.repository = primary.repository ?? secondary.repository
        if merged.replaces.isEmpty { merged.replaces = secondary.replaces }
        if merged.platforms.isEmpty { merged.platforms = secondary.platforms }
        if merged.keywords.isEmpty { merged.keywords = secondary.keywords }
        merged.users = unite(primary.users, secondary.users)
        merged.providers = unite(primary.providers, secondary.providers)
        merged.sill = primary.sill ?? secondary.sill
        return merged
    }

    static func unite(_ a: [String], _ b: [String]) -> [String] {
        var seen = Set(a.map { $0.lowercased() })
        return a + b.filter { seen.insert($0.lowercased()).inserted }
    }
}
