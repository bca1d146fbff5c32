import Foundation
import Testing

@testable import DemoKit

/// Each broken fixture overlays the minimal kit and must produce exactly the
/// diagnostics recorded beside it (`expected.txt`; re-record with DEMOKIT_RECORD=1).
@Suite struct ManifestDiagnosticsTests {
    static let fixtures: [String] = {
        let folder = Repo.fixtures.appendingPathComponent("broken")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }()

    @Test func minimalKitIsValid() throws {
        let dir = try TemporaryDirectory()
        let result = KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let kit = try #require(result.kit)
        #expect(kit.profiles.map(\.id.value) == ["alpha", "beta"])
        #expect(kit.catalogue.map(\.id.value) == ["cemetery", "office", "paint"])
        #expect(kit.apps["office"]?.livePackages == ["office-writer", "office-calc"])
    }

    @Test func thereAreBrokenFixtures() {
        #expect(Self.fixtures.count >= 10)
    }

    @Test(arguments: fixtures)
    func brokenFixtureGivesExpectedDiagnostics(_ name: String) throws {
        let dir = try TemporaryDirectory()
        let result = KitLoader(root: try TestKit.make(in: dir, overlay: name), displayPrefix: "").load()
        #expect(result.kit == nil, "a broken kit must not load")
        #expect(result.diagnostics.hasErrors)
        let actual = result.diagnostics.map(\.description).joined(separator: "\n") + "\n"
        let expectedURL = Repo.fixtures.appendingPathComponent("broken/\(name)/expected.txt")
        if Repo.recording {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected)
        // Every diagnostic names a file, a line and a column.
        for diagnostic in result.diagnostics {
            #expect(diagnostic.line >= 1 && diagnostic.column >= 1)
            #expect(!diagnostic.file.isEmpty)
        }
    }

    @Test func allProblemsOfAKitAreReportedInOneRun() throws {
        // Two broken files at once: both are reported.
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir, overlay: "unknown-key")
        let broken = Repo.fixtures.appendingPathComponent("broken/bad-licence/payload/catalogue/paint.yml")
        let target = kit.appendingPathComponent("payload/catalogue/paint.yml")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: broken, to: target)
        let result = KitLoader(root: kit, displayPrefix: "").load()
        let files = Set(result.diagnostics.map(\.file))
        #expect(files == ["profiles/alpha.yml", "payload/catalogue/paint.yml"])
    }

    @Test func notAKitFolder() throws {
        let dir = try TemporaryDirectory()
        let result = KitLoader(root: dir.url, displayPrefix: "").load()
        #expect(result.kit == nil)
        #expect(result.diagnostics.first?.file == "profiles/kit.yml")
        #expect(result.diagnostics.first?.message.contains("--kit") == true)
    }
}

@Suite struct SPDXTests {
    @Test(arguments: [
        "MIT", "GPL-3.0-or-later", "GPL-2.0-only OR MPL-1.1", "(MIT AND BSD-3-Clause) OR Apache-2.0",
        "GPL-2.0-or-later WITH Classpath-exception-2.0", "LicenseRef-Proprietary-Free", "GPL-2.0+",
    ])
    func validExpressions(_ expression: String) {
        #expect(SPDX.validate(expression) == nil)
    }

    @Test(arguments: ["", "MIT OR", "GPLv3", "(MIT", "MIT AND AND BSD-3-Clause", "MIT WITH GPL-2.0-only"])
    func invalidExpressions(_ expression: String) {
        #expect(SPDX.validate(expression) != nil)
    }

    @Test func caseFixIsSuggested() {
        #expect(SPDX.canonical("agpl-3.0-or-later") == "AGPL-3.0-or-later")
        #expect(SPDX.validate("mit")?.contains("« MIT »") == true)
    }
}
