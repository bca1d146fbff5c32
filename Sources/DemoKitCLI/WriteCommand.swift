import ArgumentParser
import DemoKit
import Foundation

struct Write: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Écrit une image disque sur une ou plusieurs clés et la relit pour la vérifier. / Writes a disk image to one or more keys and reads it back to check it."
    )

    @Argument(help: "Image disque (demokit build --image). / Disk image.")
    var image: String

    @Argument(help: "Clés, ex. /dev/sdb (un fichier ordinaire est accepté). / Keys, e.g. /dev/sdb (a regular file is accepted).")
    var devices: [String]

    @Flag(name: .long, help: "Écrire même sur un disque monté, non amovible ou trop petit. / Write even to a mounted, fixed or too small disk.")
    var force = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if devices.isEmpty {
            throw ValidationError(bilingual("indiquez au moins une clé", "name at least one key"))
        }
    }

    func run() throws {
        do {
            let hash = try KeyWriter(image: URL(fileURLWithPath: image), force: force, progress: output.reporter()).write(to: devices)
            if !output.quiet {
                print(
                    bilingual(
                        "\(devices.count) clé(s) écrite(s) et vérifiée(s) (SHA-256 \(hash)).",
                        "\(devices.count) key(s) written and verified (SHA-256 \(hash))."))
            }
        } catch {
            throw fail(error)
        }
    }
}
