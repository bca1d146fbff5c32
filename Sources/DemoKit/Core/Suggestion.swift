/// The candidate closest to `word`, for a « did you mean » hint, by the one edit
/// distance demokit has (`closest(to:in:)`, the manifests' hints): case aside, at most
/// a third of the word's letters (and at least 2) apart. Nil when none is that close.
public func suggestion(for word: String, among candidates: [String]) -> String? {
    closest(to: word, in: candidates)
}
