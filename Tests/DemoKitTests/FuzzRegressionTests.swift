import Foundation
import Testing

@testable import DemoKit

/// Inputs the fuzz targets (Fuzz/) crashed on, kept in Fixtures/fuzz/: each must now
/// give a result or a clear, positioned error.
@Suite struct FuzzRegressionTests {
    func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Repo.fixtures.appendingPathComponent("fuzz/\(name)"))
    }

    /// FuzzUpdateManifest: a file under a one-letter folder (`a/…`) made the path check
    /// trap in Foundation (`NSString.deletingLastPathComponent` of `"a"` on Linux).
    @Test func oneLetterFolderInAManifest() throws {
        let manifest = try UpdateManifest.decode(try fixture("update-manifest-one-letter-folder.json"), path: "manifest.json")
        #expect(manifest.files.map(\.path) == ["a/ps.office/offi`e.bi"])
        try PathRules.check(manifest.files)
    }

    @Test func parentsOfAPath() {
        #expect(PathRules.parents(of: "a/b/c") == ["a/b", "a"])
        #expect(PathRules.parents(of: "a") == [])
        #expect(PathRules.parents(of: "x/y") == ["x"])
        #expect(PathRules.parents(of: "apps/office/office.bin") == ["apps/office", "apps"])
    }

    @Test func aOneLetterFileUnderWhichAnotherFileStandsIsRefusedClearly() {
        let sha = String(repeating: "ab", count: 32)
        let files = [FileRecord(path: "a", size: 1, sha256: sha, role: nil), FileRecord(path: "a/b", size: 1, sha256: sha, role: nil)]
        #expect(throws: UpdateRefusal.unsafePath("a/b", bilingual("« a » est un fichier, pas un dossier", "\"a\" is a file, not a folder"))) {
            try PathRules.check(files)
        }
    }

    /// FuzzSILL: a high surrogate escape followed by another `\u` escape that is not its
    /// low half (`\ud83d\u0041`) overflowed while combining the two.
    @Test func aHighSurrogateWithoutItsLowHalfIsReplaced() throws {
        let text = #"["\ud83d\u0041 \ud83d\ude00 \udc00 \ud83d"]"#
        let root = try JSONParser.parse(Data(text.utf8))
        guard case let .array(items) = root.value else { Issue.record("not an array: \(root.value)"); return }
        #expect(items.first?.text == "\u{FFFD}A \u{1F600} \u{FFFD} \u{FFFD}")
        // The whole input found by the fuzzer: read, or refused with a position; no trap.
        do {
            _ = try SILLImporter.read(
                data: try fixture("sill-high-surrogate-then-other-escape.json"), file: "sill.json", date: "2026-01-01", kitCategories: [])
        } catch let error as ImportError {
            #expect(error.diagnostics.allSatisfy { $0.line > 0 }, "\(error.diagnostics)")
        }
    }
}
