// publiccode.yml files as found in the wild, then the imported entry written as YAML
// must read back as a catalogue entry without a YAML error.
import Foundation

@testable import DemoKit

let kitCategories: Set<String> = ["bureautique", "messagerie", "collaboration", "utilitaires", "graphisme", "securite"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let reader = ManifestReader(file: "publiccode.yml")
    guard let node = reader.parse(data: data) else { return 0 }
    guard let entry = PublicCodeImporter.readEntry(node, file: "publiccode.yml", kitCategories: kitCategories).entry else { return 0 }
    let text = entry.yaml(id: CatalogueImporter.slug(entry.name), source: ImportSource(name: PublicCodeImporter.sourceName))
    let back = ManifestReader(file: "imported.yml")
    guard let parsed = back.parse(text), let fields = back.mapping(parsed, what: "imported.yml") else {
        fatalError("imported entry is not readable YAML: \(back.diagnostics)\n\(text)")
    }
    _ = CatalogueEntry.read(fields, source: .curated, imported: true)
    return 0
}
