import Foundation

/// A raw disk image of a key: MBR (fixed disk id) with one bootable FAT32 partition
/// from 1 MiB to the end, the tree copied with mtools, syslinux for BIOS. No root, no
/// loop device, no mount; same tree + same size + same date = same bytes.
struct DiskImage {
    static let partitionStart: Int64 = 2048  // sectors of 512 bytes
    static let diskID = "0x44454d4f"  // "DEMO"
    static let volumeSerial = "44454D4F"
    static let volumeLabel = "DEMOKEY"
    static let mbrCode = "/usr/lib/syslinux/mbr/mbr.bin"
    /// FAT32 needs 65525 clusters at least.
    static let minimumSize: Int64 = 40 << 20

    var tree: URL
    var mtime: Date
    var progress: any ProgressReporter
    var environment: [String: String]

    init(tree: URL, mtime: Date, progress: any ProgressReporter = SilentProgress(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.tree = tree
        self.mtime = mtime
        self.progress = progress
        self.environment = environment
    }

    struct Listing {
        var directories: [String]
        var files: [(path: String, size: Int64)]
    }

    /// Every folder and file of the tree, sorted; links and special files refused.
    func list() throws -> Listing {
        let fm = FileManager.default
        var directories: [String] = []
        var files: [(String, Int64)] = []
        guard let enumerator = fm.enumerator(atPath: tree.path) else {
            throw FileError(path: tree.path, reason: bilingual("dossier illisible", "cannot read folder"))
        }
        for case let path as String in enumerator {
            let attributes = try fm.attributesOfItem(atPath: tree.appendingPathComponent(path).path)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?: directories.append(path)
            case .typeRegular?: files.append((path, (attributes[.size] as? NSNumber)?.int64Value ?? 0))
            default:
                throw FileError(
                    path: tree.appendingPathComponent(path).path,
                    reason: bilingual(
                        "lien ou fichier spécial : FAT32 ne peut pas le contenir", "link or special file: FAT32 cannot hold it"))
            }
        }
        return Listing(directories: directories.sorted(), files: files.sorted { $0.0 < $1.0 })
    }

    /// Sectors per cluster chosen for a partition (passed to mformat, so the estimate
    /// below is the layout mformat really writes).
    static func sectorsPerCluster(partitionBytes: Int64) -> Int64 {
        partitionBytes < 512 << 20 ? 1 : 8
    }

    /// Bytes a tree takes on a FAT32 partition of `size` bytes (clusters, directory
    /// entries with long names, two FATs, reserved sectors), and what the partition offers.
    static func estimate(_ listing: Listing, imageSize: Int64) -> (needed: Int64, available: Int64) {
        let partition = imageSize - partitionStart * 512
        let cluster = sectorsPerCluster(partitionBytes: partition) * 512
        let clusters = partition / cluster
        let fatBytes = 2 * ((clusters + 2) * 4 + 511) / 512 * 512
        let available = partition - 32 * 512 - fatBytes
        func roundUp(_ n: Int64) -> Int64 { max(cluster, (n + cluster - 1) / cluster * cluster) }
        var entries: [String: Int64] = ["": 0]  // directory → bytes of entries
        for dir in listing.directories { entries[dir, default: 0] += 64 }  // "." and ".."
        for name in listing.directories + listing.files.map(\.path) {
            let parent = (name as NSString).deletingLastPathComponent
            let leaf = (name as NSString).lastPathComponent
            entries[parent, default: 0] += 32 * (1 + Int64((leaf.utf16.count + 12) / 13))
        }
        let needed =
            listing.files.reduce(Int64(0)) { $0 + ($1.size == 0 ? 0 : roundUp($1.size)) }
            + entries.values.reduce(Int64(0)) { $0 + roundUp($1) }
        return (needed, available)
    }

