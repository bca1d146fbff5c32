import Foundation
import Testing

@testable import DemoKit

/// « Présenter »: the talks of `payload/talks/` and the pages made from them.
@Suite struct TalkTests {
    @Test func everyProfileOfTheRepositoryKitHasATalkWithinBudget() throws {
        let kit = try KitLoader(root: Repo.root, displayPrefix: "").loadValid().kit
        for profile in kit.profiles {
            let talk = try #require(kit.talk(profile.id.value), "\(profile.id.value) has no talk")
            #expect(talk.minutes <= Talk.budgetMinutes && talk.minutes >= 10, "\(profile.id.value): \(talk.minutes) min")
            let kinds = Set(talk.slides.map(\.type))
            // The slides the field asks for: an opening, the four arguments, the
            // applications, the providers, « Essayer maintenant », a closing.
            #expect(kinds == Set(TalkSlide.Kind.allCases), "\(profile.id.value): \(kinds)")
            #expect(talk.slides.filter { $0.type == .argument }.count >= 4)
            for slide in talk.slides where slide.type == .argument {
                #expect(!slide.facts.isEmpty, "\(profile.id.value): an argument without a sourced fact")
            }
            #expect(talk.title.en != nil)
        }
        #expect(kit.settings.contact != nil)
    }

    /// Builds a kit with a talk whose words carry markup; the slides keep it as text.
    @Test func slidesAreBuiltFromTheKitAndEscapeTheirText() throws {
        let dir = try TemporaryDirectory()
        let root = try TestKit.make(in: dir)
        let talks = root.appendingPathComponent("payload/talks")
        try FileManager.default.createDirectory(at: talks, withIntermediateDirectories: true)
        try """
        - id: figure
          text: {fr: "<b>700</b> postes", en: "700 desks"}
          source: {fr: Un entretien, en: An interview}
          date: "2018"
        """.write(to: talks.appendingPathComponent("facts.yml"), atomically: true, encoding: .utf8)
        try """
        title: {fr: "Exposé <script>alert(1)</script>", en: Talk}
        slides:
          - kind: opening
            minutes: 1
          - kind: argument
            title: {fr: Les coûts, en: Costs}
            facts: [figure]
            notes: {fr: "Dire le chiffre.", en: Say the figure.}
          - kind: applications
          - kind: closing
        """.write(to: talks.appendingPathComponent("alpha.yml"), atomically: true, encoding: .utf8)
        let out = dir.path("out")
        var options = KitBuilder.Options(kitRoot: root, output: out)
        options.displayPrefix = ""
        options.environment = [:]
        _ = try KitBuilder(options: options).build()

        let page = try String(contentsOf: out.appendingPathComponent("catalogue/presenter/alpha.html"), encoding: .utf8)
        #expect(page.components(separatedBy: "<section class=\"slide ").count - 1 == 4)
        #expect(!page.contains("<script>alert"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("&lt;b&gt;700&lt;/b&gt; postes"))
        #expect(page.contains("Un entretien, 2018"))
        #expect(page.contains("Dire le chiffre."))
        // The applications slide lists the profile's applications from the catalogue.
        let kit = try KitLoader(root: root, displayPrefix: "").loadValid().kit
        let alpha = try #require(kit.profiles.first { $0.id.value == "alpha" })
        for id in alpha.apps.map(\.value) {
            #expect(page.contains("href=\"../logiciels/\(id).html\""), "\(id) missing from the slides")
        }
        // Budget: the slides' minutes, default 2 each.
        #expect(page.contains("data-minutes=\"1\" data-start=\"0\""))
        #expect(page.contains("data-minutes=\"2\" data-start=\"60\""))
        #expect(page.contains("data-back=\"../profils/alpha.html\""))
        // English pages, a handout, and the profile page's launchers; beta has no talk.
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("catalogue/en/presenter/alpha.html").path))
        let sheet = try String(contentsOf: out.appendingPathComponent("catalogue/fiches/presentations/alpha.html"), encoding: .utf8)
        #expect(sheet.contains("&lt;b&gt;700&lt;/b&gt; postes"))
        let profilePage = try String(contentsOf: out.appendingPathComponent("catalogue/profils/alpha.html"), encoding: .utf8)
        #expect(profilePage.contains("href=\"../presenter/alpha.html\""))
        let beta = try String(contentsOf: out.appendingPathComponent("catalogue/profils/beta.html"), encoding: .utf8)
        #expect(!beta.contains("presenter/"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("catalogue/presenter/beta.html").path))
    }
}
