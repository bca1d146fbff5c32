import Crypto
import Foundation

/// Writes a disk image to USB keys and reads each back to check it. Refuses, unless
/// forced, a device that is mounted, not removable or smaller than the image: a typo
/// in a device name must not wipe a computer's disk.
public struct KeyWriter {
    struct Target: Sendable, Equatable {
        var path: String
        /// A regular file stands in for a device (tests, images to copy later).
        var isRegularFile: Bool
    }

    var image: URL
    var force: Bool
    var progress: any ProgressReporter
    /// Folders read for checks; tests point them elsewhere.
    var procMounts = "/proc/mounts"
    var sysBlock = "/sys/block"

    public init(image: URL, force: Bool = false, progress: any ProgressReporter = SilentProgress()) {
        self.image = image
        self.force = force
        self.progress = progress
    }

    /// Problems that stop a write to `device` (empty: go ahead). Notes go to progress.
    func check(_ device: String, imageSize: Int64) -> [String] {
        let fm = FileManager.default
        guard let attributes = try? fm.attributesOfItem(atPath: device) else {
            guard !device.hasPrefix("/dev/") else { return [bilingual("introuvable", "not found")] }
            progress.info(bilingual("note : \(device) sera créé (fichier ordinaire)", "note: \(device) will be created (regular file)"))
            return []
        }
        if attributes[.type] as? FileAttributeType == .typeRegular {
            // A non-empty file stands for a key of its size; an empty one grows.
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            if size > 0 && size < imageSize {
                return [
                    bilingual(
                        "trop petit : \(formatBytes(size)) pour une image de \(formatBytes(imageSize))",
                        "too small: \(formatBytes(size, english: true)) for an image of \(formatBytes(imageSize, english: true))")
                ]
            }
            progress.info(
                bilingual(
                    "note : \(device) est un fichier ordinaire, pas une clé ; l'image y est copiée",
                    "note: \(device) is a regular file, not a key; the image is copied into it"))
            return []
        }
        let resolved =
            (try? fm.destinationOfSymbolicLink(atPath: device)).map {
                $0.hasPrefix("/") ? $0 : ((device as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
            } ?? device
        return deviceProblems(device, resolved: resolved, imageSize: imageSize)
    }

    /// Checks of a block device: mounted (it or a partition), removable, large enough.
    func deviceProblems(_ device: String, resolved: String, imageSize: Int64) -> [String] {
        var problems: [String] = []
        let name = (resolved as NSString).lastPathComponent
        let mounts = (try? String(contentsOfFile: procMounts, encoding: .utf8)) ?? ""
        let mounted = mounts.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0 == resolved || $0 == device || ($0.hasPrefix(resolved) && $0.count > resolved.count) }
        if !mounted.isEmpty {
            problems.append(
                bilingual(
                    "monté (\(mounted.joined(separator: ", "))) : démontez-le d'abord", "mounted (\(mounted.joined(separator: ", "))): unmount it first"))
        }
        let removable = (try? String(contentsOfFile: "\(sysBlock)/\(name)/removable", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if removable != "1" {
            problems.append(
                bilingual(
                    "n'est pas un périphérique amovible (\(sysBlock)/\(name)/removable) : est-ce bien la clé ?",
                    "is not a removable device (\(sysBlock)/\(name)/removable): is it really the key?"))
        }
        if let sectors = (try? String(contentsOfFile: "\(sysBlock)/\(name)/size", encoding: .utf8))
            .flatMap({ Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }), sectors * 512 < imageSize
        {
            problems.append(
                bilingual(
                    "trop petit : \(formatBytes(sectors * 512)) pour une image de \(formatBytes(imageSize))",
                    "too small: \(formatBytes(sectors * 512, english: true)) for an image of \(formatBytes(imageSize, english: true))"))
        }
        return problems
    }

    /// Checks every target first, then writes and verifies them one after the other.
    /// Returns the image's SHA-256.
    @discardableResult
    public func write(to devices: [String]) throws -> String {
        let imageSize = try FileHashing.sha256(fileAt: image)
        var refusals: [String] = []
        for device in devices {
            let problems = check(device, imageSize: imageSize.size)
            refusals += problems.map { "  \(device): \($0)" }
        }
        if !refusals.isEmpty && !force {
            throw KeyWriteError(
                lines: refusals,
                hint: bilingual(
                    "vérifiez le nom du périphérique (lsblk) ; --force passe outre ces vérifications",
                    "check the device name (lsblk); --force skips these checks"))
        }
        for device in devices {
            progress.stage(bilingual("écriture sur \(device)", "writing to \(device)"))
            try copy(to: device, size: imageSize.size)
            progress.stage(bilingual("relecture de \(device)", "reading back \(device)"))
            let readBack = try hashPrefix(of: device, length: imageSize.size)
            guard readBack == imageSize.sha256 else {
                throw KeyWriteError(
                    lines: ["  \(device): " + bilingual("la relecture diffère de l'image (\(readBack))", "reading back differs from the image (\(readBack))")],
                    hint: bilingual("la clé est peut-être défectueuse : essayez-en une autre", "the key may be faulty: try another one"))
            }
            progress.info(bilingual("\(device) : écrit et vérifié (SHA-256 \(readBack))", "\(device): written and verified (SHA-256 \(readBack))"))
        }
        return imageSize.sha256
    }

    private func copy(to device: String, size: Int64) throws {
        guard let input = FileHandle(forReadingAtPath: image.path) else {
            throw FileError(path: image.path, reason: bilingual("lecture impossible", "cannot read"))
        }
        defer { try? input.close() }
        // O_SYNC-free but fsync'd at the end; no truncation so a device stays a device.
        let fd = open(device, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw FileHashing.posixError(URL(fileURLWithPath: device), "ouverture / open") }
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var done: Int64 = 0
        while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
            done += Int64(chunk.count)
            progress.advance(files: 0, bytes: done, totalFiles: nil, totalBytes: size)
        }
        try output.synchronize()
        try output.close()
    }

    /// SHA-256 of the first `length` bytes (a key is larger than its image).
    func hashPrefix(of path: String, length: Int64) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileError(path: path, reason: bilingual("relecture impossible", "cannot read back"))
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var remaining = length
        while remaining > 0, let chunk = try handle.read(upToCount: Int(min(remaining, 4 << 20))), !chunk.isEmpty {
            hasher.update(data: chunk)
            remaining -= Int64(chunk.count)
        }
        guard remaining == 0 else {
            throw FileError(path: path, reason: bilingual("plus court que l'image", "shorter than the image"))
        }
        return FileHashing.hex(hasher.finalize())
    }
}

struct KeyWriteError: UserFacingError {
    var lines: [String]
    var hint: String
    var message: String {
        bilingual("écriture refusée ou échouée", "write refused or failed") + ":\n" + lines.joined(separator: "\n") + "\n  " + hint
    }
}
