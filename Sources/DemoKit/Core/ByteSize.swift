import Foundation

/// A size as people write it, for keys and images alike. Decimal units are the ones
/// keys are sold in: `8G`, `8GB`, `8 Go` are 8 000 000 000 bytes. Binary units:
/// `8GiB`, `8 Gio` are 8 × 2³⁰. A decimal point or comma (`7.5GiB`, `7,5 Go`), a space
/// before the unit, any case; a plain number is bytes.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var bytes: Int64

    init(bytes: Int64) {
        self.bytes = bytes
    }

    /// Nil for anything but a positive number followed by a known unit.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { ($0.isASCII && $0.isNumber) || $0 == "." || $0 == "," }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard let number = Double(digits.replacingOccurrences(of: ",", with: ".")), number > 0,
            let multiplier = Self.multipliers[unit]
        else { return nil }
        let value = number * multiplier
        // Int64(_:) traps beyond its range: such a size is unreadable, not a crash.
        guard value < Double(Int64.max) else { return nil }
        bytes = Int64(value)
    }

    /// Units in lower case; French `o` (octet) and English `B` (byte) alike.
    static let multipliers: [String: Double] = [
        "": 1, "b": 1, "o": 1,
        "k": 1e3, "kb": 1e3, "ko": 1e3,
        "m": 1e6, "mb": 1e6, "mo": 1e6,
        "g": 1e9, "gb": 1e9, "go": 1e9,
        "t": 1e12, "tb": 1e12, "to": 1e12,
        "kib": 0x1p10, "kio": 0x1p10,
        "mib": 0x1p20, "mio": 0x1p20,
        "gib": 0x1p30, "gio": 0x1p30,
        "tib": 0x1p40, "tio": 0x1p40,
    ]

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    public var description: String { formatBytes(bytes) }
}
