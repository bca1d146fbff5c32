import ArgumentParser
import DemoKit

extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }

    /// Reads a `--size` value, or says in both languages what a size looks like: used as
    /// the options' `transform`, since a failed `init?(argument:)` carries no message.
    static func argument(_ text: String) throws -> ByteSize {
        guard let size = ByteSize(text) else {
            throw ValidationError(
                bilingual(
                    "taille illisible « \(text) » (ex. 8 Go, 8G, 7,5 Go, 7.5GiB, 512 Mo, 64MiB)",
                    "unreadable size \"\(text)\" (e.g. 8 GB, 8G, 7.5GiB, 512M, 64MiB)"))
        }
        return size
    }
}
