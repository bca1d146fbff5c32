import Crypto
import Foundation

/// The live system taken out of a base ISO (a Debian Live ISO or one shaped like it):
/// kernel, initrd, squashfs layers and `.disk/` files, extracted to a work folder and
/// checked against the ISO's own checksum list.
struct BaseSystem: Sendable {
    /// Path on the key → extracted file.
    var files: [(path: String, url: URL)]
    /// Kernel and initrd paths on the key, e.g. `live/vmlinuz`, `live/initrd.img`.
    var kernel: String
    var initrd: String
    /// The base's own kernel parameters (from its grub.cfg or isolinux config).
    var kernelParameters: [String]
    /// Which list the files were checked against (`sha256sum.txt`, `md5sum.txt`), if any.
    var checksumList: String?
    var verifiedFiles: Int
    /// Each profile has its `live/<id>.module` (a base demokit built): its entry
    /// mounts only that profile's layers (live-boot's `module=`).
    var profileModules = false

    /// Total bytes of the live system on the key.
    var size: Int64 {
        files.reduce(Int64(0)) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.url.path)[.size] as? NSNumber)?.int64Value ?? 0) }
    }

    func plannedFiles() -> [PlannedFile] {
        files.map { PlannedFile(path: $0.path, content: .owned($0.url), role: .boot) }
    }
}

/// Where the base ISO comes from: `--base-iso` or `base:` in profiles/kit.yml.
public struct BaseSource: Sendable {
    var iso: URL
    /// Expected SHA-256 of the whole ISO (kit.yml `base.sha256`).
    var sha256: String?

    public init(iso: URL, sha256: String? = nil) {
        self.iso = iso
        self.sha256 = sha256
    }
}

/// A base ISO that cannot be used, with what to do about it.
struct BaseISOError: UserFacingError {
    var iso: String
    var problem: BilingualMessage
    var message: String { "\(iso): " + problem.text }
}

enum BaseISO {
    /// Kernel parameters when the base says nothing (live-boot's own minimum).
    static let defaultParameters = ["boot=live", "components"]

    /// Whether a path of the ISO is part of the live system the key needs.
    static func isWanted(_ path: String) -> Bool {
        if path.hasPrefix(".disk/") { return !path.dropFirst(6).contains("/") }
        guard path.hasPrefix("live/"), !path.dropFirst(5).contains("/") else { return false }
        let name = String(path.dropFirst(5))
        return name.hasPrefix("vmlinuz") || name.hasPrefix("initrd") || name.hasSuffix(".squashfs")
            || name.hasSuffix(".module") || name == "filesystem.size"
    }

    /// Boot configurations whose kernel lines give the base's parameters.
    static func isBootConfig(_ path: String) -> Bool {
        (path.hasPrefix("boot/grub/") && path.hasSuffix(".cfg")) || (path.hasPrefix("isolinux/") && path.hasSuffix(".cfg"))
    }

