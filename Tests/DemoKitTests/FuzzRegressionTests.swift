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
}
