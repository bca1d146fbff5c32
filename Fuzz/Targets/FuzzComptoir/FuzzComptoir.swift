// The Comptoir du Libre's export, matched against the repository's own kit (read once,
// from the folder scripts/fuzz runs in), then every completed entry written as YAML
// must read back as a catalogue entry without a YAML error.
import Foundation

@testable import DemoKit

let kit = ComptoirImporter.KitView.read(kitRoot: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    precondition(!kit.entries.isEmpty, "run from the repository's root: its payload/catalogue is the kit matched against")
    let data = Data(bytes: start, count: count)
    guard let batch = try? ComptoirImporter.read(data: data, file: "comptoir.json", date: "2026-01-01", kit: kit) else {
        return 0
    }
    for entry in batch.entries {
        let text = entry.yaml(id: entry.fixedID ?? CatalogueImporter.slug(entry.name), source: batch.source)
        let back = ManifestReader(file: "imported.yml")
        guard let parsed = back.parse(text), let fields = back.mapping(parsed, what: "imported.yml") else {
            fatalError("imported entry is not readable YAML: \(back.diagnostics)\n\(text)")
        }
        _ = CatalogueEntry.read(fields, source: .curated, imported: true)
    }
    return 0
}
