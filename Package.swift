// swift-tools-version:6.1
import PackageDescription

// Linux only (Debian 12): glibc's allocator, Linux system calls, Debian's tools for the live system.

let package = Package(
    name: "demokit",
    products: [
        .executable(name: "demokit", targets: ["demokit"]),
        .library(name: "DemoKit", targets: ["DemoKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // `demokit serve`: the built key over HTTP on loopback.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Every child process (mmdebstrap, apt, mtools, 7-Zip…) runs through it.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // libarchive (Debian: libarchive-dev) for tar/zip archives and reading ISO 9660 images.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // glibc calls Swift's Glibc module leaves out (malloc.h), kept out of the libarchive module.
        .target(name: "CLinux"),
        // libsodium (Debian: libsodium-dev) for BLAKE2b-512, which minisign's "ED" signatures hash with.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "DemoKit",
            dependencies: [
                "CArchive",
                "CSodium",
                "CLinux",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "DemoKitCLI",
            dependencies: [
                "DemoKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(name: "demokit", dependencies: ["DemoKitCLI"]),
        .testTarget(
            name: "DemoKitTests",
            dependencies: ["DemoKit", "DemoKitCLI"],
            exclude: ["Golden"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
