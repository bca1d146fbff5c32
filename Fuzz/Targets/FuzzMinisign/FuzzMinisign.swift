// minisign files: a public key (demokit.pub), a secret key (demokit.key) and a
// signature file holding one or more signatures.
import Foundation

@testable import DemoKit

let message = Data("demokit".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let publicKey = try? MinisignPublicKey(text: text)
    if let secret = try? MinisignSecretKey(text: text) {
        _ = try? secret.fileText()
        _ = try? secret.sign(message, trustedComment: "fuzz")
    }
    if let signatures = try? MinisignSignature.parseAll(text) {
        for signature in signatures {
            _ = signature.text
            if let publicKey { _ = try? signature.verify(message, with: publicKey) }
        }
    }
    return 0
}
