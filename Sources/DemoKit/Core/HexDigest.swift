/// A SHA-256 held as its 32 bytes rather than as its 64-character hex text.
///
/// The build cache keeps several of them per file of the key in memory through a
/// rebuild (the output's memo, the pages' keys and hashes); a `String` of 64
/// characters is a heap block of its own, three times the size, and those blocks
/// would be a rebuild's peak memory. Only lowercase hex is taken, as demokit writes it: any
/// other text is not a digest here, and what would hold it is not remembered.
struct HexDigest: Hashable, Sendable {
    private var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init?(_ text: String) {
        var text = text
        guard let digest = text.withUTF8({ Self(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = digest
    }

    /// From the 64 bytes of its lowercase hex text.
    init?(utf8 bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 64, let a = Self.word(bytes, 0), let b = Self.word(bytes, 1), let c = Self.word(bytes, 2),
            let d = Self.word(bytes, 3)
        else { return nil }
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
    }

    /// The `number`th 8 bytes of the digest, from its 16 hex digits.
    private static func word(_ bytes: UnsafeRawBufferPointer, _ number: Int) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes[number * 16..<number * 16 + 16] {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }

    /// Its lowercase hex text, as it was read.
    var hex: String {
        var bytes = (a.bigEndian, b.bigEndian, c.bigEndian, d.bigEndian)
        return withUnsafeBytes(of: &bytes) { FileHashing.hex($0) }
    }
}
