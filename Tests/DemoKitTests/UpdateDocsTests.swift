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