    /// The same refusals as `write`, from planned sizes, before the tree is written.
    /// `margin`: bytes of files not planned yet (database, manifests, ldlinux).
    static func precheck(files: [(path: String, size: Int64)], size requested: ByteSize, margin: Int64) throws {
        var directories: Set<String> = []
        for file in files {
            var dir = (file.path as NSString).deletingLastPathComponent
            while !dir.isEmpty, directories.insert(dir).inserted { dir = (dir as NSString).deletingLastPathComponent }
        }
        let listing = Listing(directories: directories.sorted(), files: files.sorted { $0.path < $1.path })
        try check(listing, size: imageBytes(requested), margin: margin)
    }

    static func check(_ listing: Listing, size: Int64, margin: Int64 = 0) throws {
        let tooLarge = listing.files.filter { $0.size > FAT32Rules.maxFileSize }
        if !tooLarge.isEmpty {
            throw TreeCheckError(problems: tooLarge.map { ($0.path, FAT32Rules.Problem.tooLarge(size: $0.size)) })
        }
        guard size >= minimumSize else {
            throw ImageTooSmallError(size: size, needed: minimumSize, minimum: true)
        }
        let (needed, available) = estimate(listing, imageSize: size)
        guard needed + margin <= available else {
            throw ImageTooSmallError(size: size, needed: needed + margin + (size - available), minimum: false)
        }
    }

    /// The bytes of an image asked for as `size`: whole MiB, since partitions and FAT
    /// sizes are counted in sectors.
    static func imageBytes(_ size: ByteSize) -> Int64 { (size.bytes >> 20) << 20 }

    /// The smallest size (MiB multiple, at least 64 MiB) that holds the tree with 5 % room.
    func minimumImageSize() throws -> Int64 {
        let listing = try list()
        var size: Int64 = 64 << 20
        while true {
            let (needed, available) = Self.estimate(listing, imageSize: size)
            if needed + needed / 20 + (1 << 20) <= available { return size }
            size = max(size + (8 << 20), ((needed + needed / 10 + (64 << 20)) >> 20) << 20)
        }
    }

    /// Writes the image to `destination` (through a temporary name, renamed when
    /// complete). `size` nil: the smallest that fits. Refuses, before writing, a tree
    /// that does not fit or that holds a file of 4 GiB or more.
    func write(to destination: URL, size requested: ByteSize?) throws {
        let listing = try list()
        let size = try requested.map(Self.imageBytes) ?? minimumImageSize()
        // ldlinux.sys and ldlinux.c32, written by syslinux after the copy.
        try Self.check(listing, size: size, margin: listing.directories.contains("syslinux") ? 256 << 10 : 0)

        let partial = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        let fm = FileManager.default
        do {
            try? fm.removeItem(at: partial)
            guard fm.createFile(atPath: partial.path, contents: nil) else {
                throw FileError(path: partial.path, reason: bilingual("création impossible", "cannot create"))
            }
            let handle = try FileHandle(forWritingTo: partial)
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()
            try fill(partial, size: size, listing: listing)
            if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
            try fm.moveItem(at: partial, to: destination)
        } catch {
            try? fm.removeItem(at: partial)
            throw error
        }
    }

