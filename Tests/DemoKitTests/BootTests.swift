import Foundation
import Testing

@testable import DemoKit

/// Collects what a build reports, to check warnings.
final class RecordingProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var _warnings: [String] = []
    var warnings: [String] { lock.withLock { _warnings } }
    func stage(_ name: String) {}
    func advance(files: Int, bytes: Int64, totalFiles: Int?, totalBytes: Int64?) {}
    func info(_ text: String) {}
    func detail(_ text: String) {}
    func warning(_ text: String) { lock.withLock { _warnings.append(text) } }
}

/// A small ISO shaped like a Debian Live ISO, made with bsdtar (libarchive-tools).
enum TestISO {
    static let grubConfig = """
        menuentry "Live system (amd64)" --hotkey=l {
            linux	/live/vmlinuz boot=live components quiet splash findiso=${iso_path}
            initrd	/live/initrd.img
        }

        """

    /// `tamper`: a member whose content changes after the checksum list is written.
    static func make(
        in dir: TemporaryDirectory, name: String = "base.iso", tamper: String? = nil, squashfs: Bool = true, info: String = "Debian test base\n"
    ) throws -> URL {
        let root = dir.path("iso-\(name)")
        try? FileManager.default.removeItem(at: root)
        var files: [String: String] = [
            "live/vmlinuz": "kernel", "live/initrd.img": "initrd", ".disk/info": info,
            "boot/grub/grub.cfg": grubConfig, "isolinux/isolinux.bin": "not wanted",
        ]
        if squashfs { files["live/filesystem.squashfs"] = "squashfs" }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let list = files.keys.sorted().map { "\(FileHashing.sha256(of: Data(files[$0]!.utf8)))  ./\($0)\n" }.joined()
        try list.write(to: root.appendingPathComponent("sha256sum.txt"), atomically: true, encoding: .utf8)
        if let tamper { try "altered".write(to: root.appendingPathComponent(tamper), atomically: true, encoding: .utf8) }
        let iso = dir.path(name)
        try? FileManager.default.removeItem(at: iso)
        let result = try run("bsdtar", ["-c", "--format", "iso9660", "-f", iso.path, "-C", root.path, "."])
        #expect(result.status == 0, "\(result.stderr)")
        return iso
    }
}

@Suite struct BootMenuTests {
    func minimalKit(_ dir: TemporaryDirectory) throws -> Kit {
        try KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").loadValid().kit
    }

    func golden(_ name: String, _ data: Data) throws {
        let url = Repo.root.appendingPathComponent("Tests/DemoKitTests/Golden/\(name)")
        if Repo.recording {
            try data.write(to: url)
            return
        }
        let expected = try Data(contentsOf: url)
        #expect(
            data == expected,
            "\(name) changed; re-record with DEMOKIT_RECORD=1 swift test if intended:\n\(String(decoding: data, as: UTF8.self))")
    }

    @Test func goldenMenus() throws {
        let dir = try TemporaryDirectory()
        let menu = BootMenu.make(
            kit: try minimalKit(dir), kernel: "live/vmlinuz", initrd: "live/initrd.img",
            baseParameters: ["boot=live", "components", "quiet", "splash"], extraParameters: ["console=ttyS0,115200"])
        try golden("minimal-grub.cfg", Data(menu.grubConfig().utf8))
        try golden("minimal-syslinux.cfg", menu.syslinuxConfig())
        #expect(menu.entries.map(\.id) == ["alpha", "beta", "verify", "toram"])
        #expect(menu.entries[0].title == "Mairie d'essai — les élus")
        #expect(menu.grubConfig().contains("menuentry 'Mairie d'\\''essai — les élus' --id alpha {"))
        #expect(menu.timeout == 5)
    }

    @Test func titlesOfTheDefaultKitFitTheMenu() throws {
        let kit = try KitLoader(root: Repo.root, displayPrefix: "").loadValid().kit
        let menu = BootMenu.make(kit: kit, kernel: "live/vmlinuz", initrd: "live/initrd.img", baseParameters: BaseISO.defaultParameters)
        #expect(menu.entries.count == kit.profiles.count + 2)
        for entry in menu.entries {
            #expect(entry.title.count <= BootMenu.maxTitleLength, "\(entry.title)")
        }
        #expect(menu.entries[0].title.hasPrefix("Mairie — élus"))
        #expect(menu.entries[0].options.contains("demokit.profile=mairie"))
    }

    @Test func syslinuxTextIsCodePage437() throws {
        #expect(CP437.encode("École é — …") == Data([0x90, 0x63, 0x6F, 0x6C, 0x65, 0x20, 0x82, 0x20, 0x2D, 0x20, 0x2E, 0x2E, 0x2E]))
        // Same bytes as iconv's CP437 for every French letter it has.
        let french = "àâäçéèêëîïôöùûüÿÄÇÉÖÜ«»°"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-cp437-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try french.write(to: url, atomically: true, encoding: .utf8)
        let iconvBytes = try runBytes("iconv", ["-f", "UTF-8", "-t", "CP437", url.path])
        #expect(CP437.encode(french) == iconvBytes)
        // Letters CP437 lacks lose their accent rather than becoming "?".
        #expect(CP437.encode("ÀÈÔ") == Data("AEO".utf8))
    }

    func runBytes(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}

