import Foundation

/// A loaded, validated kit: everything the later stages (catalogue, site, boot, tree)
/// need, in a fixed order so outputs never depend on directory listing order.
public struct Kit: Sendable {
    var root: URL
    var settings: KitSettings
    /// In menu order.
    public var profiles: [Profile]
    public var categories: [Category]
    /// Merged entries (curated over imported), sorted by id.
    public var catalogue: [CatalogueEntry]
    var apps: [String: AppDelivery]
    /// `payload/providers/*.yml`, sorted by id.
    var providers: [Provider] = []
    /// `payload/talks/<profile>.yml`, in profile order.
    var talks: [Talk] = []
    /// `payload/talks/facts.yml`: what the talks cite.
    var facts: [TalkFact] = []
    /// Where each application's files are on the key being built (set by the build
    /// from the content store; empty until then).
    var placements: [String: AppPlacement] = [:]
    /// What the applications' Debian packages say (`payload/packages/<id>.yml`), by
    /// application id; already merged into `catalogue`, kept for the icons.
    var packageFacts: [String: PackageFacts] = [:]

    /// The entry with this id. A binary search, as the loader sorts the catalogue by
    /// id; a kit put together otherwise is searched in full. Neither copies the
    /// catalogue: it is called once per application and entry, and an index made at
    /// each call would cost as much as the lookups it serves.
    func entry(_ id: String) -> CatalogueEntry? {
        var low = 0, high = catalogue.count
        while low < high {
            let middle = (low + high) / 2
            if catalogue[middle].id.value < id { low = middle + 1 } else { high = middle }
        }
        if low < catalogue.count, catalogue[low].id.value == id { return catalogue[low] }
        return catalogue.firstIndex { $0.id.value == id }.map { catalogue[$0] }
    }

    func talk(_ profile: String) -> Talk? {
        talks.first { $0.profile.value == profile }
    }

    func fact(_ id: String) -> TalkFact? {
        facts.first { $0.id.value == id }
    }

    func category(_ id: String) -> Category? {
        categories.first { $0.id.value == id }
    }

    /// The kit restricted to some profiles (`demokit build --profile …`).
    public func selecting(profiles ids: [String]) throws -> Kit {
        guard !ids.isEmpty else { return self }
        let known = profiles.map(\.id.value)
        let unknown = ids.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw KitSelectionError(unknown: unknown, known: known)
        }
        var copy = self
        copy.profiles = profiles.filter { ids.contains($0.id.value) }
        return copy
    }
}

struct KitSelectionError: UserFacingError {
    var unknown: [String]
    var known: [String]
    var message: String {
        bilingual(
            "profil inconnu : \(unknown.joined(separator: ", ")) (profils du kit : \(known.joined(separator: ", ")))",
            "unknown profile: \(unknown.joined(separator: ", ")) (the kit's profiles: \(known.joined(separator: ", ")))")
    }
}
