import ArgumentParser
import DemoKit
import Foundation
import Hummingbird

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Sert une clé construite sur http://127.0.0.1 (pages et recherche). / Serves a built key on http://127.0.0.1 (pages and search).")

    @Argument(help: "Arborescence de la clé construite. / The built key's tree. (défaut/default: build/kit)")
    var tree: String = "build/kit"

    @Option(name: .long, help: "Port TCP (0 : un port libre). / TCP port (0: any free port). (défaut/default: 8080)")
    var port: Int = 8080

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError(bilingual("--port : entre 0 et 65535", "--port: between 0 and 65535"))
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: tree)
        let application: any ApplicationProtocol
        do {
            application = try SiteServer.application(tree: root, port: port) { port in
                // Written unbuffered: scripts wait for this line to know the port.
                let line = bilingual(
                    "Catalogue servi sur http://127.0.0.1:\(port)/ (Ctrl+C pour arrêter)",
                    "Catalogue served at http://127.0.0.1:\(port)/ (Ctrl+C to stop)")
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        } catch {
            throw fail(error)
        }
        // The other commands are synchronous, so the root command is too: the server
        // runs in a task and this thread waits until it stops (Ctrl+C, SIGTERM).
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let app = SendableBox(application)
        Task {
            do { try await app.value.runService() } catch { outcome.error = error }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error { throw fail(error) }
    }
}

private final class Outcome: @unchecked Sendable {
    var error: Error?
}

private struct SendableBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
