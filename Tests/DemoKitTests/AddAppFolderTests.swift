import Foundation
import Testing

@testable import DemoKit

/// `demokit add-app` as a volunteer uses it: a PortableApps folder (not only a file),
/// packed into the same `.zip` on every machine, and an application with no
/// catalogue entry whose entry is started from its appinfo.ini.
@Suite(.serialized, .timeLimit(.minutes(2))) struct AddAppFolderTests {
    static let url = "https://example.org/GimpPortable_2.10.zip"

    static func addApp(_ source: URL, kit: URL, cache: URL, _ more: [String] = []) throws -> ProcessResult {
        try run(demokitBinary, ["add-app", source.path, "--profile", "beta", "--url", url, "--kit", kit.path, "--cache", cache.path] + more)
    }

    static func sha256(inAppFile kit: URL, _ id: String) throws -> String {
        let yaml = try String(contentsOf: kit.appendingPathComponent("payload/apps/\(id).yml"), encoding: .utf8)
        let line = try #require(yaml.split(separator: "\n").first { $0.hasPrefix("  sha256: ") })
        return String(line.dropFirst("  sha256: ".count))
    }

    /// Same files, another folder name, another order and other times on disk: the
    /// same pin. The archive's entries are sorted and dated from the kit's date, and
    /// the key built offline holds the app.
    @Test func aFolderIsPackedReproduciblyAndBuilt() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let folder = try Artifacts.portableFolder(at: dir.path("CemeteryPortable"), appID: "CemeteryPortable", name: "Cemetery Portable")
        let added = try Self.addApp(folder, kit: kit, cache: dir.path("cache"))
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("cemetery (windows — Cemetery Portable 1.2.3 (CemeteryPortable, CemeteryPortable.exe)) épinglé"))
        #expect(added.stdout.contains("Archive du dossier : "), "\(added.stdout)")
        let pinned = try Self.sha256(inAppFile: kit, "cemetery")

        let other = try TemporaryDirectory()
        let otherKit = try TestKit.make(in: other)
        let copy = try Artifacts.portableFolder(at: other.path("moved/Cimetiere"), appID: "CemeteryPortable", name: "Cemetery Portable", reversed: true)
        let later = Date(timeIntervalSince1970: 1_800_000_000)
        for path in try TestKit.allFiles(in: copy) {
            try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: copy.appendingPathComponent(path).path)
        }
        let again = try Self.addApp(copy, kit: otherKit, cache: other.path("cache"))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.sha256(inAppFile: otherKit, "cemetery") == pinned)

        // The archive itself: sorted entries, every one dated 2026-01-15 (the kit's date).
        let store = ContentStore(root: dir.path("cache"))
        let listing = try run("bsdtar", ["-tvf", store.objectURL(sha256: pinned).path], environment: ["TZ": "UTC"])
        let names = listing.stdout.split(separator: "\n").map { String($0.split(separator: " ").last ?? "") }
        #expect(names == names.sorted() && names.contains("App/AppInfo/appinfo.ini"), "\(listing.stdout)")
        #expect(listing.stdout.split(separator: "\n").allSatisfy { $0.contains("Jan 15  2026") }, "\(listing.stdout)")

        // Another kit date is another archive.
        let redated = try PortableFolderPacker.pack(folder, mtime: Date(timeIntervalSince1970: 1_000_000_000), store: store)
        #expect(redated.stored.sha256 != pinned)

        let out = dir.path("key")
        let built = try run(demokitBinary, ["build", "--kit", kit.path, "--cache", dir.path("cache").path, "--out", out.path])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("apps/windows/CemeteryPortable/CemeteryPortable.exe").path))
    }

    @Test func aFolderNeedsAZipAddress() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let folder = try Artifacts.portableFolder(at: dir.path("CemeteryPortable"), appID: "CemeteryPortable", name: "Cemetery Portable")
        let result = try run(
            demokitBinary,
            [
                "add-app", folder.path, "--profile", "beta", "--url", "https://example.org/CemeteryPortable.paf.exe", "--kit", kit.path, "--cache",
                dir.path("cache").path,
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--url doit désigner un .zip"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: kit.appendingPathComponent("payload/apps/cemetery.yml").path))
    }

    /// No entry for the app: `--new-entry` starts one from appinfo.ini (name,
    /// description, category when the kit has it), marks what is left to write, and
    /// `validate` lists exactly that until it is written.
    @Test func aMissingEntryIsStartedFromAppinfoAndValidateSaysWhatIsMissing() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let folder = try Artifacts.portableFolder(
            at: dir.path("GIMPPortable"), appID: "GIMPPortable", name: "GIMP Portable", category: "Education")
        let refused = try Self.addApp(folder, kit: kit, cache: dir.path("cache"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("ajoutez --new-entry"), "\(refused.stderr)")

        let started = try Self.addApp(folder, kit: kit, cache: dir.path("cache"), ["--new-entry"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.contains("Fiche de catalogue commencée"), "\(started.stdout)")
        let entryURL = kit.appendingPathComponent("payload/catalogue/gimp.yml")
        let entry = try String(contentsOf: entryURL, encoding: .utf8)
        #expect(entry.contains("id: gimp\nname: \"GIMP\"\n"))
        #expect(entry.contains("  en: \"GIMP Portable for tests\""))
        #expect(entry.contains("categories: [education]"))
        #expect(entry.contains("# À COMPLÉTER / TO COMPLETE: licence"))
        #expect(entry.contains("# À COMPLÉTER / TO COMPLETE: fr"))
        #expect(try String(contentsOf: kit.appendingPathComponent("profiles/beta.yml"), encoding: .utf8).contains("gimp"))

        let validate = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(validate.status == 1)
        let errors = (validate.stdout + validate.stderr).split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.allSatisfy { $0.contains("payload/catalogue/gimp.yml:") })
        #expect(errors.contains { $0.contains("« licence »") })
        #expect(errors.contains { $0.contains("texte français manquant") })

        let completed = entry.replacingOccurrences(of: "description:\n", with: "description:\n  fr: Retouche d'images.\n") + "licence: GPL-3.0-or-later\n"
        try completed.write(to: entryURL, atomically: true, encoding: .utf8)
        let valid = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
    }

    @Test func theDraftProposesOnlyTheKitsCategories() {
        let info = PortableAppInfo(appID: "InkscapePortable", name: "Inkscape Portable", category: "Graphics & Pictures", start: "InkscapePortable.exe")
        let withIt = CatalogueEntryDraft(id: "inkscape", info: info, fileName: "x.zip", categories: ["graphisme"])
        #expect(withIt.text.contains("categories: [graphisme]"))
        #expect(withIt.text.contains("name: \"Inkscape\""))
        let without = CatalogueEntryDraft(id: "inkscape", info: info, fileName: "x.zip", categories: ["bureautique"])
        #expect(!without.text.contains("\ncategories:"))
        #expect(without.text.contains("(appinfo.ini : Graphics & Pictures)"))
    }
}
