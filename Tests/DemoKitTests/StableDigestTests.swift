import Foundation
import Testing

@testable import DemoKit

/// `StableDigest` names the site's pages from the values they show: it must tell
/// apart exactly the entries JSON with sorted keys tells apart, and give a value the
/// same digest whatever the order of its dictionaries.
@Suite struct StableDigestTests {
    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// Entries of a generated kit, each changed in some way, some changed back: two
    /// have the same digest exactly when they have the same JSON.
    @Test func agreesWithJSONOnCatalogueEntries() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 40)
        var entries = kit.catalogue
        for (number, entry) in kit.catalogue.enumerated() {
            var changed = entry
            switch number % 8 {
            case 0: changed.name += " "
            case 1: changed.description = LocalizedText(fr: entry.description.fr, en: (entry.description.en ?? "") + ".")
            case 2: changed.users.append("Commune de Test")
            case 3: changed.categories.reverse()
            case 4: changed.source = EntrySource(name: "sill", id: "\(number)", licence: "etalab-2.0")
            case 5: changed.keywords = changed.keywords.map { $0 + "s" }
            case 6: changed.platforms = []
            default: break  // unchanged: a second copy of the same value
            }
            entries.append(changed)
        }
        let digests = entries.map { StableDigest.of($0) }
        let jsons = try entries.map { try Self.json($0) }
        var sameDigest = 0
        for i in entries.indices {
            for j in entries.indices where j > i {
                #expect((digests[i] == digests[j]) == (jsons[i] == jsons[j]), "entries \(i) and \(j)")
                if digests[i] == digests[j] { sameDigest += 1 }
            }
        }
        #expect(sameDigest >= 5, "unchanged copies share their digest")
        #expect(Set(digests).count > 60)
    }

    struct Sample {
        var words: [String]
        var note: String?
        var counts: [String: Int]
        var flag = false
        var ratio = 0.5
    }

    @Test func dictionariesInAnyOrderAndAmbiguousValues() throws {
        var small: [String: Int] = [:]
        var large: [String: Int] = [:]
        large.reserveCapacity(4096)
        for number in 0..<50 { small["k\(number)"] = number }
        for number in (0..<50).reversed() { large["k\(number)"] = number }
        #expect(Array(small.keys) != Array(large.keys), "the two dictionaries are listed in different orders")
        let base = Sample(words: ["a", "b"], note: nil, counts: small)
        #expect(StableDigest.of(base) == StableDigest.of(Sample(words: ["a", "b"], note: nil, counts: large)))

        let variants = [
            Sample(words: ["ab"], note: nil, counts: small),
            Sample(words: ["a", "", "b"], note: nil, counts: small),
            Sample(words: ["a", "b"], note: "", counts: small),
            Sample(words: ["a", "b"], note: nil, counts: small.merging(["k1": 2]) { $1 }),
            Sample(words: ["a", "b"], note: nil, counts: small, flag: true),
            Sample(words: ["a", "b"], note: nil, counts: small, ratio: 0.25),
            Sample(words: ["b", "a"], note: nil, counts: small),
        ]
        let digests = [base].followed(by: variants).map { StableDigest.of($0) }
        #expect(Set(digests).count == digests.count, "every variant has its own digest")
    }

    @Test func foldersOfSortedPaths() throws {
        let paths = ["LISEZMOI.txt", "a/b/c/d.html", "a/b/c/e.html", "a/b/f.html", "a/g.html", "h/i.html", "h/j/k/l.html"]
        let files = paths.sorted().map { PlannedFile(path: $0, content: .bytes(Data()), role: .other) }
        let folders = TreeWriter(mtime: Date()).folders(of: files)
        #expect(folders == ["a", "a/b", "a/b/c", "h", "h/j", "h/j/k"])
    }
}

extension Array {
    fileprivate func followed(by other: [Element]) -> [Element] { self + other }
}
