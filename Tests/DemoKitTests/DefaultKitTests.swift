import Foundation
import Testing

@testable import DemoKit

/// The repository's own kit (profiles/ and payload/): valid, and its built tree has
/// the committed structure (re-record with DEMOKIT_RECORD=1 swift test). What the
/// entries say is not tested here: `demokit catalogue check` holds the content rules,
/// so a volunteer's catalogue edit breaks no test unless it breaks a rule.
@Suite struct DefaultKitTests {
    @Test func defaultKitIsValidWithoutWarnings() throws {
        let result = KitLoader(root: Repo.root, displayPrefix: "").load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description).joined(separator: "\n"))")
        let kit = try #require(result.kit)
        #expect(kit.profiles.map(\.id.value) == ["mairie", "employe", "citoyen", "ecole"])
        #expect(kit.catalogue.count >= 60)
        for profile in kit.profiles {
            #expect((10...25).contains(profile.apps.count), "\(profile.id.value) has \(profile.apps.count) apps")
            #expect(profile.pitch.en != nil && profile.audience.en != nil)
        }
    }

    /// The tree by structure: each kind of file once, a placeholder standing for the
    /// files that each entry, category, provider or icon makes (`<software>.html`), no
    /// sizes. Adding or editing an entry changes none of it; a new kind of page, a
    /// moved folder or a lost file does. Every entry and category must have each of
    /// its pages.
    @Test func defaultKitTreeHasTheGoldenStructure() throws {
        let dir = try TemporaryDirectory()
        var options = KitBuilder.Options(kitRoot: Repo.root, output: dir.path("kit"))
        options.displayPrefix = ""
        options.environment = [:]
        let report = try KitBuilder(options: options).build()
        let kit = try #require(KitLoader(root: Repo.root, displayPrefix: "").load().kit)
        let paths = try report.manifest.files.map(\.path)
        let structure = Set(paths.map(Self.shape)).sorted()
        let golden = Repo.root.appendingPathComponent("Tests/DemoKitTests/Golden/default-kit-structure.txt")
        if Repo.recording {
            try (structure.joined(separator: "\n") + "\n").write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(
            structure == expected,
            "the default kit's structure changed: added \(Set(structure).subtracting(expected).sorted()), gone \(Set(expected).subtracting(structure).sorted()); check the change, then re-record with DEMOKIT_RECORD=1 swift test"
        )
        let present = Set(paths)
        for (placeholder, ids) in [("<software>", kit.catalogue.map(\.id.value)), ("<category>", kit.categories.map(\.id.value))] {
            for line in structure where line.contains(placeholder) {
                let missing = ids.sorted().filter { !present.contains(line.replacingOccurrences(of: placeholder, with: $0)) }
                #expect(missing.isEmpty, "\(line): no page for \(missing)")
            }
        }
    }

    /// Folders whose files are named after the kit's data, and what stands for them.
    static let placeholders = ["logiciels": "<software>", "categories": "<category>", "prestataires": "<provider>", "icones": "<icon>"]

    /// `catalogue/en/logiciels/gimp.html` → `catalogue/en/logiciels/<software>.html`.
    static func shape(_ path: String) -> String {
        var components = path.split(separator: "/").map(String.init)
        guard components.count >= 2, let name = components.last, name != "index.html",
            let placeholder = placeholders[components[components.count - 2]], let dot = name.lastIndex(of: ".")
        else { return path }
        components[components.count - 1] = placeholder + name[dot...]
        return components.joined(separator: "/")
    }

    /// The content rules hold on the default kit: `catalogue check` finds no error.
    @Test func catalogueCheckFindsNoErrorInTheDefaultKit() throws {
        let report = CatalogueCheck(loader: KitLoader(root: Repo.root, displayPrefix: "")).run()
        #expect(!report.hasErrors, "\(report.diagnostics.filter { $0.severity == .error }.map(\.description))")
    }
}
