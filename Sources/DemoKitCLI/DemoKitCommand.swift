import ArgumentParser
import DemoKit
import Foundation

/// `demokit`: builds offline, bootable USB demo keys of free software for town halls.
public struct DemoKitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demokit",
        abstract: "Construit des clés USB de démonstration de logiciels libres pour les mairies. / Builds USB demo keys of free software for town halls.",
        version: DemoKitVersion.current,
        subcommands: [Validate.self, Build.self, Serve.self]
    )

    public init() {}
}

/// Options every command shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "N'affiche que les erreurs. / Only print errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Affiche le détail de chaque étape. / Print details of every step.")
    var verbose = false

    func reporter() -> any ProgressReporter {
        ConsoleProgress(level: quiet ? .quiet : (verbose ? .verbose : .normal), live: isatty(STDERR_FILENO) != 0)
    }
}

struct KitOption: ParsableArguments {
    @Option(name: .long, help: "Dossier du kit (profiles/ et payload/). / Kit folder. (défaut/default: .)")
    var kit: String = "."

    var url: URL { URL(fileURLWithPath: kit) }

    /// How diagnostics name files: relative to the kit as typed.
    var displayPrefix: String {
        kit == "." || kit == "./" ? "" : (kit.hasSuffix("/") ? kit : kit + "/")
    }
}

/// Prints a library error the way a volunteer can act on it, then exits non-zero.
func fail(_ error: Error) -> ExitCode {
    switch error {
    case let invalid as KitValidationError:
        for diagnostic in invalid.diagnostics { printError(diagnostic.description) }
        printError(invalid.message)
    case let userFacing as UserFacingError:
        printError("demokit: \(bilingual("erreur", "error")): \(userFacing.message)")
    default:
        printError("demokit: \(bilingual("erreur", "error")): \(error)")
    }
    return ExitCode.failure
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
