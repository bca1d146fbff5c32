import Foundation
import Testing

@testable import DemoKit

/// Application payloads end to end through the library: pins, the content store,
/// offline builds from a cold and a warm cache, --skip-missing, FAT32 rules in
/// artifacts, key sizes.
@Suite struct AppPayloadTests {
    /// The minimal kit with `office` shipped as a Windows portable zip and a Linux
    /// AppImage (office is in both profiles), and the artifacts beside it.
    struct Setup {
        let dir: TemporaryDirectory
        let kit: URL
        let cache: URL
        let zip: URL
        let appImage: URL

        init(version: String = "1.2.3", pinExtra: String = "") throws {
            dir = try TemporaryDirectory()
            kit = try TestKit.make(in: dir)
            cache = dir.path("cache")
            zip = try Artifacts.portableZip(at: dir.path("OfficePortable_1.2.3.zip"), appID: "OfficePortable", name: "Office Portable", version: version)
            appImage = try Artifacts.appImage(at: dir.path("Office-1.2.3-x86_64.AppImage"), size: 5000)
            let windows = try Artifacts.windowsBlock(
                zip, url: "https://example.org/OfficePortable_1.2.3.zip", appID: "OfficePortable", extra: pinExtra)
            let linux = try Artifacts.linuxBlock(appImage, url: "https://example.org/Office-1.2.3-x86_64.AppImage", name: "Office.AppImage")
            try Artifacts.writeDelivery(kit, id: "office", "live:\n  packages: [office-writer, office-calc]\n" + windows + linux)
        }

        func warm() throws {
            let store = ContentStore(root: cache)
            try store.add(fileAt: zip)
            try store.add(fileAt: appImage)
        }

        func options(_ out: String = "out") -> KitBuilder.Options {
            var options = KitBuilder.Options(kitRoot: kit, output: dir.path(out))
            options.displayPrefix = ""
            options.environment = [:]
            options.cache = cache
            return options
        }

        func build(_ out: String = "out", _ change: (inout KitBuilder.Options) -> Void = { _ in }) throws -> KitBuilder.Report {
            var options = options(out)
            change(&options)
            return try KitBuilder(options: options).build()
        }
    }

    @Test func pinsAreReadFromTheAppFile() throws {
        let setup = try Setup()
        let kit = try KitLoader(root: setup.kit, displayPrefix: "").loadValid().kit
        let office = try #require(kit.apps["office"])
        #expect(office.windows?.appID.value == "OfficePortable")
        #expect(office.windows?.format == .zip)
        #expect(office.windows?.pin.size == (try FileHashing.sha256(fileAt: setup.zip).size))
        #expect(office.linux?.fileName == "Office.AppImage")
        #expect(office.pins.count == 2)
    }

    @Test func coldCacheStopsTheBuildWithWhatIsMissingAndTheFetchCommand() throws {
        let setup = try Setup()
        do {
            _ = try setup.build()
            Issue.record("the build should stop")
        } catch let error as MissingArtifactsError {
            #expect(error.items.map(\.platform) == ["windows", "linux"])
            #expect(error.message.contains("https://example.org/OfficePortable_1.2.3.zip"))
            #expect(error.message.contains("demokit fetch --kit \(setup.kit.path) --cache \(setup.cache.path)"))
            #expect(error.message.contains("--skip-missing"))
        }
        #expect(!FileManager.default.fileExists(atPath: setup.dir.path("out").path))
    }

