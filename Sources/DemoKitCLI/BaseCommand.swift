import ArgumentParser
import DemoKit
import Foundation

/// `demokit base …`: the live system the key boots.
struct Base: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Système de base (ISO Debian Live) de la clé. / The key's base system (Debian Live ISO).",
        subcommands: [ExportLiveBuild.self])
}

struct ExportLiveBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-live-build",
        abstract:
            "Écrit une configuration live-build pour une ISO de base adaptée au kit. / Writes a live-build configuration for a base ISO tailored to the kit."
    )

    @Argument(help: "Dossier de la configuration (lancez-y « lb config && lb build »). / Configuration folder.")
    var directory: String

    @OptionGroup var kit: KitOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let loaded: Kit
        do {
            loaded = try KitLoader(root: kit.url, displayPrefix: kit.displayPrefix).loadValid().kit
            let written = try LiveBuildExport.export(loaded, to: URL(fileURLWithPath: directory))
            guard !output.quiet else { return }
            for path in written { print("  \(directory)/\(path)") }
            print(
                bilingual(
                    "\(LiveBuildExport.packages(loaded).count) paquets. Construire l'ISO (root, miroir Debian) : cd \(directory) && lb config && sudo lb build",
                    "\(LiveBuildExport.packages(loaded).count) packages. Build the ISO (root, Debian mirror): cd \(directory) && lb config && sudo lb build"))
        } catch {
            throw fail(error)
        }
    }
}
