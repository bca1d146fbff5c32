import ArgumentParser
import DemoKit
import Foundation

/// `demokit base …`: the live system the key boots.
struct Base: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Système live de la clé. / The key's live system.",
        subcommands: [BuildBase.self, ExportLiveBuild.self, BaseLayers.self])
}

/// `demokit base build`: the kit's live system from Debian packages, into the content store.
struct BuildBase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract:
            "Construit le système live du kit à partir des paquets Debian (base: {debian: …}). / Builds the kit's live system from Debian packages."
    )

    @OptionGroup var kit: KitOption
    @OptionGroup var cache: CacheOption

    @Option(name: .long, help: "Miroir Debian (défaut : les sources apt de la machine). / Debian mirror (default: the machine's apt sources).")
    var mirror: String?

    @Flag(name: .long, help: "Reconstruire même si le cache le contient. / Build again even when the cache holds it.")
    var rebuild = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let progress = output.reporter()
        do {
            let loaded = try KitLoader(root: kit.url, displayPrefix: kit.displayPrefix).loadValid().kit
            guard let plan = try LiveBasePlan.make(kit: loaded, mirror: mirror) else {
                throw ValidationError(
                    bilingual(
                        "le kit ne décrit pas de système Debian : ajoutez « base: {debian: bookworm} » à profiles/kit.yml",
                        "the kit describes no Debian system: add \"base: {debian: bookworm}\" to profiles/kit.yml"))
            }
            let base = try LiveBaseBuilder(plan: plan, kit: loaded, store: ContentStore(root: cache.url), progress: progress)
                .build(force: rebuild)
            guard !output.quiet else { return }
            print(LiveBaseSummary.lines(base.record).joined(separator: "\n"))
            print(bilingual("Dans le cache : \(base.folder.path)", "In the cache: \(base.folder.path)"))
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }
}

/// Run by mmdebstrap's customize hook: splits the new system into layers.
struct BaseLayers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers", abstract: "(interne / internal) couches du système live / live system layers", shouldDisplay: false)

    @Argument var root: String
    @Argument var work: String
    @Option(name: .customLong("layer-store")) var layerStore: String

    func run() throws {
        do {
            try LiveBaseLayers.make(
                root: URL(fileURLWithPath: root), work: URL(fileURLWithPath: work), layerStore: URL(fileURLWithPath: layerStore)
            ) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        } catch {
            throw fail(error)
        }
    }
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