    @Test func warmCacheBuildsOfflineWithAppsLaidOut() throws {
        let setup = try Setup()
        try setup.warm()
        let report = try setup.build()
        let out = setup.dir.path("out")
        let files = try TestKit.allFiles(in: out)
        for expected in [
            "apps/windows/OfficePortable/OfficePortable.exe", "apps/windows/OfficePortable/App/AppInfo/appinfo.ini",
            "apps/windows/OfficePortable/Other/Source/Readme.txt", "apps/linux/Office.AppImage",
        ] {
            #expect(files.contains(expected), "missing \(expected)")
        }
        // Shared by both profiles, stored once.
        #expect(files.filter { $0.hasSuffix("Office.AppImage") }.count == 1)
        #expect(try Data(contentsOf: out.appendingPathComponent("apps/linux/Office.AppImage")) == Data(contentsOf: setup.appImage))
        let roles = try Dictionary(report.manifest.files.map { ($0.path, $0.role) }, uniquingKeysWith: { a, _ in a })
        #expect(roles["apps/linux/Office.AppImage"] == .application)

        // Each profile's list says where to start the app.
        for profile in ["alpha", "beta"] {
            let list = try JSONDecoder().decode(
                ProfileAppList.self, from: Data(contentsOf: out.appendingPathComponent("demokit/profiles/\(profile).json")))
            let office = try #require(list.apps.first { $0.id == "office" })
            #expect(office.windows?.start == #"apps\windows\OfficePortable\OfficePortable.exe"#)
            #expect(office.windows?.version == "1.2.3")
            #expect(office.windows?.name == "Office Portable")
            #expect(office.linux?.path == "apps/linux/Office.AppImage")
            #expect(office.notOnKey == nil)
        }
        let page = try String(contentsOf: out.appendingPathComponent("catalogue/profils/alpha.html"), encoding: .utf8)
        #expect(page.contains(#"<code>apps\windows\OfficePortable\OfficePortable.exe</code>"#))
        // Accented names inside artifacts are kept as they are.
        let readme = try String(contentsOf: out.appendingPathComponent("apps/windows/OfficePortable/Other/Source/Readme.txt"), encoding: .utf8)
        #expect(readme == "Lisez-moi — accentué")
    }

    @Test func twoWarmBuildsAreByteIdentical() throws {
        let setup = try Setup()
        try setup.warm()
        _ = try setup.build("one")
        _ = try setup.build("two")
        #expect(try TestKit.snapshot(setup.dir.path("one")) == TestKit.snapshot(setup.dir.path("two")))
    }

