// swift-tools-version:6.1
// libFuzzer targets for demokit's parsers of outside files. A separate package, so the
// normal `swift build` never compiles them; build and run them with `scripts/fuzz`
// (`swift build --sanitize=fuzzer --sanitize=address`, in Fuzz/.build).
import PackageDescription

let targets = ["FuzzManifest", "FuzzSILL", "FuzzPublicCode", "FuzzComptoir", "FuzzUpdateManifest", "FuzzTrustFile", "FuzzMinisign", "FuzzAppInfo"]

let package = Package(
    name: "demokit-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "demokit", path: "..")],
    // Each target is one file, Targets/<Name>/<Name>.swift, whose
    // `LLVMFuzzerTestOneInput` libFuzzer calls (libFuzzer brings `main`).
    targets: targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "DemoKit", package: "demokit")],
            path: "Targets/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
