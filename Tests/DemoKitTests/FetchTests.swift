import Foundation
import Testing

@testable import DemoKit

/// Downloads against a local server on 127.0.0.1 (`scripts/range-server.py`): resumed
/// after a cut, wrong bytes rejected, then offline builds from the filled cache.
@Suite(.serialized, .timeLimit(.minutes(2))) struct FetchTests {
    struct Setup {
        let dir: TemporaryDirectory
        let server: TestHTTPServer
        let kit: URL
        let cache: URL
        let zip: URL
        let appImage: URL

        /// `prefix` picks the server's behaviour: "", "cut-once/" or "wrong/".
        init(prefix: String = "") throws {
            dir = try TemporaryDirectory()
            server = try TestHTTPServer(root: dir.path("server"))
            kit = try TestKit.make(in: dir)
            cache = dir.path("cache")
            zip = try Artifacts.portableZip(
                at: dir.path("OfficePortable_1.0.zip"), appID: "OfficePortable", name: "Office Portable",
                extra: ["App/Office/big.bin": String(repeating: "0123456789abcdef", count: 40_000)])
            appImage = try Artifacts.appImage(at: dir.path("Paint-2.0-x86_64.AppImage"), size: 400_000)
            try server.serve(zip, as: "OfficePortable_1.0.zip")
            try server.serve(appImage, as: "Paint-2.0-x86_64.AppImage")
            try Artifacts.writeDelivery(
                kit, id: "office", try Artifacts.windowsBlock(zip, url: server.url(prefix + "OfficePortable_1.0.zip"), appID: "OfficePortable"))
            try Artifacts.writeDelivery(kit, id: "paint", try Artifacts.linuxBlock(appImage, url: server.url(prefix + "Paint-2.0-x86_64.AppImage")))
        }

        func fetch() async throws -> ArtifactFetcher.Report {
            let kit = try KitLoader(root: kit, displayPrefix: "").loadValid().kit
            var options = Downloader.Options()
            options.readTimeout = 10
            return try await ArtifactFetcher(store: ContentStore(root: cache), downloader: Downloader(options: options)).fetch(kit)
        }
    }

    @Test func fetchFillsTheCacheThenTheBuildWorksOffline() async throws {
        let setup = try Setup()
        let report = try await setup.fetch()
        #expect(report.fetched.count == 2)
        #expect(report.present.isEmpty)
        // A second fetch finds everything there and downloads nothing.
        let requests = setup.server.requests.count
        let again = try await setup.fetch()
        #expect(again.fetched.isEmpty && again.present.count == 2)
        #expect(setup.server.requests.count == requests)

        var options = KitBuilder.Options(kitRoot: setup.kit, output: setup.dir.path("out"))
        options.displayPrefix = ""
        options.cache = setup.cache
        _ = try KitBuilder(options: options).build()
        #expect(FileManager.default.fileExists(atPath: setup.dir.path("out/apps/windows/OfficePortable/OfficePortable.exe").path))
        #expect(FileManager.default.fileExists(atPath: setup.dir.path("out/apps/linux/Paint-2.0-x86_64.AppImage").path))
    }

    @Test func anInterruptedDownloadResumesWithRange() async throws {
        let setup = try Setup(prefix: "cut-once/")
        do {
            _ = try await setup.fetch()
            Issue.record("the first fetch should fail: the server cuts the connection")
        } catch let error as FetchError {
            #expect(error.report.failures.count == 2)
            #expect(error.report.failures.allSatisfy { $0.partialBytes > 0 })
            #expect(error.report.failures.first?.message.contains("relancez la commande pour continuer") == true)
        }
        let report = try await setup.fetch()
        #expect(report.fetched.count == 2)
        #expect(report.resumedBytes > 0)
        // The second requests asked for the rest only.
        let ranged = setup.server.requests.filter { $0.contains("bytes=") }
        #expect(ranged.count == 2, "\(setup.server.requests)")
        let store = ContentStore(root: setup.cache)
        let kit = try KitLoader(root: setup.kit, displayPrefix: "").loadValid().kit
        for pin in ArtifactFetcher.pins(of: kit).map(\.pin) {
            #expect(try store.status(of: pin) == .present)
            #expect(!FileManager.default.fileExists(atPath: store.partialURL(sha256: pin.sha256).path))
        }
    }

    @Test func wrongBytesAreRejectedAndNotKept() async throws {
        let setup = try Setup(prefix: "wrong/")
        do {
            _ = try await setup.fetch()
            Issue.record("the fetch should fail")
        } catch let error as FetchError {
            #expect(error.report.failures.count == 2)
            let message = error.report.failures.first?.message ?? ""
            #expect(message.contains("contenu inattendu"), "\(message)")
            #expect(error.report.failures.allSatisfy { $0.partialBytes == 0 })
        }
        let store = ContentStore(root: setup.cache)
        let kit = try KitLoader(root: setup.kit, displayPrefix: "").loadValid().kit
        for pin in ArtifactFetcher.pins(of: kit).map(\.pin) {
            #expect(try store.status(of: pin) == .missing)
            #expect(!FileManager.default.fileExists(atPath: store.partialURL(sha256: pin.sha256).path))
        }
    }

    @Test func downloaderChecksSizeCapAndMissingFiles() async throws {
        let setup = try Setup()
        var options = Downloader.Options()
        options.maxBytes = 1000
        options.readTimeout = 10
        let destination = setup.dir.path("dl/file")
        await #expect(throws: DownloadError.self) {
            _ = try await Downloader(options: options).download(from: setup.server.url("Paint-2.0-x86_64.AppImage"), to: destination)
        }
        do {
            _ = try await Downloader().download(from: setup.server.url("nothing-here.zip"), to: destination)
            Issue.record("404 should fail")
        } catch let error as DownloadError {
            #expect(error.kind == .http(404, "Not Found"))
        }
        // Without expectations, the result says what arrived.
        let result = try await Downloader().download(from: setup.server.url("Paint-2.0-x86_64.AppImage"), to: destination)
        #expect(result.size == 400_000)
        #expect(result.sha256 == (try FileHashing.sha256(fileAt: setup.appImage).sha256))
    }

    /// A server that answers a resumed download from another offset than the one asked
    /// for: its bytes are not appended at the wrong place; the download starts over.
    @Test func aResumeAnsweredFromAnotherStartStartsOver() async throws {
        let setup = try Setup()
        let destination = setup.dir.path("dl/file")
        let partial = setup.dir.path("dl/file.part")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contentsOf: setup.appImage).prefix(100_000).write(to: partial)
        let expected = try FileHashing.sha256(fileAt: setup.appImage)
        let result = try await Downloader().download(
            from: setup.server.url("shifted/Paint-2.0-x86_64.AppImage"), to: destination, expecting: .init(size: expected.size, sha256: expected.sha256))
        #expect(result.resumedFrom == 0)
        #expect(result.sha256 == expected.sha256)
        let requests = setup.server.requests.filter { $0.hasPrefix("/shifted/") }
        #expect(requests == ["/shifted/Paint-2.0-x86_64.AppImage bytes=100000-", "/shifted/Paint-2.0-x86_64.AppImage -"])
    }

    @Test func contentRangeIsParsed() {
        #expect(Transfer.contentRangeStart("bytes 100-199/200") == 100)
        #expect(Transfer.contentRangeStart("bytes */200") == nil)
        #expect(Transfer.contentRangeStart("items 1-2/3") == nil)
    }
}

