import Foundation

/// The catalogue's search index as a classic script (`catalogue/search-index.js`)
/// that assigns `window.DEMOKIT_SEARCH`: pages opened from `file://` cannot fetch
/// files, but they can load a script.
///
/// It reproduces the database's ranking (`CatalogueSearch`): the same folded columns
/// (`SearchFields`), and for each term and entry the weighted frequency
/// Σ weight(column) × occurrences, which is what FTS5's bm25 adds up, so the page
/// can compute the same score with the entry lengths and the entry count.
///
/// Layout, compact because a key holds thousands of entries:
/// - `terms`: the sorted distinct terms, separated by spaces (prefix search is a
///   binary search and a scan);
/// - `postings`: per term, entries as (entry delta × 2 + flag) then, when the flag
///   is set, weighted frequency × 8 + column mask (else frequency 1, mask 0), each
///   number a variable-length base-32 word (`Varint`); separated by spaces. The mask
///   says which of name (1), replaced products (2), keywords (4) hold the term: the
///   page ranks in the database's tiers with it;
/// - `stop`: the little words queries drop (`CatalogueSearch.stopWords`);
/// - `lengths`: each entry's token count, same encoding;
/// - `standing`: each entry's standing (`CatalogueSearch.standing`), same encoding:
///   inside a tier, higher first, before the bm25 score;
/// - `docs`: what a result shows and what filters test, as arrays.
struct SearchIndex: Sendable {
    /// Same order as `CatalogueSearch.weights`: name, replaces, keywords, description.
    static let weights = [10, 6, 3, 1]
    /// Descriptions in results are cut at build time: the index stays small.
    static let summaryLength = 160

    var terms: [String]
    var postings: [String]
    var lengths: String
    var standings: String
    var docs: [[String]]

    init(kit: Kit) {
        self.init(kit: kit, texts: EntryTexts.of(kit))
    }

    /// `texts`: each entry's, in catalogue order (`EntryTexts.of`).
    init(kit: Kit, texts: [EntryTexts]) {
        var table: [String: [(doc: Int, frequency: Int, mask: Int)]] = [:]
        var lengths = ""
        var standings = ""
        var docs: [[String]] = []
        for (number, entry) in kit.catalogue.enumerated() {
            let fields = texts[number].fields
            var frequencies: [String: Int] = [:]
            var masks: [String: Int] = [:]
            var length = 0
            for (column, text) in [fields.name, fields.replaces, fields.keywords, fields.description].enumerated() {
                for token in TextFolding.tokens(text) {
                    frequencies[token, default: 0] += Self.weights[column]
                    if column < 3 { masks[token, default: 0] |= 1 << column }
                    length += 1
                }
            }
            for (term, frequency) in frequencies {
                table[term, default: []].append((number, frequency, masks[term] ?? 0))
            }
            lengths += Varint.encode(length)
            standings += Varint.encode(CatalogueSearch.standing(entry, in: kit))
            docs.append(Self.display(entry, texts[number], kit: kit))
        }
        terms = table.keys.sorted()
        postings = terms.map { term in
            var previous = 0
            var text = ""
            for posting in table[term, default: []] {
                let delta = posting.doc - previous
                previous = posting.doc
                if posting.frequency == 1 && posting.mask == 0 {
                    text += Varint.encode(delta * 2)
                } else {
                    text += Varint.encode(delta * 2 + 1) + Varint.encode(posting.frequency * 8 + posting.mask)
                }
            }
            return text
        }
        self.lengths = lengths
        self.standings = standings
        self.docs = docs
    }

    /// `[id, name, summary fr, summary en (or ""), licence, replaces, categories,
    /// platforms, profiles]`; lists are space-separated ids.
    static func display(_ entry: CatalogueEntry, _ texts: EntryTexts, kit: Kit) -> [String] {
        let id = entry.id.value
        return [
            id, entry.name, texts.summaryFR, texts.summaryEN, entry.licence.value,
            entry.replaces.joined(separator: ", "), entry.categories.map(\.value).joined(separator: " "),
            entry.platforms.joined(separator: " "),
            kit.profiles.filter { $0.apps.contains { $0.value == id } }.map(\.id.value).joined(separator: " "),
        ]
    }

