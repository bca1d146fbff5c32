import Foundation
import Testing

@testable import DemoKit

@Suite struct ByteSizeTests {
    @Test(
        arguments: [
            ("8 Go", 8_000_000_000),
            ("8G", 8_000_000_000),
            ("8GB", 8_000_000_000),
            ("8gb", 8_000_000_000),
            ("8GiB", 8 << 30),
            ("8 Gio", 8 << 30),
            ("7.5GiB", 7 << 30 + 512 << 20),
            ("7,5 Go", 7_500_000_000),
            ("512M", 512_000_000),
            ("512 Mo", 512_000_000),
            ("64MiB", 64 << 20),
            ("64 Mio", 64 << 20),
            ("100k", 100_000),
            ("100 ko", 100_000),
            ("4KiB", 4096),
            ("4 Kio", 4096),
            ("2T", 2_000_000_000_000),
            ("2 To", 2_000_000_000_000),
            ("1TiB", 1 << 40),
            ("1000", 1000),
            ("1000 o", 1000),
            (" 16 Go ", 16_000_000_000),
        ] as [(String, Int64)])
    func spellingsAreRead(text: String, bytes: Int64) {
        #expect(ByteSize(text)?.bytes == bytes)
    }

    @Test(arguments: ["huit", "8 Gx", "8X", "-1G", "", " ", "0", "G", "1.2.3G", "8 G o", "99999999999TiB"])
    func unreadableSizesAreRefused(text: String) {
        #expect(ByteSize(text) == nil)
    }

    @Test func buildAndPlanBothAcceptAFrenchSize() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let cache = dir.path("cache")
        let image = try Artifacts.appImage(at: dir.path("Office.AppImage"))
        try Artifacts.writeDelivery(kit, id: "office", try Artifacts.linuxBlock(image, url: "https://example.org/Office.AppImage"))
        try ContentStore(root: cache).add(fileAt: image)

        let plan = try run(demokitBinary, ["plan", "--kit", kit.path, "--cache", cache.path, "--size", "8 Go"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Clé de 8000000000 octets"))
        let build = try run(demokitBinary, ["build", "--kit", kit.path, "--cache", cache.path, "--out", dir.path("key").path, "--size", "8 Go"])
        #expect(build.status == 0, "\(build.stderr)")

        // An unreadable size is a usage error, explained in both languages.
        let bad = try run(demokitBinary, ["build", "--kit", kit.path, "--out", dir.path("bad").path, "--size", "8 Gx"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("taille illisible « 8 Gx »"), "\(bad.stderr)")
        #expect(bad.stderr.contains("unreadable size \"8 Gx\""))
    }
}
