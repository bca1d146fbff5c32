import Foundation
import Testing

@testable import DemoKit

@Suite struct ImageTests {
    func tree(_ dir: TemporaryDirectory, files: [String: Int]) throws -> URL {
        let root = dir.path("tree")
        for (path, size) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: url)
        }
        return root
    }

    @Test func imageSizesAreWholeMebibytes() {
        #expect(DiskImage.imageBytes(ByteSize(bytes: 64 << 20)) == 64 << 20)
        #expect(DiskImage.imageBytes(ByteSize(bytes: 8_000_000_000)) == 7629 << 20)
    }

    @Test func imagesAreByteIdenticalAndHoldTheTree() throws {
        let dir = try TemporaryDirectory()
        let root = try tree(dir, files: ["index.html": 1000, "catalogue/profils/alpha.html": 5000, "live/vmlinuz": 300_000])
        let date = Date(timeIntervalSince1970: 1_704_067_200)
        try DiskImage(tree: root, mtime: date).write(to: dir.path("one.img"), size: ByteSize("64MiB"))
        try DiskImage(tree: root, mtime: date).write(to: dir.path("two.img"), size: ByteSize("64MiB"))
        let one = try Data(contentsOf: dir.path("one.img"))
        #expect(one.count == 64 << 20)
        #expect(one == (try Data(contentsOf: dir.path("two.img"))))
        // MBR: boot signature, one partition of type 0x0c, bootable, from sector 2048.
        #expect(one[510] == 0x55 && one[511] == 0xAA)
        #expect(one[446] == 0x80 && one[450] == 0x0C)
        // mtools reads the files back.
        let listing = try run("mdir", ["-i", dir.path("one.img").path + "@@1M", "-b", "::/catalogue/profils"], environment: ["MTOOLSRC": "/dev/null"])
        #expect(listing.stdout.contains("alpha.html"), "\(listing.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }

    @Test func aTreeLargerThanTheSizeIsRefusedBeforeWriting() throws {
        let dir = try TemporaryDirectory()
        let root = try tree(dir, files: ["small.txt": 10])
        let big = root.appendingPathComponent("live/filesystem.squashfs")
        try FileManager.default.createDirectory(at: big.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try run("truncate", ["-s", "80M", big.path]).status == 0)
        #expect(throws: ImageTooSmallError.self) {
            try DiskImage(tree: root, mtime: Date()).write(to: dir.path("key.img"), size: ByteSize("64MiB"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("key.img").path))
        #expect(throws: ImageTooSmallError.self) {
            try DiskImage.precheck(files: [("live/filesystem.squashfs", 80 << 20)], size: ByteSize("64MiB")!, margin: 0)
        }
        // The smallest size that fits is found when none is given.
        #expect(try DiskImage(tree: root, mtime: Date()).minimumImageSize() >= 80 << 20)
    }

    @Test func aFileOf4GiBIsRefused() throws {
        let dir = try TemporaryDirectory()
        let root = try tree(dir, files: ["small.txt": 10])
        // Sparse: no disk space used.
        #expect(try run("truncate", ["-s", "4G", root.appendingPathComponent("huge.iso").path]).status == 0)
        let error = #expect(throws: TreeCheckError.self) {
            try DiskImage(tree: root, mtime: Date()).write(to: dir.path("key.img"), size: ByteSize("8G"))
        }
        #expect(error?.message.contains("huge.iso") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.path("key.img").path))
    }

    @Test func buildRefusesAnImageTooSmallBeforeWritingTheKey() throws {
        let dir = try TemporaryDirectory()
        var options = KitBuilder.Options(kitRoot: try TestKit.make(in: dir), output: dir.path("out"))
        options.environment = [:]
        options.image = dir.path("key.img")
        options.imageSize = ByteSize("20MiB")
        #expect(throws: ImageTooSmallError.self) { try KitBuilder(options: options).build() }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
        #expect(!FileManager.default.fileExists(atPath: dir.path("key.img").path))
    }
}

