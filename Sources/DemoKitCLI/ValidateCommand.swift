import ArgumentParser
import DemoKit
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vérifie les profils et le catalogue, et signale tous les problèmes. / Checks profiles and catalogue, reporting every problem.")

    @OptionGroup var kit: KitOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = KitLoader(root: kit.url, displayPrefix: kit.displayPrefix).load()
        for diagnostic in result.diagnostics { printError(diagnostic.description) }
        guard let loaded = result.kit else {
            let count = result.diagnostics.filter { $0.severity == .error }.count
            printError(bilingual("\(count) erreur(s) : le kit n'est pas valide.", "\(count) error(s): the kit is not valid."))
            throw ExitCode.failure
        }
        if !output.quiet {
            print(
                bilingual(
                    "Kit valide : \(loaded.profiles.count) profils, \(loaded.catalogue.count) logiciels, \(loaded.categories.count) catégories.",
                    "Valid kit: \(loaded.profiles.count) profiles, \(loaded.catalogue.count) software, \(loaded.categories.count) categories."))
        }
    }
}
