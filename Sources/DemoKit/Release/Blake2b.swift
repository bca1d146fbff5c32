import CSodium
import Foundation

/// BLAKE2b through libsodium's `crypto_generichash`: minisign's prehashed (`ED`)
/// signatures sign the BLAKE2b-512 of the file, which swift-crypto does not offer.
enum Blake2b {
    /// Hashes `data` in one call; manifests and trust files are small and capped.
    static func hash(_ data: Data, length: Int = 64) throws -> Data {
        guard sodium_init() >= 0 else { throw SignatureError.library("sodium_init") }
        guard length >= crypto_generichash_bytes_min(), length <= crypto_generichash_bytes_max() else {
            throw SignatureError.library("crypto_generichash: length \(length)")
        }
        var output = Data(count: length)
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            data.withUnsafeBytes { input -> Int32 in
                guard let target = out.bindMemory(to: UInt8.self).baseAddress else { return -1 }
                // An empty message may have no address; libsodium accepts NULL with length 0.
                return crypto_generichash(target, length, input.bindMemory(to: UInt8.self).baseAddress, UInt64(input.count), nil, 0)
            }
        }
        guard status == 0 else { throw SignatureError.library("crypto_generichash") }
        return output
    }
}