@Suite struct KeyWriterTests {
    func image(_ dir: TemporaryDirectory) throws -> URL {
        let url = dir.path("key.img")
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: url)
        return url
    }

    @Test func writesAndVerifiesFileTargets() throws {
        let dir = try TemporaryDirectory()
        let image = try image(dir)
        // A larger file stands for a larger key: only the image's bytes are compared.
        try Data(repeating: 0xFF, count: 400_000).write(to: dir.path("bigger"))
        let hash = try KeyWriter(image: image).write(to: [dir.path("new").path, dir.path("bigger").path])
        #expect(hash == (try FileHashing.sha256(fileAt: image).sha256))
        #expect(try Data(contentsOf: dir.path("new")) == Data(contentsOf: image))
        #expect(try Data(contentsOf: dir.path("bigger")).prefix(300_000) == Data(contentsOf: image))
    }

    @Test func refusesATooSmallTargetUnlessForced() throws {
        let dir = try TemporaryDirectory()
        let image = try image(dir)
        let small = dir.path("small")
        try Data(repeating: 1, count: 1000).write(to: small)
        let error = #expect(throws: KeyWriteError.self) {
            try KeyWriter(image: image).write(to: [dir.path("fine").path, small.path])
        }
        #expect(error?.message.contains("trop petit") == true)
        // Nothing written: every target is checked first.
        #expect(!FileManager.default.fileExists(atPath: dir.path("fine").path))
        #expect(try Data(contentsOf: small).count == 1000)
        try KeyWriter(image: image, force: true).write(to: [small.path])
        #expect(try Data(contentsOf: small) == Data(contentsOf: image))
    }

    @Test func refusesMountedAndFixedDevices() throws {
        let dir = try TemporaryDirectory()
        let sys = dir.path("sys/block/sdz")
        try FileManager.default.createDirectory(at: sys, withIntermediateDirectories: true)
        try "0\n".write(to: sys.appendingPathComponent("removable"), atomically: true, encoding: .utf8)
        try "100\n".write(to: sys.appendingPathComponent("size"), atomically: true, encoding: .utf8)
        try "/dev/sdz1 /media/key vfat rw 0 0\n".write(to: dir.path("mounts"), atomically: true, encoding: .utf8)
        var writer = KeyWriter(image: try image(dir))
        writer.procMounts = dir.path("mounts").path
        writer.sysBlock = dir.path("sys/block").path
        let problems = writer.deviceProblems("/dev/sdz", resolved: "/dev/sdz", imageSize: 300_000)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.contains("/dev/sdz1") && $0.contains("démontez") })
        #expect(problems.contains { $0.contains("amovible") })
        #expect(problems.contains { $0.contains("trop petit") })
        try "1\n".write(to: sys.appendingPathComponent("removable"), atomically: true, encoding: .utf8)
        try "8000000\n".write(to: sys.appendingPathComponent("size"), atomically: true, encoding: .utf8)
        try "".write(to: dir.path("mounts"), atomically: true, encoding: .utf8)
        #expect(writer.deviceProblems("/dev/sdz", resolved: "/dev/sdz", imageSize: 300_000).isEmpty)
    }
}

@Suite struct BootCLITests {
    @Test func buildAnImageThenWriteIt() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let iso = try TestISO.make(in: dir)
        let image = dir.path("key.img")
        let build = try run(
            demokitBinary,
            [
                "build", "--kit", kit.path, "--out", dir.path("key").path, "--base-iso", iso.path, "--image", image.path, "--size", "64MiB",
                "--kernel-args", "console=ttyS0,115200 panic=-1",
            ])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains("La clé démarre"))
        #expect(!build.stderr.contains("avertissement"))
        #expect(try FileManager.default.attributesOfItem(atPath: image.path)[.size] as? Int64 == 64 << 20)
        let grub = try String(contentsOf: dir.path("key/boot/grub/grub.cfg"), encoding: .utf8)
        #expect(grub.contains("demokit.profile=beta console=ttyS0,115200 panic=-1"))

        let write = try run(demokitBinary, ["write", image.path, dir.path("copy.img").path])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(try Data(contentsOf: dir.path("copy.img")) == Data(contentsOf: image))

        // --size is the key's size: an unreadable one is a usage error, one too small a refusal.
        let unreadable = try run(demokitBinary, ["build", "--kit", kit.path, "--out", dir.path("key").path, "--size", "huit"])
        #expect(unreadable.status == 64)
        let tooSmall = try run(
            demokitBinary, ["build", "--kit", kit.path, "--out", dir.path("small").path, "--base-iso", iso.path, "--size", "1M"])
        #expect(tooSmall.status == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path("small").path))
    }
}
