/// A SHA-256 held as its 32 bytes rather than as its 64-character hex text.
///
/// The build cache keeps about 90,000 of them in memory through a rebuild of a
/// 10,000-entry key (the output's memo, the pages' keys and hashes); a `String` of 64
/// characters is a heap block of 112 bytes each, which put a rebuild's peak memory
/// above 200 MiB (issue 8). Only lowercase hex is taken, as demokit writes it: any
/// other text is not a digest here, and what would hold it is not remembered.
public struct HexDigest: Hashable, Sendable {
    private var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    public init?(_ text: String) {
        var text = text
        guard let digest = text.withUTF8({ Self(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = digest
    }

    /// From the 64 bytes of its lowercase hex text.
    init?(utf8 bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for word in 0..<4 {
            var value: UInt64 = 0
            for index in word * 16..<word * 16 + 16 {
                let byte = bytes[index]
                let nibble: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
                default: return nil
                }
                value = value << 4 | UInt64(nibble)
            }
            switch word {
            case 0: words.0 = value
            case 1: words.1 = value
            case 2: words.2 = value
            default: words.3 = value
            }
        }
        (a, b, c, d) = words
    }

    /// Its lowercase hex text, as it was read.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            for number in 0..<4 {
                let word = number == 0 ? a : number == 1 ? b : number == 2 ? c : d
                for nibble in 0..<16 {
                    buffer[number * 16 + nibble] = table[Int(word >> (60 - 4 * UInt64(nibble)) & 0xF)]
                }
            }
            return 64
        }
    }
}
