// The kit's YAML manifests: kit.yml, a profile, a catalogue entry (curated and
// imported), the categories list and an application file. Each input goes through
// every reader, as the kit loader would read it in that role.
import Foundation

@testable import DemoKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let reader = ManifestReader(file: "fuzz.yml")
    guard let node = reader.parse(data: data) else { return 0 }
    if case let .sequence(items) = node {
        _ = items.compactMap { reader.mapping($0, what: "categories.yml").flatMap(Category.read) }
        return 0
    }
    guard let fields = reader.mapping(node, what: "fuzz.yml") else { return 0 }
    _ = KitSettings.read(fields)
    for read in [
        { _ = Profile.read($0) }, { _ = CatalogueEntry.read($0, source: .curated) },
        { _ = CatalogueEntry.read($0, source: .curated, imported: true) }, { _ = AppDelivery.read($0) },
    ] as [(MappingReader) -> Void] {
        if let fields = ManifestReader(file: "fuzz.yml").mapping(node, what: "fuzz.yml") { read(fields) }
    }
    return 0
}