    /// Reads `source.iso` with libarchive (no mount, no root) and extracts the live
    /// system into `workDir`. Throws when a file differs from the ISO's checksum list.
    static func read(
        _ source: BaseSource, into workDir: URL, progress: any ProgressReporter = SilentProgress(), memo: FileMemo = FileMemo(),
        extracted: FileMemo = FileMemo()
    ) throws -> BaseSystem {
        let iso = source.iso
        guard FileManager.default.fileExists(atPath: iso.path) else {
            throw BaseISOError(
                iso: iso.path,
                problem: BilingualMessage(
                    "ISO de base introuvable : vérifiez le chemin (--base-iso ou base: dans profiles/kit.yml)",
                    "base ISO not found: check the path (--base-iso or base: in profiles/kit.yml)"))
        }
        if let expected = source.sha256?.lowercased() {
            let actual = try memo.sha256(of: iso).sha256
            guard actual == expected else {
                throw BaseISOError(
                    iso: iso.path,
                    problem: BilingualMessage(
                        "SHA-256 \(actual) au lieu de \(expected) (kit.yml) : fichier abîmé ou autre version ; retéléchargez-le ou corrigez base.sha256",
                        "SHA-256 \(actual) instead of \(expected) (kit.yml): damaged file or another version; download it again or fix base.sha256"))
            }
        }
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
        let reader = try ArchiveReader(path: iso.path)
        var files: [(path: String, url: URL)] = []
        var lists: [String: String] = [:]
        var configs: [(path: String, text: String)] = []
        while let entry = try reader.next() {
            guard entry.type == .file, entry.isSafeRelativePath else {
                try reader.skipData()
                continue
            }
            if entry.path == "sha256sum.txt" || entry.path == "md5sum.txt" {
                lists[entry.path] = String(decoding: try reader.data(limit: 16 << 20), as: UTF8.self)
            } else if isBootConfig(entry.path) {
                configs.append((entry.path, String(decoding: try reader.data(limit: 1 << 20), as: UTF8.self)))
            } else if isWanted(entry.path) {
                progress.detail("\(entry.path) (\(formatBytes(max(entry.size, 0))))")
                let target = workDir.appendingPathComponent(entry.path)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try reader.writeData(to: target, limit: FAT32Rules.maxFileSize + 1)
                files.append((entry.path, target))
            } else {
                try reader.skipData()
            }
        }
        try reader.close()
        files.sort { $0.path < $1.path }

        let kernels = files.map(\.path).filter { $0.hasPrefix("live/vmlinuz") }
        let initrds = files.map(\.path).filter { $0.hasPrefix("live/initrd") }
        guard let kernel = kernels.first, let initrd = initrds.first, files.contains(where: { $0.path.hasSuffix(".squashfs") }) else {
            throw BaseISOError(
                iso: iso.path,
                problem: BilingualMessage(
                    "ce n'est pas une ISO Debian Live : il faut live/vmlinuz*, live/initrd* et live/*.squashfs",
                    "this is not a Debian Live ISO: it needs live/vmlinuz*, live/initrd* and live/*.squashfs"))
        }

        // sha256 first: the stronger list wins when both are there.
        var checked = 0
        var listName: String?
        for name in ["sha256sum.txt", "md5sum.txt"] {
            guard let text = lists[name] else { continue }
            listName = name
            let expected = parseChecksumList(text)
            for file in files {
                guard let want = expected[file.path] else { continue }
                let got: String
                if name == "sha256sum.txt" {
                    let hashed = try FileHashing.sha256(fileAt: file.url)
                    got = hashed.sha256
                    // Extracted by this build: the tree writer need not read it again.
                    if got == want.lowercased() { extracted.remember(file.url, sha256: got, size: hashed.size) }
                } else {
                    got = try md5(fileAt: file.url)
                }
                guard got == want.lowercased() else {
                    throw BaseISOError(
                        iso: iso.path,
                        problem: BilingualMessage(
                            "\(file.path) ne correspond pas à \(name) de l'ISO (\(got) au lieu de \(want)) : ISO abîmée ou modifiée, retéléchargez-la",
                            "\(file.path) does not match the ISO's \(name) (\(got) instead of \(want)): damaged or altered ISO, download it again"))
                }
                checked += 1
            }
            break
        }
        return BaseSystem(
            files: files, kernel: kernel, initrd: initrd,
            kernelParameters: kernelParameters(fromConfigs: configs.sorted { $0.path < $1.path }.map(\.text), kernel: kernel),
            checksumList: listName, verifiedFiles: checked)
    }

    /// `<hash>  ./path` lines (md5sum/sha256sum output, as live-build writes them).
    static func parseChecksumList(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            var path = parts[1].trimmingCharacters(in: .whitespaces)
            if path.hasPrefix("*") { path.removeFirst() }
            while path.hasPrefix("./") { path.removeFirst(2) }
            result[path] = String(parts[0])
        }
        return result
    }

    /// Parameters we set ourselves or that only make sense on the ISO.
    static func isOwnParameter(_ word: String) -> Bool {
        let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        return word.contains("$") || word.hasPrefix("initrd=") || word.hasPrefix("demokit.")
            || ["toram", "verify-checksums", "hooks", "findiso", "BOOT_IMAGE", "---", "--"].contains(name)
    }

    /// The first kernel line of the base's boot menus (GRUB `linux`, isolinux `append`)
    /// that boots the live system, without the options demokit sets per entry.
    static func kernelParameters(fromConfigs configs: [String], kernel: String) -> [String] {
        for text in configs {
            for rawLine in text.split(whereSeparator: \.isNewline) {
                let words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let first = words.first?.lowercased() else { continue }
                var parameters: ArraySlice<String>
                if first == "linux" || first == "linuxefi", words.count > 1 {
                    parameters = words.dropFirst(2)
                } else if first == "append" {
                    parameters = words.dropFirst()
                } else {
                    continue
                }
                guard parameters.contains("boot=live") else { continue }
                parameters = parameters.filter { !isOwnParameter($0) }[...]
                return Array(parameters)
            }
        }
        return defaultParameters
    }

    static func md5(fileAt url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileHashing.posixError(url, "lecture / read")
        }
        defer { try? handle.close() }
        var hasher = Insecure.MD5()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return FileHashing.hex(hasher.finalize())
    }
}