@Suite struct BaseISOTests {
    @Test func readsTheLiveSystemAndChecksIt() throws {
        let dir = try TemporaryDirectory()
        let iso = try TestISO.make(in: dir)
        let base = try BaseISO.read(BaseSource(iso: iso), into: dir.path("work"))
        #expect(base.files.map(\.path) == [".disk/info", "live/filesystem.squashfs", "live/initrd.img", "live/vmlinuz"])
        #expect(base.kernel == "live/vmlinuz")
        #expect(base.initrd == "live/initrd.img")
        #expect(base.kernelParameters == ["boot=live", "components", "quiet", "splash"])
        #expect(base.checksumList == "sha256sum.txt")
        #expect(base.verifiedFiles == 4)
        #expect(try String(contentsOf: dir.path("work/live/vmlinuz"), encoding: .utf8) == "kernel")
    }

    @Test func aTamperedMemberIsRefused() throws {
        let dir = try TemporaryDirectory()
        let iso = try TestISO.make(in: dir, tamper: "live/initrd.img")
        let error = #expect(throws: BaseISOError.self) {
            try BaseISO.read(BaseSource(iso: iso), into: dir.path("work"))
        }
        let message = error?.message ?? ""
        #expect(message.contains("live/initrd.img") && message.contains("sha256sum.txt") && message.contains("retéléchargez"), "\(message)")
    }

    @Test func theWholeISOIsCheckedAgainstTheKit() throws {
        let dir = try TemporaryDirectory()
        let iso = try TestISO.make(in: dir)
        #expect(throws: BaseISOError.self) {
            try BaseISO.read(BaseSource(iso: iso, sha256: String(repeating: "0", count: 64)), into: dir.path("work"))
        }
        let right = try FileHashing.sha256(fileAt: iso).sha256
        _ = try BaseISO.read(BaseSource(iso: iso, sha256: right), into: dir.path("work2"))
    }

    @Test func anISOWithoutLiveSystemIsRefused() throws {
        let dir = try TemporaryDirectory()
        let iso = try TestISO.make(in: dir, squashfs: false)
        #expect(throws: BaseISOError.self) { try BaseISO.read(BaseSource(iso: iso), into: dir.path("work")) }
    }

    @Test func parametersFromIsolinuxOrDefault() {
        #expect(
            BaseISO.kernelParameters(fromConfigs: ["label live\n  append initrd=/live/initrd.img boot=live components splash quiet"], kernel: "live/vmlinuz")
                == ["boot=live", "components", "splash", "quiet"])
        #expect(BaseISO.kernelParameters(fromConfigs: [], kernel: "live/vmlinuz") == ["boot=live", "components"])
    }
}

@Suite struct BootBuildTests {
    func build(_ kit: URL, to out: URL, base: URL?, progress: RecordingProgress = RecordingProgress()) throws -> KitBuilder.Report {
        var options = KitBuilder.Options(kitRoot: kit, output: out)
        options.displayPrefix = ""
        options.environment = [:]
        options.base = base.map { BaseSource(iso: $0) }
        return try KitBuilder(options: options, progress: progress).build()
    }

    @Test func withoutBaseTheKeyIsACatalogueAndSaysSo() throws {
        let dir = try TemporaryDirectory()
        let progress = RecordingProgress()
        let report = try build(try TestKit.make(in: dir), to: dir.path("out"), base: nil, progress: progress)
        #expect(!report.bootable)
        let warning = try #require(progress.warnings.first)
        #expect(warning.contains("ne démarrera pas") && warning.contains("will not boot") && warning.contains("--base-iso"))
        #expect(warning.firstRange(of: "ne démarrera pas")!.lowerBound < warning.firstRange(of: "will not boot")!.lowerBound)
        let files = try TestKit.allFiles(in: dir.path("out"))
        #expect(!files.contains { $0.hasPrefix("EFI/") || $0.hasPrefix("boot/") || $0.hasPrefix("live/") || $0 == "sha256sum.txt" })
    }

