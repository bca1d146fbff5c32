import Crypto
import Foundation

/// A SHA-256 of a value's content that is the same in every run: dictionaries and
/// sets in sorted order, every stored property of a struct (through `Mirror`, so a
/// field added later is hashed without anyone remembering to). Swift's `Hasher` is
/// seeded per process and cannot name a build's pages from one run to the next.
struct StableDigest {
    private var hasher = SHA256()

    init() {}

    mutating func feed(_ text: String) {
        var length = UInt64(text.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
        var text = text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    mutating func feed(any value: Any) {
        switch value {
        // The kinds page contexts are made of come first: 40,000 pages are hashed.
        case let text as String: feed("s" + text)
        case let flag as Bool: feed(flag ? "t" : "f")
        case let number as Int: feed("i\(number)")
        case let number as Int64: feed("i\(number)")
        case let number as Double: feed("d\(number)")
        case let dictionary as [String: Any]:
            feed("{\(dictionary.count)")
            for key in dictionary.keys.sorted() {
                feed(key)
                feed(any: dictionary[key]!)
            }
        case let array as [Any]:
            feed("[\(array.count)")
            for item in array { feed(any: item) }
        case let url as URL: feed("u" + url.absoluteString)
        case let date as Date: feed("D\(date.timeIntervalSince1970)")
        default: feedReflecting(value)
        }
    }

    private mutating func feedReflecting(_ value: Any) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let some = mirror.children.first { feed(any: some.value) } else { feed("nil") }
        case .dictionary, .set:
            // Sorted by each element's own digest: iteration order changes from run to run.
            let elements = mirror.children.map { child -> String in
                var element = StableDigest()
                element.feed(any: child.value)
                return element.hex()
            }
            feed("\(mirror.displayStyle == .set ? "S" : "M")\(elements.count)")
            for element in elements.sorted() { feed(element) }
        case .collection, .tuple:
            feed("[\(mirror.children.count)")
            for child in mirror.children { feed(any: child.value) }
        case .struct, .class, .enum:
            // The type and, for an enum, its case (a case without values has no children).
            feed("\(type(of: value))")
            if mirror.displayStyle == .enum { feed(mirror.children.first?.label ?? String(describing: value)) }
            feed("(\(mirror.children.count)")
            for child in mirror.children {
                feed(child.label ?? "")
                feed(any: child.value)
            }
        default:
            feed("?\(type(of: value))\(String(describing: value))")
        }
    }

    func hex() -> String { FileHashing.hex(hasher.finalize()) }

    static func of(_ value: Any, prefix: [String] = []) -> String {
        var digest = StableDigest()
        for text in prefix { digest.feed(text) }
        digest.feed(any: value)
        return digest.hex()
    }
}
