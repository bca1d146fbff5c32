import Foundation
import Testing

@testable import DemoKit

func located(_ value: String, file: String = "test.yml") -> Located<String> {
    Located(value, file: file, line: 1, column: 1)
}

func entry(
    _ id: String, name: String? = nil, description: String = "Un logiciel.", categories: [String] = ["bureautique"], licence: String = "MIT",
    replaces: [String] = [], keywords: [String] = [], platforms: [String] = [], users: [String] = [], providers: [String] = []
) -> CatalogueEntry {
    CatalogueEntry(
        id: located(id, file: "payload/catalogue/\(id).yml"), name: name ?? id, description: LocalizedText(fr: description),
        categories: categories.map { located($0) }, licence: located(licence), replaces: replaces, platforms: platforms,
        keywords: keywords, users: users, providers: providers)
}

@Suite struct CommunityHealthTests {
    let reference = "2026-01-15"

    @Test func strongWhenEverythingIsKnown() {
        var e = entry("fort", users: ["Ville A", "Ville B", "Ville C", "Ville D", "Ville E"], providers: ["P1", "P2"])
        e.sill = "1"
        e.sillStatus = "recommended"
        e.sillYears = [2018, 2019, 2020, 2021, 2022]
        e.supportContract = true
        e.releaseDate = "2025-09-01"
        let health = CommunityHealth.compute(e, reference: reference)
        #expect(health.score == 100)
        #expect(health.level == .strong)
        #expect(health.inputs.map(\.key) == ["sill_status", "sill_years", "users", "providers", "support_contract", "release_age"])
        #expect(health.inputs.map(\.maximum).reduce(0, +) == 100)
        #expect(health.advice.fr.contains("adopté sereinement"))
    }

    @Test func pointsForEachInput() {
        var e = entry("moyen", users: ["Ville A"], providers: ["P1"])
        e.sillStatus = "observation"
        e.sillYears = [2021, 2022]
        e.releaseDate = "2024-06-01"  // 1.6 years before the reference
        let health = CommunityHealth.compute(e, reference: reference)
        let points = Dictionary(uniqueKeysWithValues: health.inputs.map { ($0.key, $0.points) })
        #expect(points == ["sill_status": 10, "sill_years": 6, "users": 8, "providers": 10, "support_contract": 0, "release_age": 12])
        #expect(health.score == 46)
        #expect(health.level == .fair)
        #expect(health.inputs.first { $0.key == "release_age" }?.value.fr == "2024-06-01 (il y a 1,6 an(s))")
    }

    @Test func theKitDateIsTheTimeReference() {
        var e = entry("date")
        e.releaseDate = "2025-06-01"
        #expect(CommunityHealth.compute(e, reference: "2026-01-15").inputs.last?.points == 20)
        #expect(CommunityHealth.compute(e, reference: "2027-01-15").inputs.last?.points == 12)
        #expect(CommunityHealth.compute(e, reference: "2031-01-15").inputs.last?.points == 0)
    }

    @Test func unknownWhenNothingIsKnown() {
        let health = CommunityHealth.compute(entry("rien"), reference: reference)
        #expect(health.score == 0)
        #expect(health.level == .unknown)
        #expect(health.advice.fr.contains("ne sait rien"))
    }

    @Test func advisesAgainstAbandonedSoftware() {
        var obsolete = entry("obsolete", users: ["Ville A", "Ville B"])
        obsolete.developmentStatus = "obsolete"
        let a = CommunityHealth.compute(obsolete, reference: reference)
        #expect(a.level == .avoid)
        #expect(a.score <= CommunityHealth.avoidCap)
        #expect(a.advice.fr.hasPrefix("Déconseillé : le projet se déclare obsolète"))

        var stale = entry("stale")
        stale.releaseDate = "2015-01-01"
        let b = CommunityHealth.compute(stale, reference: reference)
        #expect(b.level == .avoid)
        #expect(b.advice.english.contains("no known release for more than 4 years"))

        var unmaintained = entry("none")
        unmaintained.maintenance = "none"
        #expect(CommunityHealth.compute(unmaintained, reference: reference).level == .avoid)

        // An old release with a strong community behind it is not advised against.
        var oldButUsed = entry("used", users: ["A", "B", "C", "D", "E"], providers: ["P", "Q"])
        oldButUsed.releaseDate = "2015-01-01"
        oldButUsed.sillStatus = "recommended"
        #expect(CommunityHealth.compute(oldButUsed, reference: reference).level == .fair)
    }

    @Test func weakWithFewSigns() {
        let health = CommunityHealth.compute(entry("peu", users: ["Ville A"]), reference: reference)
        #expect(health.score == 8)
        #expect(health.level == .weak)
    }

    @Test func everyLevelHasBothLabels() {
        for level in CommunityHealth.Level.allCases {
            #expect(!level.label.fr.isEmpty && level.label.en?.isEmpty == false)
        }
    }
}