    @Test func withBaseTheKeyCarriesBootFiles() throws {
        let dir = try TemporaryDirectory()
        let iso = try TestISO.make(in: dir)
        let out = dir.path("out")
        let progress = RecordingProgress()
        let report = try build(try TestKit.make(in: dir), to: out, base: iso, progress: progress)
        #expect(report.bootable)
        #expect(progress.warnings.isEmpty)
        let files = try TestKit.allFiles(in: out)
        for expected in [
            "EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi", "boot/grub/grub.cfg", "syslinux/syslinux.cfg",
            "syslinux/menu.c32", "syslinux/libutil.c32", "live/vmlinuz", "live/initrd.img", "live/filesystem.squashfs", ".disk/info",
            "live/config-hooks/demokit", "demokit/live/demokit-session", "sha256sum.txt",
        ] {
            #expect(files.contains(expected), "missing \(expected)")
        }
        #expect(!files.contains("boot/grub/x86_64-efi/grub.cfg"))
        #expect(
            try Data(contentsOf: out.appendingPathComponent("EFI/BOOT/BOOTX64.EFI"))
                == Data(contentsOf: URL(fileURLWithPath: "/usr/lib/shim/shimx64.efi.signed")))
        let grub = try String(contentsOf: out.appendingPathComponent("boot/grub/grub.cfg"), encoding: .utf8)
        #expect(grub.contains("linux /live/vmlinuz boot=live components quiet splash hooks=medium demokit.profile=alpha\n"))
        // sha256sum.txt, as the verify entry's session runs it: every file but itself and the manifest.
        let check = try run("sha256sum", ["--check", "--strict", "--quiet", "sha256sum.txt"], cwd: out)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let listed = try String(contentsOf: out.appendingPathComponent("sha256sum.txt"), encoding: .utf8)
        #expect(listed.contains("  ./live/vmlinuz\n") && listed.contains("  ./demokit/catalogue.sqlite\n"))
        #expect(try report.manifest.files.contains { $0.path == "sha256sum.txt" && $0.role == .boot })
    }

    @Test func theChecksumListIsSortedByPathAsSha256sumReadsIt() {
        let records = [
            FileRecord(path: "live/vmlinuz", size: 1, sha256: String(repeating: "b", count: 64)),
            FileRecord(path: "apps/Élève/é.txt", size: 2, sha256: String(repeating: "c", count: 64)),
            FileRecord(path: "index.html", size: 3, sha256: String(repeating: "a", count: 64)),
        ]
        let expected = ["apps/Élève/é.txt": "c", "index.html": "a", "live/vmlinuz": "b"].sorted { $0.key < $1.key }
            .map { String(repeating: $0.value, count: 64) + "  ./" + $0.key + "\n" }.joined()
        #expect(BootFiles.checksumList(records) == Data(expected.utf8))
        #expect(BootFiles.checksumList([]).isEmpty)
    }

    @Test func missingISOIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: BaseISOError.self) {
            try build(try TestKit.make(in: dir), to: dir.path("out"), base: dir.path("nope.iso"))
        }
        #expect(error?.message.contains("introuvable") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
    }

    @Test func kitSettingsNameTheBase() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let iso = try TestISO.make(in: dir)
        try FileManager.default.moveItem(at: iso, to: kit.appendingPathComponent("base.iso"))
        let sha = try FileHashing.sha256(fileAt: kit.appendingPathComponent("base.iso")).sha256
        let settings = kit.appendingPathComponent("profiles/kit.yml")
        try (String(contentsOf: settings, encoding: .utf8) + "base:\n  path: base.iso\n  sha256: \(sha)\n").write(
            to: settings, atomically: true, encoding: .utf8)
        let report = try build(kit, to: dir.path("out"), base: nil)
        #expect(report.bootable)

        try (String(contentsOf: settings, encoding: .utf8).replacingOccurrences(of: sha, with: "zz")).write(to: settings, atomically: true, encoding: .utf8)
        let result = KitLoader(root: kit, displayPrefix: "").load()
        #expect(result.diagnostics.contains { $0.file == "profiles/kit.yml" && $0.message.contains("sha256") })
    }
}

