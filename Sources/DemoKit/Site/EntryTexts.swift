import Foundation

/// What the database, the search index and the pages each derive from an entry's
/// texts: the folded search columns (database and index) and the summaries of its
/// descriptions (index and list pages). Worked out once per build, on every core,
/// rather than by each of the three.
struct EntryTexts: Sendable {
    var fields: SearchFields
    var summaryFR: String
    /// Of the English description; "" when there is none.
    var summaryEN: String

    init(_ entry: CatalogueEntry, categories: [Category]) {
        fields = SearchFields(entry, categories: categories)
        summaryFR = SearchIndex.summary(entry.description.fr)
        summaryEN = SearchIndex.summary(entry.description.en ?? "")
    }

    /// The summary a page of `language` shows: the one of the text `SiteLanguage.pick` picks.
    func summary(_ entry: CatalogueEntry, _ language: SiteLanguage) -> String {
        language == .en && !(entry.description.en ?? "").isEmpty ? summaryEN : summaryFR
    }

    /// Each entry's, in catalogue order.
    static func of(_ kit: Kit) -> [EntryTexts] {
        let categories = kit.categories
        return parallelMap(kit.catalogue) { EntryTexts($0, categories: categories) }
    }
}
