import Crypto
import Foundation

/// A SHA-256 of an `Encodable` value's content, the same in every run: what the value
/// encodes, keys sorted in every keyed container (a dictionary's order changes from
/// run to run), each piece fed with a tag and its length so that two different values
/// never feed the same bytes.
///
/// Written by hand because the only encoder at hand, Foundation's `JSONEncoder`, makes
/// a whole JSON document to be hashed and thrown away, for every entry of a catalogue
/// at every rebuild (their digests name their pages). This one builds the value's
/// tree and hashes it, nothing else.
enum ContentDigest {
    static func of<T: Encodable>(_ value: T) throws -> String {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        var hasher = SHA256()
        root.feed(into: &hasher)
        return FileHashing.hex(hasher.finalize())
    }

    /// One value of the tree: a scalar (tag and bytes), a keyed or an unkeyed container.
    final class Node {
        enum Kind: UInt8 { case empty = 0x65, scalar = 0x73, keyed = 0x7B, unkeyed = 0x5B }
        var kind = Kind.empty
        var scalar: [UInt8] = []
        var keyed: [(key: String, node: Node)] = []
        var items: [Node] = []

        func set(_ tag: Character, _ text: String) {
            kind = .scalar
            scalar = [tag.asciiValue ?? 0x3F] + Array(text.utf8)
        }

        func feed(into hasher: inout SHA256) {
            switch kind {
            case .empty: Self.feed([kind.rawValue], into: &hasher)
            case .scalar: Self.feed(scalar, into: &hasher)
            case .keyed:
                Self.feed([kind.rawValue] + Self.count(keyed.count), into: &hasher)
                for (key, node) in keyed.sorted(by: { $0.key < $1.key }) {
                    Self.feed(Array(key.utf8), into: &hasher)
                    node.feed(into: &hasher)
                }
            case .unkeyed:
                Self.feed([kind.rawValue] + Self.count(items.count), into: &hasher)
                for node in items { node.feed(into: &hasher) }
            }
        }

        static func count(_ count: Int) -> [UInt8] { Array(String(count).utf8) }

        /// Its length, then the bytes.
        static func feed(_ bytes: [UInt8], into hasher: inout SHA256) {
            var length = UInt64(bytes.count).littleEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
    }

    struct NodeEncoder: Encoder {
        let node: Node
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if node.kind != .keyed { node.kind = .keyed }
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if node.kind != .unkeyed { node.kind = .unkeyed }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    /// The scalars, which every container encodes the same way. Every standard
    /// scalar must be here: their `encode(to:)` comes back to the container.
    static func scalar(_ node: Node, _ value: Any) -> Bool {
        switch value {
        case let value as String: node.set("s", value)
        case let value as Bool: node.set("b", value ? "1" : "0")
        case let value as Int: node.set("i", String(value))
        case let value as any BinaryInteger: node.set("i", String(describing: value))
        case let value as Double: node.set("d", String(value.bitPattern))
        case let value as Float: node.set("d", String(Double(value).bitPattern))
        default: return false
        }
        return true
    }

    static func encode<T: Encodable>(_ value: T, into node: Node, _ codingPath: [any CodingKey]) throws {
        if scalar(node, value) { return }
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey]

        func child(_ key: Key) -> Node {
            let child = Node()
            node.keyed.append((key.stringValue, child))
            return child
        }

        mutating func encodeNil(forKey key: Key) throws { child(key).set("n", "") }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try ContentDigest.encode(value, into: child(key), codingPath + [key])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            NodeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            let child = Node()
            node.keyed.append(("super", child))
            return NodeEncoder(node: child, codingPath: codingPath)
        }
        mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: child(key), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        var count: Int { node.items.count }

        func next() -> Node {
            let child = Node()
            node.items.append(child)
            return child
        }

        mutating func encodeNil() throws { next().set("n", "") }
        mutating func encode<T: Encodable>(_ value: T) throws { try ContentDigest.encode(value, into: next(), codingPath) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: next(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { NodeEncoder(node: next(), codingPath: codingPath).unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { NodeEncoder(node: next(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.set("n", "") }
        mutating func encode<T: Encodable>(_ value: T) throws { try ContentDigest.encode(value, into: node, codingPath) }
    }
}
