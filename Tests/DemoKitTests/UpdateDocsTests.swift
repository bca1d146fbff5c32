import Foundation
import Testing

@testable import DemoKit

/// docs/update-manifest.md stays true: its examples decode and pass the key's checks.
@Suite struct UpdateDocsTests {
    func jsonBlocks() throws -> [Data] {
        let text = try String(contentsOf: Repo.root.appendingPathComponent("docs/update-manifest.md"), encoding: .utf8)
        return text.components(separatedBy: "```json\n").dropFirst().compactMap { $0.components(separatedBy: "```").first.map { Data($0.utf8) } }
    }

    @Test func examplesDecode() throws {
        let blocks = try jsonBlocks()
        #expect(blocks.count == 2)
        let manifest = try UpdateManifest.decode(blocks[0], path: "docs")
        #expect(manifest.format == UpdateManifest.currentFormat)
        try PathRules.check(manifest.files)
        // The example is written the way demokit writes manifests.
        #expect(try manifest.encoded() == blocks[0])
        let trust = try TrustFile.decode(blocks[1])
        #expect(try trust.publicKeys().first?.idString == trust.keys.first?.id)
        #expect(try trust.encoded() == blocks[1])
    }
}

/// A build writes its manifest in pieces (`encodedInPieces`) to keep its peak memory
/// down: the bytes must be exactly those of the one-shot encoding, which releases
/// sign and keys verify.
@Suite struct UpdateManifestTests {
    @Test func piecesGiveTheSameBytes() throws {
        let kit = UpdateManifest.KitInfo(id: "k", version: "1.0 « é »", channel: "stable", date: "2026-01-15")
        var numbers = GeneratedKit.Numbers(state: 7)
        let awkward = ["a/b \"quoted\".html", "é/ü/€.txt", "back\\slash", "tab\tin", "line\nbreak", "ctrl\u{1}", "emoji 🎉/x"]
        for count in [0, 1, 2, 17, 300] {
            let files = (0..<count).map { index in
                FileRecord(
                    path: index < awkward.count ? awkward[index] : "catalogue/logiciels/gen-\(numbers.next(100_000)).html",
                    size: Int64(numbers.next(1 << 30)), sha256: String(repeating: "ab", count: 32),
                    role: [FileRole.site, .catalogue, .boot, nil][numbers.next(4)])
            }
            let release = count == 2 ? UpdateManifest.ReleaseInfo(number: 3, created: "x", expires: "y", previous: "z", minimumDemokit: "0.1.0") : nil
            let manifest = UpdateManifest(kit: kit, release: release, profiles: count == 0 ? [] : ["mairie", "école"], files: files)
            #expect(try manifest.encodedInPieces() == manifest.encoded(), "\(count) files")
        }
    }
}
