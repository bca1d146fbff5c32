import Foundation
import Testing

@testable import DemoKit

/// The repository's own kit (profiles/ and payload/): valid, complete, and its built
/// tree matches the committed listing (re-record with DEMOKIT_RECORD=1 swift test).
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

    @Test func defaultKitTreeMatchesTheGoldenListing() throws {
        let dir = try TemporaryDirectory()
        var options = KitBuilder.Options(kitRoot: Repo.root, output: dir.path("kit"))
        options.displayPrefix = ""
        options.environment = [:]
        let report = try KitBuilder(options: options).build()
        let listing = try report.manifest.files.map { "\($0.path) \($0.size)" }.joined(separator: "\n") + "\n"
        let golden = Repo.root.appendingPathComponent("Tests/DemoKitTests/Golden/default-kit-tree.txt")
        if Repo.recording {
            try listing.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(listing == expected, "the default kit's tree changed: check the change, then re-record with DEMOKIT_RECORD=1 swift test")
    }
}
