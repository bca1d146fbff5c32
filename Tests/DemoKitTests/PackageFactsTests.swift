import Foundation
import Testing

@testable import DemoKit

/// Icons and facts from Debian packages: small `.deb` files built here with
/// `dpkg-deb --build`, read by `PackageFactsCollector`, then shown by the kit.
@Suite struct PackageFactsTests {
    static let hostileSummary = "Traitement de texte <script>alert(1)</script> & <b>gras</b>"
    static let hostileBugTracker = "https://bugs.example.org/?q=\"><script>alert(2)</script>"

    static let metainfo = """
        <?xml version="1.0" encoding="UTF-8"?>
        <component type="desktop-application">
          <id>org.example.Writer</id>
          <name>Writer</name>
          <summary>A word processor</summary>
          <summary xml:lang="de">Textverarbeitung</summary>
          <summary xml:lang="fr">Traitement de texte &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;</summary>
          <description><p>Long text.</p><summary>not the component's</summary></description>
          <icon type="stock">office</icon>
          <url type="homepage">https://writer.example.org/</url>
          <url type="bugtracker">https://bugs.example.org/?q="&gt;&lt;script&gt;alert(2)&lt;/script&gt;</url>
          <url type="help">https://help.example.org/</url>
          <launchable type="desktop-id">office-writer.desktop</launchable>
          <releases>
            <release version="1.1" date="2024-03-01"/>
            <release version="1.2" date="2025-06-01"><description><p>New.</p></description></release>
          </releases>
        </component>
        """

    static let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="16" height="16">
        <defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>
        <rect width="16" height="16" fill="url(#g)"/><use xlink:href="#g"/></svg>
        """

    static let copyright = """
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
        Upstream-Name: office

        Files: *
        Copyright: 2020 Office developers
        License: GPL-2+