    @Test func skipMissingBuildsAndSaysWhatIsNotOnTheKey() throws {
        let setup = try Setup()
        // Only the AppImage is in the cache.
        try ContentStore(root: setup.cache).add(fileAt: setup.appImage)
        let report = try setup.build { $0.skipMissing = true }
        #expect(report.missing.map(\.platform) == ["windows"])
        let out = setup.dir.path("out")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("apps/windows").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("apps/linux/Office.AppImage").path))
        let list = try JSONDecoder().decode(ProfileAppList.self, from: Data(contentsOf: out.appendingPathComponent("demokit/profiles/alpha.json")))
        let office = try #require(list.apps.first { $0.id == "office" })
        #expect(office.notOnKey == ["windows"])
        #expect(office.windows == nil)
        let page = try String(contentsOf: out.appendingPathComponent("catalogue/logiciels/office.html"), encoding: .utf8)
        #expect(page.contains("Fichiers absents de cette clé pour : Windows"))
    }

    /// A build hashes the pinned artifacts side by side before placing them: their
    /// hashes are then in the store's memo; a file of another size is not read.
    @Test func artifactsAreHashedBeforeTheyArePlaced() throws {
        let setup = try Setup()
        try setup.warm()
        try FileManager.default.removeItem(at: setup.cache.appendingPathComponent("verified.sqlite"))
        let store = ContentStore(root: setup.cache)
        let pins = try KitLoader(root: setup.kit, displayPrefix: "").loadValid().kit.apps.values.flatMap(\.pins)
        try #require(pins.count >= 2)
        var wrongSize = pins[1]
        wrongSize.size += 1
        AppPayloads.hashOnEveryCore([pins[0], wrongSize], in: store)
        let first = store.objectURL(sha256: pins[0].sha256).path, second = store.objectURL(sha256: pins[1].sha256).path
        #expect(store.memo.entry(first)?.sha256 == pins[0].sha256.lowercased())
        #expect(store.memo.entry(second) == nil)
    }

    @Test func corruptCacheEntryCountsAsMissing() throws {
        let setup = try Setup()
        try setup.warm()
        let store = ContentStore(root: setup.cache)
        let pin = try #require(KitLoader(root: setup.kit, displayPrefix: "").loadValid().kit.apps["office"]?.linux?.pin)
        var bytes = try Data(contentsOf: store.objectURL(sha256: pin.sha256))
        bytes[20] ^= 0xFF
        try bytes.write(to: store.objectURL(sha256: pin.sha256))
        #expect(try store.status(of: pin) != .present)
        #expect(throws: MissingArtifactsError.self) { try setup.build() }
    }

    @Test func appInfoMismatchIsReportedAtThePin() throws {
        let setup = try Setup(pinExtra: "  version: \"9.9\"\n  start: Other.exe\n")
        try setup.warm()
        do {
            _ = try setup.build()
            Issue.record("the build should stop")
        } catch let error as KitValidationError {
            let lines = error.diagnostics.map(\.description)
            #expect(lines.contains { $0.hasPrefix("payload/apps/office.yml:") && $0.contains("DisplayVersion=1.2.3") })
            #expect(lines.contains { $0.contains("Start=OfficePortable.exe") })
        }
    }

    @Test func fat32ProblemsInsideArtifactsAreFoundBeforeCopying() throws {
        let setup = try Setup()
        let zip = try Artifacts.portableZip(
            at: setup.dir.path("Bad.zip"), appID: "OfficePortable", name: "Office Portable",
            extra: ["Data/AUX.txt": "x", "Data/notes:1.txt": "y", "Data/Readme.txt": "a", "Data/README.txt": "b"])
        try Artifacts.writeDelivery(setup.kit, id: "office", try Artifacts.windowsBlock(zip, url: "https://example.org/Bad.zip", appID: "OfficePortable"))
        try ContentStore(root: setup.cache).add(fileAt: zip)
        do {
            _ = try setup.build()
            Issue.record("the build should be refused")
        } catch let error as TreeCheckError {
            let paths = Set(error.problems.map(\.path))
            #expect(paths.contains("apps/windows/OfficePortable/Data/AUX.txt"))
            #expect(paths.contains("apps/windows/OfficePortable/Data/notes:1.txt"))
            #expect(paths.contains { $0.lowercased() == "apps/windows/officeportable/data/readme.txt" })
        }
        // plan reports them too, without writing anything.
        var options = setup.options()
        options.cache = setup.cache
        let plan = try KitBuilder(options: options).plan().plan
        #expect(plan.fat32Problems.count >= 3)
        #expect(!FileManager.default.fileExists(atPath: setup.dir.path("out").path))
    }

    @Test func aKeyThatDoesNotFitIsRefused() throws {
        let setup = try Setup()
        try setup.warm()
        do {
            _ = try setup.build { $0.keySize = ByteSize("1M") }
            Issue.record("the build should be refused")
        } catch let error as KeyTooSmallError {
            #expect(!error.fit.fits)
            #expect(error.message.contains("trop petite"))
        }
        #expect(!FileManager.default.fileExists(atPath: setup.dir.path("out").path))
        // A large enough key is fine.
        _ = try setup.build { $0.keySize = ByteSize("8G") }
    }

    @Test func planMatchesTheBuiltTree() throws {
        let setup = try Setup()
        try setup.warm()
        let plan = try KitBuilder(options: setup.options()).plan().plan
        _ = try setup.build()
        let out = setup.dir.path("out")
        var built: Int64 = 0
        var paths: [String] = []
        for path in try TestKit.allFiles(in: out) {
            built += (try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(path).path)[.size] as? NSNumber)?.int64Value ?? 0
            paths.append(path)
        }
        #expect(plan.totalBytes == built)
        #expect(plan.files.map(\.path) == paths)
        #expect(plan.bytes(.applications) > 5000)
        #expect(plan.bytes(.base) == 0)
        // office is in both profiles: shared, counted in each.
        #expect(plan.shared.map(\.id) == ["office"])
        #expect(plan.shared.first?.profiles == ["alpha", "beta"])
        let alpha = try #require(plan.profiles.first { $0.id == "alpha" })
        #expect(alpha.bytes == alpha.sharedBytes && alpha.bytes == plan.bytes(.applications))
        #expect(plan.fit(try #require(ByteSize("8G"))).fits)
        #expect(!plan.fit(try #require(ByteSize("100K"))).fits)
    }

    @Test func planWithAColdCacheCountsDownloadSizes() throws {
        let setup = try Setup()
        let (plan, missing, _) = try KitBuilder(options: setup.options()).plan()
        #expect(missing.count == 2)
        let expected = try FileHashing.sha256(fileAt: setup.zip).size + FileHashing.sha256(fileAt: setup.appImage).size
        #expect(plan.bytes(.applications) == expected)
    }

    @Test func keyLayouts() throws {
        #expect(KeyPlan.clusterSize(forKey: try #require(ByteSize("8G"))) == 4096)
        #expect(KeyPlan.clusterSize(forKey: try #require(ByteSize("16G"))) == 8192)
        #expect(KeyPlan.clusterSize(forKey: try #require(ByteSize("64G"))) == 32768)
        let eight = ByteSize(bytes: 8_000_000_000)
        let usable = KeyPlan.usableBytes(onKey: eight)
        #expect(usable < eight.bytes && usable > 7_980_000_000)
    }
}

