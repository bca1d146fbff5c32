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

/// The manifest reader parses with Yams's basic resolver and trims by hand: scalars
/// must still read as written, and duplicate keys still be found.
@Suite struct YAMLReaderTests {
    @Test func scalarsReadAsWritten() throws {
        let reader = ManifestReader(file: "x.yml")
        let text = """
            version: 2026.11
            zero: 007
            flag: yes
            other: Non
            empty: ~
            nothing: null
            quoted: "null"
            date: 2026-12-01
            list: [ " a ", 1.5, true ]
            text: "  \\u00A0deux mots\\u2003 "

            """
        let node = try #require(reader.parse(text))
        let fields = try #require(reader.mapping(node, what: "test"))
        #expect(fields.string("version")?.value == "2026.11")
        #expect(fields.string("zero")?.value == "007")
        #expect(fields.bool("flag") == true && fields.bool("other") == false)
        #expect(fields.string("empty") == nil && fields.string("nothing") == nil)
        #expect(fields.string("quoted")?.value == "null")
        #expect(fields.string("date")?.value == "2026-12-01")
        #expect(fields.strings("list").map(\.value) == ["a", "1.5", "true"])
        #expect(fields.string("text")?.value == "deux mots")
        #expect(fields.string("text")?.line == 10)
        fields.finish()
        #expect(reader.diagnostics.isEmpty, "\(reader.diagnostics)")
    }

    @Test func duplicateKeysAreStillFound() {
        let reader = ManifestReader(file: "x.yml")
        #expect(reader.parse("id: a\nname: b\nid: c\n") == nil)
        #expect(reader.diagnostics.map(\.message).joined().contains("id"))
        #expect(reader.diagnostics.first?.message.contains("clé en double") == true)
    }

    @Test func trimmingAsFoundationDoes() {
        let texts =
            ["", " ", "\u{85}a\u{2028}", "\u{200B}a\u{FEFF}", "\u{3000}\u{1680}x\u{205F}\u{202F}", "\r\n", "a\u{301} ", " \u{301}a"]
            + FastFoldingTests.randomTexts(count: 3000, seed: 21)
        for text in texts {
            #expect(text.trimmedWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
        var differ: [String] = []
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(scalar)
            if text.trimmedWhitespace != text.trimmingCharacters(in: .whitespacesAndNewlines) { differ.append(String(value, radix: 16)) }
        }
        #expect(differ.isEmpty, "\(differ.prefix(20))")
    }
}