        Files: icons/*
        Copyright: 2021 An artist
        License: CC-BY-SA-4.0
         Attribution-ShareAlike 4.0.
        """

    /// Builds `name_version_all.deb` into `folder` from `files` (absolute path → text).
    static func buildDeb(
        _ name: String, source: String = "office", depends: String? = nil, files: [String: String], into folder: URL, work: URL
    ) throws {
        let root = work.appendingPathComponent("deb-\(name)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("DEBIAN"), withIntermediateDirectories: true)
        var control = "Package: \(name)\nVersion: 1.2-3\nArchitecture: all\nMaintainer: Test <test@example.org>\nSource: \(source)\n"
        if let depends { control += "Depends: \(depends)\n" }
        control += "Description: test package\n fixture\n"
        try control.write(to: root.appendingPathComponent("DEBIAN/control"), atomically: true, encoding: .utf8)
        for (path, text) in files {
            let url = root.appendingPathComponent(String(path.dropFirst()))
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let result = try run("dpkg-deb", ["--root-owner-group", "--build", root.path, folder.appendingPathComponent("\(name)_1.2-3_all.deb").path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The minimal kit with a second application, `writer`, whose imported entry has
    /// no French text; and a store whose `debs/` holds the fixture packages.
    func makeKit(_ dir: TemporaryDirectory, svg: String = PackageFactsTests.svg) throws -> (kit: URL, store: URL) {
        let kit = try TestKit.make(in: dir)
        try "id: writer\nlive:\n  packages: [office-writer]\n  desktop: office-writer\n".write(
            to: kit.appendingPathComponent("payload/apps/writer.yml"), atomically: true, encoding: .utf8)
        let imported = kit.appendingPathComponent("payload/catalogue/imported/test")
        try FileManager.default.createDirectory(at: imported, withIntermediateDirectories: true)
        try """
        id: writer
        name: Writer
        description:
          en: A word processor for letters.
        categories: [bureautique]
        licence: MPL-2.0
        source:
          name: test
        """.write(to: imported.appendingPathComponent("writer.yml"), atomically: true, encoding: .utf8)
        let store = dir.path("store")
        let debs = store.appendingPathComponent("debs")
        try FileManager.default.createDirectory(at: debs, withIntermediateDirectories: true)
        try Self.buildDeb(
            "office-writer", depends: "office-data (= 1.2-3), libc6 (>= 2.36)",
            files: [
                "/usr/share/metainfo/org.example.Writer.metainfo.xml": Self.metainfo,
                "/usr/share/applications/office-writer.desktop": "[Desktop Entry]\nName=Writer\nIcon=office\n",
                "/usr/share/doc/office-writer/copyright": Self.copyright,
            ], into: debs, work: dir.url)
        try Self.buildDeb(
            "office-data",
            files: [
                "/usr/share/icons/hicolor/scalable/apps/office.svg": svg,
                "/usr/share/doc/office-data/copyright": Self.copyright,
            ], into: debs, work: dir.url)
        try Self.buildDeb("office-calc", files: ["/usr/share/doc/office-calc/copyright": "GNU General Public License version 3\n"], into: debs, work: dir.url)
        return (kit, store)
    }

    func collect(_ kit: URL, _ store: URL) throws -> PackageFactsCollector.Report {
        let loaded = try KitLoader(root: kit, displayPrefix: "").loadValid().kit
        return try PackageFactsCollector(kit: loaded, store: ContentStore(root: store)).run()
    }

    @Test func readsMetainfoIconAndLicenceFromTheDebs() throws {
        let dir = try TemporaryDirectory()
        let (kit, store) = try makeKit(dir)
        let report = try collect(kit, store)
        #expect(report.facts.map(\.id.value) == ["office", "writer"])
        let writer = try #require(report.facts.first { $0.id.value == "writer" })
        #expect(writer.origin == PackageFacts.Origin(package: "office-writer", version: "1.2-3", date: "2026-01-15"))
        #expect(writer.summaryFrench == Self.hostileSummary)
        #expect(writer.summaryEnglish == "A word processor")
        #expect(writer.homepage == "https://writer.example.org/")
        #expect(writer.bugTracker == Self.hostileBugTracker)
        #expect(writer.releaseVersion == "1.2")
        #expect(writer.releaseDate == "2025-06-01")
        // The icon lives in the -data package of the same source, under the licence its
        // copyright file gives the icons.
        let icon = try #require(writer.icon)
        #expect(icon.file == "writer.svg")
        #expect(icon.origin.package == "office-data")
        #expect(icon.licence == "CC-BY-SA-4.0")
        #expect(icon.path == "/usr/share/icons/hicolor/scalable/apps/office.svg")
        let written = try Data(contentsOf: kit.appendingPathComponent("payload/packages/icons/writer.svg"))
        #expect(String(decoding: written, as: UTF8.self) == Self.svg)

        // Run again: the same bytes, nothing changed.
        let before = try TestKit.snapshot(kit.appendingPathComponent("payload/packages"))
        let again = try collect(kit, store)
        #expect(again.changed.isEmpty)
        #expect(try TestKit.snapshot(kit.appendingPathComponent("payload/packages")) == before)
    }

    @Test func theKitUsesTheFactsWhereItsEntriesHaveNone() throws {
        let dir = try TemporaryDirectory()
        let (kit, store) = try makeKit(dir)
        _ = try collect(kit, store)
        let loaded = try KitLoader(root: kit, displayPrefix: "").loadValid().kit
        let writer = try #require(loaded.entry("writer"))
        #expect(writer.description.fr == Self.hostileSummary)
        #expect(writer.description.en == "A word processor for letters.")
        #expect(!writer.missingFrench)
        #expect(writer.source(of: "description").name == "debian")
        #expect(writer.source(of: "description").id == "office-writer 1.2-3")
        #expect(writer.website == "https://writer.example.org/")
        #expect(writer.documentation == "https://help.example.org/")
        #expect(writer.releaseDate == "2025-06-01")
        let release = try #require(loaded.health(of: writer).inputs.first { $0.key == "release_age" })
        #expect(release.value.fr.contains("2025-06-01"))
        #expect(release.value.fr.contains("paquet Debian office-writer 1.2-3"))
        // The curated entry keeps its own text and website.
        let office = try #require(loaded.entry("office"))
        #expect(office.description.fr == "Traitement de texte et tableur pour les élèves et les œuvres.")
        #expect(office.website == "https://office.example.org/")
        #expect(office.documentation == "https://help.example.org/")
        // An entry without a Debian package keeps what it has.
        let paint = try #require(loaded.entry("paint"))
        #expect(paint.provenance.isEmpty)
        #expect(loaded.packageFacts["paint"] == nil)
    }

    @Test func packagedTextStaysTextOnThePagesAndTheIconIsStoredOnce() throws {
        let dir = try TemporaryDirectory()
        let (kit, store) = try makeKit(dir)
        _ = try collect(kit, store)
        var options = KitBuilder.Options(kitRoot: kit, output: dir.path("out"))
        options.displayPrefix = ""
        options.environment = [:]
        _ = try KitBuilder(options: options).build()
        let out = dir.path("out")
        let files = try TestKit.allFiles(in: out)
        #expect(files.filter { $0.hasSuffix("writer.svg") } == ["catalogue/icones/writer.svg"])
        let page = try String(contentsOf: out.appendingPathComponent("catalogue/logiciels/writer.html"), encoding: .utf8)
        #expect(!page.contains("<script>alert"))
        #expect(page.contains("Traitement de texte &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;"))
        #expect(page.contains("src=\"../../catalogue/icones/writer.svg\""))
        #expect(page.contains("paquet Debian office-writer 1.2-3"))
        let english = try String(contentsOf: out.appendingPathComponent("catalogue/en/logiciels/writer.html"), encoding: .utf8)
        #expect(english.contains("src=\"../../../catalogue/icones/writer.svg\""))
        let list = try String(contentsOf: out.appendingPathComponent("catalogue/logiciels/index.html"), encoding: .utf8)
        #expect(list.contains("src=\"../../catalogue/icones/office.svg\""))
        // paint has no package: no icon, and it does not take another entry's.
        let paintItem = try #require(list.components(separatedBy: "<li class=\"item\">").first { $0.contains("logiciels/paint.html") })
        #expect(!paintItem.contains("<img"))
        let credits = try String(contentsOf: out.appendingPathComponent("catalogue/credits.html"), encoding: .utf8)
        #expect(credits.contains("CC-BY-SA-4.0 — office-data 1.2-3"))
    }

    @Test func aPackageWithoutMetainfoOrIconIsNotAnError() throws {
        let dir = try TemporaryDirectory()
        let (kit, store) = try makeKit(dir)
        try "id: office\nlive:\n  packages: [office-calc]\n".write(
            to: kit.appendingPathComponent("payload/apps/office.yml"), atomically: true, encoding: .utf8)
        let report = try collect(kit, store)
        let office = try #require(report.facts.first { $0.id.value == "office" })
        #expect(office.metainfo == nil)
        #expect(office.icon == nil)
        #expect(office.notes.count == 2)
        let check = CatalogueCheck(loader: KitLoader(root: kit, displayPrefix: "")).run()
        #expect(!check.hasErrors)
        let missing = check.diagnostics.filter { $0.message.contains("sans icône") }
        #expect(missing.map(\.file) == ["payload/packages/office.yml"])
        #expect(missing.first?.severity == .warning)
    }

    @Test func aHostileSVGIsRefused() throws {
        let dir = try TemporaryDirectory()
        let (kit, store) = try makeKit(dir, svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")
        let report = try collect(kit, store)
        #expect(report.facts.allSatisfy { $0.icon == nil })
        #expect(report.facts.contains { $0.notes.contains { $0.contains("script") } })
        #expect(!FileManager.default.fileExists(atPath: kit.appendingPathComponent("payload/packages/icons/writer.svg").path))
    }

    @Test(arguments: [
        ("<svg><script>x</script></svg>", true),
        ("<svg><image href=\"https://example.org/a.png\"/></svg>", true),
        ("<svg><use xlink:href='file:///etc/passwd'/></svg>", true),
        ("<svg onload=\"alert(1)\"></svg>", true),
        ("<svg><style>@import url(https://x.org/a.css);</style></svg>", true),
        ("<svg><foreignObject><div/></foreignObject></svg>", true),
        ("<svg><use xlink:href=\"#a\"/><rect fill=\"url(#g)\"/></svg>", false),
    ])
    func svgCheck(_ text: String, _ refused: Bool) {
        #expect((IconCheck.svgProblem(Data(text.utf8)) != nil) == refused)
    }

    @Test func pngSizesComeFromTheHeader() {
        func png(_ width: UInt8, _ height: UInt8) -> Data {
            Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, width, 0, 0, 0, height])
        }
        #expect(IconCheck.pngSize(png(48, 48))! == (48, 48))
        #expect(IconCheck.pngProblem(png(128, 128)) == nil)
        #expect(IconCheck.pngProblem(png(200, 128)) != nil)
        #expect(IconCheck.pngSize(Data("GIF89a".utf8)) == nil)
    }

    @Test func factsFilesAreValidated() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let folder = kit.appendingPathComponent("payload/packages")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("icons"), withIntermediateDirectories: true)
        try """
        id: office
        source: {package: office-writer, version: 1.2-3, date: 2026-01-15}
        release: {version: "1", date: 2026-13-01}
        icon: {file: office.svg, package: office-data, version: 1.2-3, date: 2026-01-15, path: /x.svg, licence: GPL-2+, copyright: x}
        """.write(to: folder.appendingPathComponent("office.yml"), atomically: true, encoding: .utf8)
        try "<svg><script>alert(1)</script></svg>".write(to: folder.appendingPathComponent("icons/office.svg"), atomically: true, encoding: .utf8)
        let result = KitLoader(root: kit, displayPrefix: "").load()
        #expect(result.kit == nil)
        let messages = result.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("payload/packages/office.yml:3:") && $0.contains("2026-13-01") })
        #expect(messages.contains { $0.hasPrefix("payload/packages/office.yml:1:5: error:") && $0.contains("script") })
    }
}