    private func fill(_ image: URL, size: Int64, listing: Listing) throws {
        var env = environment
        env["LC_ALL"] = "C"
        env["TZ"] = "UTC"
        env["SOURCE_DATE_EPOCH"] = String(Int64(mtime.timeIntervalSince1970))
        env["MTOOLSRC"] = "/dev/null"
        env["MTOOLS_SKIP_CHECK"] = "1"
        let sectors = size / 512
        let partitionSectors = sectors - Self.partitionStart

        progress.stage(bilingual("image disque : table de partitions", "disk image: partition table"))
        let table = "label: dos\nlabel-id: \(Self.diskID)\nunit: sectors\n\nstart=\(Self.partitionStart), size=\(partitionSectors), type=c, bootable\n"
        try Tool.sfdisk.run(["--quiet", "--no-reread", "--no-tell-kernel", image.path], input: Data(table.utf8), environment: env)

        progress.stage(bilingual("image disque : FAT32", "disk image: FAT32"))
        let volume = "\(image.path)@@\(Self.partitionStart * 512)"
        try Tool.mformat.run(
            [
                "-i", volume, "-F", "-T", "\(partitionSectors)", "-H", "\(Self.partitionStart)", "-h", "255", "-s", "63",
                "-c", "\(Self.sectorsPerCluster(partitionBytes: partitionSectors * 512))",
                "-v", Self.volumeLabel, "-N", Self.volumeSerial, "::",
            ], environment: env)

        progress.stage(bilingual("image disque : copie des fichiers", "disk image: copying files"))
        // Parents first (sorted), in batches to keep the number of processes low.
        for batch in stride(from: 0, to: listing.directories.count, by: 64) {
            let dirs = listing.directories[batch..<min(batch + 64, listing.directories.count)]
            try Tool.mmd.run(["-i", volume] + dirs.map { "::/\($0)" }, environment: env)
        }
        let byFolder = Dictionary(grouping: listing.files) { ($0.path as NSString).deletingLastPathComponent }
        let totalBytes = listing.files.reduce(Int64(0)) { $0 + $1.size }
        var doneFiles = 0
        var doneBytes: Int64 = 0
        for folder in byFolder.keys.sorted() {
            let files = byFolder[folder] ?? []
            for batch in stride(from: 0, to: files.count, by: 64) {
                let slice = files[batch..<min(batch + 64, files.count)]
                try Tool.mcopy.run(
                    ["-i", volume, "-D", "o"] + slice.map { tree.appendingPathComponent($0.path).path } + ["::/\(folder.isEmpty ? "" : folder + "/")"],
                    environment: env)
                doneFiles += slice.count
                doneBytes += slice.reduce(Int64(0)) { $0 + $1.size }
                progress.advance(files: doneFiles, bytes: doneBytes, totalFiles: listing.files.count, totalBytes: totalBytes)
            }
        }

        guard listing.directories.contains("syslinux") else { return }
        progress.stage(bilingual("image disque : démarrage BIOS (syslinux)", "disk image: BIOS boot (syslinux)"))
        guard let mbr = FileManager.default.contents(atPath: Self.mbrCode), mbr.count >= 440 else {
            throw ToolError(
                tool: "syslinux", detail: bilingual("\(Self.mbrCode) introuvable", "\(Self.mbrCode) not found"),
                hint: bilingual("installez-le : sudo apt-get install syslinux-common", "install it: sudo apt-get install syslinux-common"))
        }
        let handle = try FileHandle(forUpdating: image)
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: mbr.prefix(440))
        try handle.close()
        // Writes syslinux/ldlinux.sys and ldlinux.c32, matching the boot sector.
        try Tool.syslinux.run(["--offset", "\(Self.partitionStart * 512)", "--directory", "/syslinux", "--install", image.path], environment: env)
    }
}

/// The tree does not fit in the image size asked for.
struct ImageTooSmallError: UserFacingError {
    var size: Int64
    var needed: Int64
    var minimum: Bool
    var message: String {
        if minimum {
            return bilingual(
                "image de \(formatBytes(size)) : FAT32 demande au moins \(formatBytes(needed)) ; augmentez --size",
                "image of \(formatBytes(size, english: true)): FAT32 needs at least \(formatBytes(needed, english: true)); raise --size")
        }
        return bilingual(
            "la clé ne tient pas dans une image de \(formatBytes(size)) : il faut environ \(formatBytes(needed)) ; augmentez --size ou retirez des profils (--profile)",
            "the key does not fit in an image of \(formatBytes(size, english: true)): it needs about \(formatBytes(needed, english: true)); raise --size or keep fewer profiles (--profile)"
        )
    }
}