/// The commands of this issue through the built binary.
@Suite(.serialized, .timeLimit(.minutes(2))) struct AppCommandsTests {
    @Test func addAppPinsAZipAndTheBuildUsesIt() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let cache = dir.path("cache")
        let zip = try Artifacts.portableZip(at: dir.path("CemeteryPortable_2.1.zip"), appID: "CemeteryPortable", name: "Cemetery Portable", version: "2.1")
        let added = try run(
            demokitBinary,
            ["add-app", zip.path, "--profile", "beta", "--url", "https://example.org/CemeteryPortable_2.1.zip", "--kit", kit.path, "--cache", cache.path])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("cemetery (windows — Cemetery Portable 2.1 (CemeteryPortable, CemeteryPortable.exe)) épinglé"))
        #expect(added.stdout.contains("Ajouté au profil beta."))
        let yaml = try String(contentsOf: kit.appendingPathComponent("payload/apps/cemetery.yml"), encoding: .utf8)
        let sha = try FileHashing.sha256(fileAt: zip)
        #expect(yaml.contains("sha256: \(sha.sha256)"))
        #expect(yaml.contains("size: \(sha.size)"))
        #expect(yaml.contains("appid: CemeteryPortable"))
        #expect(yaml.contains("version: \"2.1\""))
        let beta = try String(contentsOf: kit.appendingPathComponent("profiles/beta.yml"), encoding: .utf8)
        #expect(beta.hasSuffix("apps: [office, paint, cemetery]\n"))
        #expect(beta.contains("pitch:"))

        // Offline, from the cache add-app filled.
        let out = dir.path("key")
        let built = try run(demokitBinary, ["build", "--kit", kit.path, "--cache", cache.path, "--out", out.path, "--size", "8G"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("apps/windows/CemeteryPortable/CemeteryPortable.exe").path))
        let list = try String(contentsOf: out.appendingPathComponent("demokit/profiles/beta.json"), encoding: .utf8)
        #expect(list.contains(#""start" : "apps\\windows\\CemeteryPortable\\CemeteryPortable.exe""#))

        // Adding it again changes nothing in the profile.
        let again = try run(
            demokitBinary,
            ["add-app", zip.path, "--profile", "beta", "--url", "https://example.org/CemeteryPortable_2.1.zip", "--kit", kit.path, "--cache", cache.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("Ajouté au profil"))
        #expect(try String(contentsOf: kit.appendingPathComponent("profiles/beta.yml"), encoding: .utf8) == beta)
    }

    @Test func addAppFromAURLKeepsTheAppFileAndTheBlockProfile() throws {
        let dir = try TemporaryDirectory()
        let server = try TestHTTPServer(root: dir.path("server"))
        let kit = try TestKit.make(in: dir)
        let image = try Artifacts.appImage(at: dir.path("Paint-3.0-x86_64.AppImage"), size: 2000)
        try server.serve(image, as: "Paint-3.0-x86_64.AppImage")
        // An existing app file with a comment: kept.
        try "# Paint: tested in 2026\nid: paint\nlive:\n  packages: [paint]\n".write(
            to: kit.appendingPathComponent("payload/apps/paint.yml"), atomically: true, encoding: .utf8)
        let result = try run(
            demokitBinary,
            ["add-app", server.url("Paint-3.0-x86_64.AppImage"), "--profile", "alpha", "--kit", kit.path, "--cache", dir.path("cache").path])
        #expect(result.status == 0, "\(result.stderr)")
        let yaml = try String(contentsOf: kit.appendingPathComponent("payload/apps/paint.yml"), encoding: .utf8)
        #expect(yaml.hasPrefix("# Paint: tested in 2026\nid: paint\nlive:\n  packages: [paint]\nlinux:\n  url: \"\(server.url("Paint-3.0-x86_64.AppImage"))\""))
        let alpha = try String(contentsOf: kit.appendingPathComponent("profiles/alpha.yml"), encoding: .utf8)
        #expect(alpha.hasSuffix("  - office\n  - cemetery\n  - paint\n"))
        let validate = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(validate.status == 0, "\(validate.stderr)")
    }

    @Test func addAppWithoutACatalogueEntrySaysHowToCreateOne() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let zip = try Artifacts.portableZip(at: dir.path("GimpPortable.zip"), appID: "GIMPPortable", name: "GIMP Portable")
        let result = try run(
            demokitBinary,
            ["add-app", zip.path, "--profile", "alpha", "--url", "https://example.org/GimpPortable.zip", "--kit", kit.path, "--cache", dir.path("cache").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("créez payload/catalogue/gimp.yml"), "\(result.stderr)")
        #expect(result.stderr.contains("--id"))
        #expect(!FileManager.default.fileExists(atPath: kit.appendingPathComponent("payload/apps/gimp.yml").path))
    }

    @Test func planPrintsPartsProfilesAndFit() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let cache = dir.path("cache")
        let image = try Artifacts.appImage(at: dir.path("Office.AppImage"), size: 3_000_000)
        try Artifacts.writeDelivery(kit, id: "office", try Artifacts.linuxBlock(image, url: "https://example.org/Office.AppImage"))
        try ContentStore(root: cache).add(fileAt: image)
        let plan = try run(demokitBinary, ["plan", "--kit", kit.path, "--cache", cache.path, "--size", "8G"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("système de base / base system (aucun)"))
        #expect(plan.stdout.contains("Partagé entre profils"))
        #expect(plan.stdout.contains("  office (alpha, beta)"))
        #expect(plan.stdout.contains("Elle tient"))
        // The same key on a 2 MB key does not fit: exit code 1, and build refuses it.
        let small = try run(demokitBinary, ["plan", "--kit", kit.path, "--cache", cache.path, "--size", "2M"])
        #expect(small.status == 1)
        #expect(small.stdout.contains("Elle ne tient pas"))
        let build = try run(demokitBinary, ["build", "--kit", kit.path, "--cache", cache.path, "--size", "2M", "--out", dir.path("key").path])
        #expect(build.status == 1)
        #expect(build.stderr.contains("trop petite"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("key").path))
        // A base system image is counted in its part.
        try Data(repeating: 0, count: 1_000_000).write(to: dir.path("base.iso"))
        let withBase = try run(demokitBinary, ["plan", "--kit", kit.path, "--cache", cache.path, "--base-iso", dir.path("base.iso").path])
        #expect(withBase.status == 0, "\(withBase.stderr)")
        #expect(withBase.stdout.contains("(1000000)"))
        let bad = try run(demokitBinary, ["plan", "--kit", kit.path, "--size", "huge"])
        #expect(bad.status == 64)
    }

    @Test func buildWithAColdCacheNamesTheFetchCommandAndSkipMissingBuilds() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let image = try Artifacts.appImage(at: dir.path("Office.AppImage"))
        try Artifacts.writeDelivery(kit, id: "office", try Artifacts.linuxBlock(image, url: "https://example.org/Office.AppImage"))
        let cache = dir.path("empty-cache")
        let cold = try run(demokitBinary, ["build", "--kit", kit.path, "--cache", cache.path, "--out", dir.path("key").path])
        #expect(cold.status == 1)
        #expect(cold.stderr.contains("demokit fetch --kit \(kit.path) --cache \(cache.path)"), "\(cold.stderr)")
        let skipped = try run(demokitBinary, ["build", "--kit", kit.path, "--cache", cache.path, "--out", dir.path("key").path, "--skip-missing"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("Pas sur cette clé (--skip-missing) : office (linux)"))
        #expect(skipped.stderr.contains("office (linux) n'est pas sur cette clé"))
    }
}
