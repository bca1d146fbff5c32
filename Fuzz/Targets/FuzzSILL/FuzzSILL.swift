// The SILL's JSON (with its Comptoir du Libre fields), then every imported entry
// written as YAML must read back as a catalogue entry without a YAML error.
import Foundation

@testable import DemoKit

let kitCategories: Set<String> = ["bureautique", "messagerie", "collaboration", "utilitaires", "graphisme", "securite"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let batch = try? SILLImporter.read(data: data, file: "sill.json", date: "2026-01-01", kitCategories: kitCategories) else {
        return 0
    }
    for entry in batch.entries {
        FuzzCheck.readBack(entry.yaml(id: CatalogueImporter.slug(entry.name), source: batch.source))
    }
    return 0
}

enum FuzzCheck {
    /// The importer's YAML must be YAML the kit loader reads.
    static func readBack(_ text: String) {
        let reader = ManifestReader(file: "imported.yml")
        guard let node = reader.parse(text), let fields = reader.mapping(node, what: "imported.yml") else {
            fatalError("imported entry is not readable YAML: \(reader.diagnostics)\n\(text)")
        }
        _ = CatalogueEntry.read(fields, source: .curated, imported: true)
    }
}
