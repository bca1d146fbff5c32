import Foundation

/// A loaded, validated kit: everything the later stages (catalogue, site, boot, tree)
/// need, in a fixed order so outputs never depend on directory listing order.
public struct Kit: Sendable {
    public var root: URL
    public var settings: KitSettings
    /// In menu order.
    public var profiles: [Profile]
    public var categories: [Category]
    /// Merged entries (curated over imported), sorted by id.
    public var catalogue: [CatalogueEntry]
    public var apps: [String: AppDelivery]
    /// Where each application's files are on the key being built (set by the build
    /// from the content store; empty until then).
    public var placements: [String: AppPlacement] = [:]

    public func entry(_ id: String) -> CatalogueEntry? {
        catalogueIndex[id].map { catalogue[$0] }
    }

    var catalogueIndex: [String: Int] {
        Dictionary(catalogue.enumerated().map { ($1.id.value, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func category(_ id: String) -> Category? {
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

public struct KitSelectionError: UserFacingError {
    public var unknown: [String]
    public var known: [String]
    public var message: String {
        bilingual(
            "profil inconnu : \(unknown.joined(separator: ", ")) (profils du kit : \(known.joined(separator: ", ")))",
            "unknown profile: \(unknown.joined(separator: ", ")) (the kit's profiles: \(known.joined(separator: ", ")))")
    }
}