    static func summary(_ text: String) -> String {
        // Below U+0300 (no combining marks) a character is one scalar (or CR LF, which
        // is whitespace either way): the same summary, by scalars and UTF-8 bytes, far
        // faster than by `Character`.
        guard text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) else { return slowSummary(text) }
        var flat: [UInt8] = []
        flat.reserveCapacity(text.utf8.count)
        var scalars = 0
        var cut: Int?
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            // White_Space below U+0300.
            case 0x09...0x0D, 0x20, 0x85, 0xA0:
                pendingSpace = !flat.isEmpty
            default:
                if pendingSpace {
                    if scalars == summaryLength { cut = flat.count }
                    flat.append(0x20)
                    scalars += 1
                    pendingSpace = false
                }
                if scalars == summaryLength { cut = flat.count }
                UTF8.encode(scalar) { flat.append($0) }
                scalars += 1
            }
        }
        guard let cut else { return String(decoding: flat, as: UTF8.self) }
        let end = flat[..<cut].lastIndex(of: 0x20) ?? cut
        return String(decoding: flat[..<end], as: UTF8.self) + "…"
    }

    /// The definition: words split on whitespace characters, joined by one space, cut
    /// at a word boundary.
    static func slowSummary(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard flat.count > summaryLength else { return flat }
        let cut = flat.prefix(summaryLength)
        let word = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return String(word) + "…"
    }

    /// Bytes of the index proper (terms, postings, lengths), without display data.
    var indexBytes: Int {
        terms.reduce(0) { $0 + $1.utf8.count + 1 } + postings.reduce(0) { $0 + $1.utf8.count + 1 } + lengths.utf8.count
            + standings.utf8.count
    }

    /// The script, with every string escaped for a JavaScript literal.
    var script: String {
        var out = "/* demokit: index de recherche / search index. Généré, ne pas modifier. */\n"
        out += "window.DEMOKIT_SEARCH={v:3,n:\(docs.count),\n"
        out += "terms:" + JavaScript.string(terms.joined(separator: " ")) + ",\n"
        out += "postings:" + JavaScript.string(postings.joined(separator: " ")) + ",\n"
        out += "lengths:" + JavaScript.string(lengths) + ",\n"
        out += "standing:" + JavaScript.string(standings) + ",\n"
        out += "stop:" + JavaScript.string(CatalogueSearch.stopWords.sorted().joined(separator: " ")) + ",\n"
        out += "docs:[\n"
        out += docs.map { "[" + $0.map(JavaScript.string).joined(separator: ",") + "]" }.joined(separator: ",\n")
        out += "]};\n"
        return out
    }
}

/// Numbers as variable-length words of base-32 digits, most significant first:
/// `0-9a-v` continue, `w-zA-Z_-` (32 characters) end a number. No separator is
/// needed and none of the characters needs escaping in a script.
enum Varint {
    static let more = Array("0123456789abcdefghijklmnopqrstuv")
    static let last = Array("wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")

    static func encode(_ value: Int) -> String {
        var digits = [value & 31]
        var rest = value >> 5
        while rest > 0 {
            digits.append(rest & 31)
            rest >>= 5
        }
        var text = ""
        for (position, digit) in digits.reversed().enumerated() {
            text.append(position == digits.count - 1 ? last[digit] : more[digit])
        }
        return text
    }

    static func decode(_ text: String) -> [Int] {
        var values: [Int] = []
        var current = 0
        for character in text {
            if let digit = more.firstIndex(of: character) {
                current = current * 32 + digit
            } else if let digit = last.firstIndex(of: character) {
                values.append(current * 32 + digit)
                current = 0
            }
        }
        return values
    }
}

/// Text from imported data placed inside a script.
enum JavaScript {
    /// A double-quoted literal that is safe inside `<script>` too: `<`, `>` and `&`
    /// are escaped (no `</script>`), and so are U+2028 and U+2029, which end a
    /// line in older JavaScript engines.
    static func string(_ text: String) -> String {
        // On UTF-8 bytes: every character escaped is ASCII but U+2028 and U+2029
        // (E2 80 A8 and E2 80 A9), and no other scalar holds those bytes.
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8 + 2)
        func escape(_ value: UInt32) {
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
            for shift in [12, 8, 4, 0] { out.append(hex[Int((value >> UInt32(shift)) & 0xF)]) }
        }
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), 0x7F, 0x00..<0x20: escape(UInt32(byte))
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                escape(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029)
                index += 2
            default: out.append(byte)
            }
            index += 1
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
