/// Text shown to presenters and volunteers: French first, English second.
struct LocalizedText: Sendable, Equatable, Codable, Hashable {
    var fr: String
    var en: String?

    init(fr: String, en: String? = nil) {
        self.fr = fr
        self.en = en
    }

    /// English when present, else the French text.
    var english: String { en ?? fr }
}

/// Builds the bilingual messages of the command line: `« français » / « English »`.
/// Kept in one place so every message has both languages in the same order.
public func bilingual(_ fr: String, _ en: String) -> String {
    "\(fr) / \(en)"
}

/// Builds a bilingual message from parts, each in both languages, so a hint added
/// to a message stays beside its own language: `fr + hint / en + hint`.
public struct BilingualMessage: Sendable {
    var fr: String
    var en: String

    public init(_ fr: String, _ en: String) {
        self.fr = fr
        self.en = en
    }

    mutating func append(_ fr: String, _ en: String) {
        self.fr += fr
        self.en += en
    }

    /// Adds « vouliez-vous dire … ? » when a close candidate exists.
    public mutating func suggest(_ candidate: String?) {
        guard let candidate else { return }
        append(" — vouliez-vous dire « \(candidate) » ?", " — did you mean \"\(candidate)\"?")
    }

    public var text: String { bilingual(fr, en) }
}