@Suite struct PortableAppTests {
    @Test func appInfoIsParsed() throws {
        let text = Artifacts.appInfo(
            appID: "GimpPortable", name: "GIMP Portable", version: "2.10.38", start: "GIMPPortable.exe", category: "Graphics & Pictures")
        let info = try PortableAppInfo.parse(Data(text.utf8), file: "appinfo.ini")
        #expect(info.appID == "GimpPortable")
        #expect(info.name == "GIMP Portable")
        #expect(info.version == "2.10.38")
        #expect(info.packageVersion == "2.10.38.0")
        #expect(info.category == "Graphics & Pictures")
        #expect(info.start == "GIMPPortable.exe")
        // UTF-16 with a byte order mark, as some Windows tools write it.
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(text.data(using: .utf16LittleEndian) ?? Data())
        #expect(try PortableAppInfo.parse(utf16, file: "appinfo.ini") == info)
    }

    @Test func incompleteAppInfoSaysWhatIsMissing() {
        do {
            _ = try PortableAppInfo.parse(Data("[Details]\nName=X\n".utf8), file: "x.zip: App/AppInfo/appinfo.ini")
            Issue.record("should fail")
        } catch let error as FileError {
            #expect(error.message.contains("[Details] AppID"))
            #expect(error.message.contains("[Control] Start"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test(arguments: [true, false])
    func zipsWithOrWithoutTheTopFolderUnpack(_ topFolder: Bool) throws {
        let dir = try TemporaryDirectory()
        let zip = try Artifacts.portableZip(at: dir.path("a.zip"), appID: "DemoPortable", name: "Demo Portable", topFolder: topFolder)
        let store = ContentStore(root: dir.path("cache"))
        let stored = try store.add(fileAt: zip)
        let app = try PortableUnpacker.unpack(stored.url, format: .zip, sha256: stored.sha256, store: store)
        #expect(app.info.appID == "DemoPortable")
        #expect(app.files.map(\.path).contains("DemoPortable.exe"))
        #expect(app.files.map(\.path).contains("App/AppInfo/appinfo.ini"))
        // Unpacked once: a second call reads the same folder.
        let again = try PortableUnpacker.unpack(stored.url, format: .zip, sha256: stored.sha256, store: store)
        #expect(again.root.path == app.root.path)
    }

    @Test func aZipWithoutAppInfoIsNotAPortableApp() throws {
        let dir = try TemporaryDirectory()
        try "x".write(to: dir.path("readme.txt"), atomically: true, encoding: .utf8)
        try ArchiveWriter.archive(tree: dir.url, paths: ["readme.txt"], to: dir.path("plain.zip"), mtime: Date(timeIntervalSince1970: 0))
        let store = ContentStore(root: dir.path("cache"))
        let stored = try store.add(fileAt: dir.path("plain.zip"))
        #expect(throws: FileError.self) { try PortableUnpacker.unpack(stored.url, format: .zip, sha256: stored.sha256, store: store) }
    }

    /// Apps are unpacked side by side before they are laid out; one that is not a
    /// PortableApps.com app still stops the build with the error naming its artifact,
    /// and leaves no output behind.
    @Test func aBrokenPortableAppStopsTheBuildNamingItsArtifact() throws {
        let setup = try AppPayloadTests.Setup()
        try "x".write(to: setup.dir.path("readme.txt"), atomically: true, encoding: .utf8)
        let plain = setup.dir.path("PlainPortable_1.0.zip")
        try ArchiveWriter.archive(tree: setup.dir.url, paths: ["readme.txt"], to: plain, mtime: Date(timeIntervalSince1970: 0))
        let windows = try Artifacts.windowsBlock(plain, url: "https://example.org/PlainPortable_1.0.zip", appID: "PlainPortable")
        let linux = try Artifacts.linuxBlock(setup.appImage, url: "https://example.org/Office-1.2.3-x86_64.AppImage", name: "Office.AppImage")
        try Artifacts.writeDelivery(setup.kit, id: "office", windows + linux)
        try setup.warm()
        try ContentStore(root: setup.cache).add(fileAt: plain)
        let error = #expect(throws: FileError.self) { try setup.build() }
        let sha256 = FileHashing.sha256(of: try Data(contentsOf: plain))
        #expect(error?.path == sha256, "the artifact as the store names it: \(error?.path ?? "")")
        #expect(error?.reason.contains("appinfo.ini") == true)
        #expect(!FileManager.default.fileExists(atPath: setup.dir.path("out").path))
    }

    static var hasNSISTools: Bool {
        PortableUnpacker.findProgram(["makensis"]) != nil && PortableUnpacker.findProgram(["7z", "7za", "7zz"]) != nil
    }

    /// A real NSIS installer made with makensis, the way PortableApps.com ships .paf.exe files.
    @Test(.enabled(if: hasNSISTools, "needs makensis (nsis) and 7z (p7zip-full): scripts/deps/apps.txt"))
    func pafInstallersUnpackWith7Zip() throws {
        let dir = try TemporaryDirectory()
        let source = dir.path("src")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("App/AppInfo"), withIntermediateDirectories: true)
        try Artifacts.appInfo(appID: "DemoPortable", name: "Demo Portable", version: "3.1", start: "DemoPortable.exe")
            .write(to: source.appendingPathComponent("App/AppInfo/appinfo.ini"), atomically: true, encoding: .utf8)
        try "MZ".write(to: source.appendingPathComponent("DemoPortable.exe"), atomically: true, encoding: .utf8)
        let script = """
            Name "Demo Portable"
            OutFile "DemoPortable_3.1.paf.exe"
            InstallDir "$EXEDIR\\DemoPortable"
            RequestExecutionLevel user
            Section
              SetOutPath "$INSTDIR"
              File /r "src\\*.*"
            SectionEnd

            """
        try script.write(to: dir.path("demo.nsi"), atomically: true, encoding: .utf8)
        let made = try run("makensis", ["-V1", "demo.nsi"], cwd: dir.url)
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        let store = ContentStore(root: dir.path("cache"))
        let stored = try store.add(fileAt: dir.path("DemoPortable_3.1.paf.exe"))
        let app = try PortableUnpacker.unpack(stored.url, format: .paf, sha256: stored.sha256, store: store)
        #expect(app.info.appID == "DemoPortable")
        #expect(app.info.version == "3.1")
        #expect(app.files.map(\.path) == ["App/AppInfo/appinfo.ini", "DemoPortable.exe"])
    }
}

@Suite struct ArchiveReaderTests {
    @Test(arguments: ["zip", "tar.gz", "tar.zst"])
    func readsEntriesAndData(_ ext: String) throws {
        let dir = try TemporaryDirectory()
        let tree = dir.path("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("Dossier accentué"), withIntermediateDirectories: true)
        try "bonjour".write(to: tree.appendingPathComponent("Dossier accentué/été.txt"), atomically: true, encoding: .utf8)
        try Data(repeating: 7, count: 300_000).write(to: tree.appendingPathComponent("big.bin"))
        let archive = dir.path("a.\(ext)")
        try ArchiveWriter.archive(tree: tree, paths: ["Dossier accentué/été.txt", "big.bin"], to: archive, mtime: Date(timeIntervalSince1970: 0))

        let entries = try ArchiveReader.list(archive)
        #expect(entries.map(\.path) == ["Dossier accentué", "Dossier accentué/été.txt", "big.bin"])
        #expect(entries.map(\.type) == [.directory, .file, .file])
        #expect(entries.last?.size == 300_000)

        let reader = try ArchiveReader(path: archive.path)
        #expect(try reader.next()?.type == .directory)
        let text = try #require(try reader.next())
        #expect(text.path == "Dossier accentué/été.txt")
        #expect(String(decoding: try reader.data(), as: UTF8.self) == "bonjour")
        #expect(try reader.next()?.path == "big.bin")  // its data skipped
        #expect(try reader.next() == nil)
        try reader.close()

        let out = dir.path("out")
        let files = try ArchiveReader.extract(archive, to: out)
        #expect(files == ["Dossier accentué/été.txt", "big.bin"])
        #expect(try Data(contentsOf: out.appendingPathComponent("big.bin")).count == 300_000)
    }

    /// The boot stage reads ISO 9660 images with the same reader.
    @Test func readsAnISO9660Image() throws {
        let dir = try TemporaryDirectory()
        let tree = dir.path("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("live"), withIntermediateDirectories: true)
        try Data(repeating: 1, count: 70_000).write(to: tree.appendingPathComponent("live/vmlinuz"))
        let made = try run("bsdtar", ["--format", "iso9660", "-cf", dir.path("base.iso").path, "-C", tree.path, "live"])
        #expect(made.status == 0, "\(made.stderr)")
        let entries = try ArchiveReader.list(dir.path("base.iso"))
        #expect(entries.contains { $0.path == "live/vmlinuz" && $0.type == .file && $0.size == 70_000 })
        try ArchiveReader.extract(dir.path("base.iso"), to: dir.path("out"))
        #expect(try Data(contentsOf: dir.path("out/live/vmlinuz")).count == 70_000)
    }

    @Test func refusesPathsThatClimbOut() throws {
        let dir = try TemporaryDirectory()
        let zip = dir.path("evil.zip")
        let made = try run(
            "python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('../evil.txt','x'); z.close()", zip.path])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(throws: ArchiveError.self) { try ArchiveReader.extract(zip, to: dir.path("out")) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("evil.txt").path))
    }

