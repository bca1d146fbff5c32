/// A provider of a catalogue entry: a name the entry gives, or a record of
/// `payload/providers/`, or both when they match.
struct EntryProvider: Sendable, Equatable {
    /// The record's name when there is a record, else the name as the entry wrote it.
    var name: String
    var record: Provider?
}

extension Kit {
    /// The provider record with this id.
    func provider(_ id: String) -> Provider? {
        providers.first { $0.id.value == id }
    }

    /// The entry's providers: first the names it gives, in its order, each replaced by
    /// the record whose name or id is the same once folded (« Entr'ouvert » is
    /// `entrouvert`); then the records that list the entry in their `software`, by
    /// name. A name no record matches stays a plain name, as before records existed.
    func providers(of entry: CatalogueEntry) -> [EntryProvider] {
        guard !providers.isEmpty else { return entry.providers.map { EntryProvider(name: $0, record: nil) } }
        var result: [EntryProvider] = []
        var linked: Set<String> = []
        for name in entry.providers {
            let key = CatalogueMerge.normalisedName(name)
            if let record = providers.first(where: { $0.matches(key) }) {
                if linked.insert(record.id.value).inserted { result.append(EntryProvider(name: record.name, record: record)) }
            } else if !result.contains(where: { $0.record == nil && CatalogueMerge.normalisedName($0.name) == key }) {
                result.append(EntryProvider(name: name, record: nil))
            }
        }
        let listing = providers.filter { record in
            !linked.contains(record.id.value) && record.software.contains { $0.value == entry.id.value }
        }
        for record in listing.sorted(by: { SiteSort.key($0.name) < SiteSort.key($1.name) }) {
            result.append(EntryProvider(name: record.name, record: record))
        }
        return result
    }

    /// Positions in `catalogue` of the entries a provider supports (`providers(of:)`
    /// the other way round), for every record at once: one pass over the catalogue.
    func softwarePositionsByProvider() -> [String: [Int]] {
        guard !providers.isEmpty else { return [:] }
        var result: [String: [Int]] = [:]
        var keys: [String: String] = [:]
        for record in providers {
            for key in record.matchKeys where keys[key] == nil { keys[key] = record.id.value }
        }
        var listed: [String: [String]] = [:]
        for record in providers {
            for software in Set(record.software.map(\.value)) { listed[software, default: []].append(record.id.value) }
        }
        for (position, entry) in catalogue.enumerated() {
            var ids = Set(listed[entry.id.value] ?? [])
            for name in entry.providers {
                if let id = keys[CatalogueMerge.normalisedName(name)] { ids.insert(id) }
            }
            for id in ids { result[id, default: []].append(position) }
        }
        return result
    }
}

extension Provider {
    /// Its name and id, folded as `CatalogueMerge.normalisedName` folds names.
    var matchKeys: [String] {
        [CatalogueMerge.normalisedName(name), CatalogueMerge.normalisedName(id.value)]
    }

    func matches(_ foldedName: String) -> Bool {
        matchKeys.contains(foldedName)
    }
}
