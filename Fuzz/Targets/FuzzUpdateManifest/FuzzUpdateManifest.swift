// An update manifest as a key reads it from a release: decoded, its paths checked,
// and, when accepted, encoded again to the same bytes it would publish.
import Foundation

@testable import DemoKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let manifest = try? UpdateManifest.decode(data, path: "manifest.json") else { return 0 }
    guard (try? PathRules.check(manifest.files)) != nil else { return 0 }
    _ = manifest.totalSize
    if let encoded = try? manifest.encoded() {
        guard let again = try? UpdateManifest.decode(encoded, path: "manifest.json"), again == manifest else {
            fatalError("an accepted manifest does not survive encoding")
        }
    }
    return 0
}