    @Test func notAnArchiveIsAnError() throws {
        let dir = try TemporaryDirectory()
        try Data("not an archive at all".utf8).write(to: dir.path("x.zip"))
        #expect(throws: ArchiveError.self) { _ = try ArchiveReader.list(dir.path("x.zip")) }
    }
}

@Suite struct YAMLTextEditTests {
    @Test func replacesOneBlockAndKeepsTheRest() throws {
        let text = """
            # Office, tested by the town hall
            id: office
            live:
              packages: [office-writer]  # the writer only
            windows:
              url: https://old.example.org/a.zip
              sha256: old

            # online demo
            online:
              url: https://demo.example.org/

            """
        let edited = try YAMLTextEdit.setTopLevelBlock("windows", to: "windows:\n  url: https://new.example.org/b.zip\n", in: text, file: "x.yml")
        #expect(
            edited == """
                # Office, tested by the town hall
                id: office
                live:
                  packages: [office-writer]  # the writer only
                windows:
                  url: https://new.example.org/b.zip

                # online demo
                online:
                  url: https://demo.example.org/

                """)
        let appended = try YAMLTextEdit.setTopLevelBlock("linux", to: "linux:\n  url: u\n", in: text, file: "x.yml")
        #expect(appended == text + "linux:\n  url: u\n")
    }

    @Test func appendsToBlockAndFlowLists() throws {
        let block = "id: a\napps:\n  - office  # first\n  - paint\npitch: x\n"
        #expect(
            try YAMLTextEdit.appendToList("apps", item: "gimp", in: block, file: "a.yml")
                == "id: a\napps:\n  - office  # first\n  - paint\n  - gimp\npitch: x\n")
        let flow = "id: b\napps: [office, \"paint\"]  # two\n"
        let edited = try YAMLTextEdit.appendToList("apps", item: "gimp", in: flow, file: "b.yml")
        #expect(edited == "id: b\napps: [office, \"paint\", gimp]  # two\n")
        #expect(try YAMLTextEdit.appendToList("apps", item: "office", in: flow, file: "b.yml") == nil)
    }
}