@Suite struct LiveSessionTests {
    @Test func sessionOpensTheProfilePageAndPutsLaunchers() throws {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        let medium = dir.path("medium"), apps = dir.path("applications"), desktop = dir.path("Bureau")
        for folder in ["demokit/profiles", "catalogue/profils"] {
            try fm.createDirectory(at: medium.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try fm.createDirectory(at: apps, withIntermediateDirectories: true)
        let list = ProfileAppList(
            profile: "alpha", name: LocalizedText(fr: "Mairie"),
            apps: [
                .init(id: "writer", name: "Writer", live: ["libreoffice-writer"], desktop: "libreoffice-writer", online: nil),
                .init(id: "web", name: "Web", live: [], desktop: nil, online: "https://example.org/"),
                .init(id: "absent", name: "Absent", live: ["absent"], desktop: "absent-app", online: nil),
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(list).write(to: medium.appendingPathComponent("demokit/profiles/alpha.json"))
        try "<html>alpha</html>".write(to: medium.appendingPathComponent("catalogue/profils/alpha.html"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: medium.appendingPathComponent("catalogue/presenter"), withIntermediateDirectories: true)
        try "<html>talk</html>".write(to: medium.appendingPathComponent("catalogue/presenter/alpha.html"), atomically: true, encoding: .utf8)
        try "[Desktop Entry]\nName=Writer\n".write(to: apps.appendingPathComponent("libreoffice-writer.desktop"), atomically: true, encoding: .utf8)
        let opened = dir.path("opened.txt")
        let opener = dir.path("opener.sh")
        try "#!/bin/sh\necho \"$1\" > \(opened.path)\n".write(to: opener, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: opener.path)
        let script = dir.path("demokit-session")
        try LiveSession.sessionScript.write(to: script, atomically: true, encoding: .utf8)

        func session(cmdline: String) throws -> ProcessResult {
            let cmdlineFile = dir.path("cmdline")
            try (cmdline + "\n").write(to: cmdlineFile, atomically: true, encoding: .utf8)
            return try run(
                "sh", [script.path],
                environment: [
                    "DEMOKIT_CMDLINE": cmdlineFile.path, "DEMOKIT_MEDIUM": medium.path, "DEMOKIT_APPLICATIONS": apps.path,
                    "DEMOKIT_DESKTOP": desktop.path, "DEMOKIT_OPEN": opener.path,
                ])
        }

        // No profile on the command line: nothing happens.
        #expect(try session(cmdline: "BOOT_IMAGE=/live/vmlinuz boot=live components").status == 0)
        #expect(!fm.fileExists(atPath: desktop.path))

        let result = try session(cmdline: "BOOT_IMAGE=/live/vmlinuz boot=live components hooks=medium demokit.profile=alpha quiet")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try TestKit.allFiles(in: desktop) == ["demokit-catalogue.desktop", "demokit-presenter.desktop", "libreoffice-writer.desktop"])
        // « Présenter » opens the profile's talk.
        let talk = try String(contentsOf: desktop.appendingPathComponent("demokit-presenter.desktop"), encoding: .utf8)
        #expect(talk.contains("Name[fr]=Présenter"))
        #expect(talk.contains("Exec=\(opener.path) file://\(medium.path)/catalogue/presenter/alpha.html"))
        // The « Catalogue » launcher opens the page again.
        let back = try String(contentsOf: desktop.appendingPathComponent("demokit-catalogue.desktop"), encoding: .utf8)
        #expect(back.contains("Name=Catalogue"))
        #expect(back.contains("Exec="))
        // The page opens in the background.
        for _ in 0..<50 where !fm.fileExists(atPath: opened.path) { Thread.sleep(forTimeInterval: 0.1) }
        let url = try String(contentsOf: opened, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url == "file://\(medium.path)/catalogue/profils/alpha.html")
    }

    /// « Vérifier l'intégrité de la clé »: the session reads the key's files against
    /// sha256sum.txt and opens a page naming the damaged ones, markup escaped.
    @Test func verifyEntryNamesDamagedFiles() throws {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        let medium = dir.path("medium")
        try fm.createDirectory(at: medium.appendingPathComponent("catalogue"), withIntermediateDirectories: true)
        let files = ["catalogue/index.html": "<html>page</html>", "catalogue/a<b>.html": "odd name", "live/layer.squashfs": "layer"]
        for (path, text) in files {
            try fm.createDirectory(at: medium.appendingPathComponent(path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: medium.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        let records = try files.keys.sorted().map { path in
            FileRecord(path: path, size: 0, sha256: FileHashing.sha256(of: try Data(contentsOf: medium.appendingPathComponent(path))), role: .site)
        }
        try BootFiles.checksumList(records).write(to: medium.appendingPathComponent("sha256sum.txt"))
        let script = dir.path("demokit-session"), opened = dir.path("opened.txt"), opener = dir.path("opener.sh")
        try LiveSession.sessionScript.write(to: script, atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho \"$1\" >> \(opened.path)\n".write(to: opener, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: opener.path)
        let report = dir.path("report.html")
        func verify() throws -> String {
            let cmdline = dir.path("cmdline")
            try "boot=live hooks=medium demokit.verify demokit.profile=alpha\n".write(to: cmdline, atomically: true, encoding: .utf8)
            let result = try run(
                "sh", [script.path],
                environment: [
                    "DEMOKIT_CMDLINE": cmdline.path, "DEMOKIT_MEDIUM": medium.path, "DEMOKIT_OPEN": opener.path,
                    "DEMOKIT_REPORT": report.path, "DEMOKIT_DESKTOP": dir.path("Desktop").path,
                ])
            #expect(result.status == 0, "\(result.stderr)")
            return try String(contentsOf: report, encoding: .utf8)
        }
        let intact = try verify()
        #expect(intact.contains("La clé est intacte") && intact.contains("Ses 3 fichiers"))
        #expect(!intact.contains("http-equiv=\"refresh\""))
        // One byte changed, one file gone.
        try "<html>pagE</html>".write(to: medium.appendingPathComponent("catalogue/index.html"), atomically: true, encoding: .utf8)
        try fm.removeItem(at: medium.appendingPathComponent("catalogue/a<b>.html"))
        let damaged = try verify()
        #expect(damaged.contains("La clé est endommagée") && damaged.contains("2 fichier(s) sur 3"))
        #expect(damaged.contains("<li><code>catalogue/index.html</code></li>"))
        #expect(damaged.contains("<li><code>catalogue/a&lt;b&gt;.html</code></li>"))
        #expect(!damaged.contains("layer.squashfs"))
        #expect(damaged.contains("The key is damaged"))
        // The page opened is the report, not the catalogue; no launcher is put on the desktop.
        let urls = try String(contentsOf: opened, encoding: .utf8).split(separator: "\n")
        #expect(urls.allSatisfy { $0 == "file://\(report.path)" } && urls.count == 2)
        #expect(!fm.fileExists(atPath: dir.path("Desktop").path))
    }

    /// As live-config's 9990-hooks runs it: a copy in a temporary file, made executable.
    @Test func configHookInstallsTheSessionFromTheKey() throws {
        let dir = try TemporaryDirectory()
        let medium = dir.path("medium"), root = dir.path("root")
        for file in LiveSession.plannedFiles() {
            guard case let .bytes(data) = file.content else { continue }
            let url = medium.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let hook = dir.path("live-config.XXXX")
        try FileManager.default.copyItem(at: medium.appendingPathComponent(LiveSession.hookPath), to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let result = try run(hook.path, [], environment: ["DEMOKIT_MEDIUM": medium.path, "DEMOKIT_ROOT": root.path])
        #expect(result.status == 0, "\(result.stderr)")
        let session = root.appendingPathComponent("usr/local/bin/demokit-session")
        #expect(FileManager.default.isExecutableFile(atPath: session.path))
        #expect(try String(contentsOf: session, encoding: .utf8) == LiveSession.sessionScript)
        let autostart = try String(contentsOf: root.appendingPathComponent("etc/xdg/autostart/demokit-session.desktop"), encoding: .utf8)
        #expect(autostart.contains("Exec=/usr/local/bin/demokit-session"))
    }

    @Test func exportLiveBuild() throws {
        let dir = try TemporaryDirectory()
        let kit = try KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").loadValid().kit
        let out = dir.path("lb")
        let written = try LiveBuildExport.export(kit, to: out)
        #expect(written.contains(LiveBuildExport.packageList))
        let list = try String(contentsOf: out.appendingPathComponent(LiveBuildExport.packageList), encoding: .utf8)
        #expect(list.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["office-calc", "office-writer"])
        let auto = try String(contentsOf: out.appendingPathComponent("auto/config"), encoding: .utf8)
        #expect(auto.contains("lb config noauto") && auto.contains("--binary-image iso-hybrid"))
        #expect(auto.contains("--bootloaders grub-efi,syslinux"))
        let session = out.appendingPathComponent(LiveBuildExport.sessionPath)
        #expect(FileManager.default.isExecutableFile(atPath: session.path))
        #expect(FileManager.default.isExecutableFile(atPath: out.appendingPathComponent("auto/config").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(LiveBuildExport.autostartPath).path))
    }
}
