import Testing

@testable import DemoKit

/// « Did you mean » hints: one edit distance for the manifests' messages and the
/// commands' (`catalogue show`).
@Suite struct SuggestionTests {
    static let ids = ["gimp", "libreoffice", "office", "thunderbird"]

    @Test func theClosestCandidateCaseAside() {
        #expect(suggestion(for: "libreofice", among: Self.ids) == "libreoffice")
        #expect(suggestion(for: "LibreOfice", among: Self.ids) == "libreoffice")
        #expect(suggestion(for: "ofice", among: Self.ids) == "office")
        #expect(suggestion(for: "thunderbrid", among: Self.ids) == "thunderbird")
    }

    @Test func noneWhenNothingIsClose() {
        #expect(suggestion(for: "cimetiere", among: Self.ids) == nil)
        #expect(suggestion(for: "gimp", among: []) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
    }
}
