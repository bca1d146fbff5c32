// A trust file (demokit/trust.json, release folder trust/<n>.json) and its signature file.
import Foundation

@testable import DemoKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let trust = try? TrustFile.decode(data) else { return 0 }
    _ = trust.isExpired(at: Date(timeIntervalSince1970: 1_780_000_000))
    _ = try? trust.requireSignatures(of: data, signatureText: String(decoding: data, as: UTF8.self), what: "trust.json")
    _ = try? trust.accept(next: data, signatureText: nil)
    return 0
}
