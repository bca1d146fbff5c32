import Foundation
import Testing

@testable import DemoKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `demokit serve` end to end: the built binary on a free loopback port (`--port 0`,
/// the port read from its first line), a few requests each bounded by a timeout,
/// and the server stopped at the end whatever happens.
@Suite struct ServeTests {
    struct Answer: Decodable {
        struct Result: Decodable { var id: String }
        var count: Int
        var results: [Result]
    }

    func get(_ url: String) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test(.timeLimit(.minutes(1))) func servesPagesAndTheSearchAPI() async throws {
        let dir = try TemporaryDirectory()
        var options = KitBuilder.Options(kitRoot: try TestKit.make(in: dir), output: dir.path("out"))
        options.environment = [:]
        _ = try KitBuilder(options: options).build()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: demokitBinary)
        process.arguments = ["serve", dir.path("out").path, "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        // First line: "… http://127.0.0.1:PORT/ …".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        let port = try #require(text.firstMatch(of: /127\.0\.0\.1:(\d+)/)?.1, "no port in \(text)")
        let base = "http://127.0.0.1:\(port)"

        let home = try await get(base + "/")
        #expect(home.status == 200)
        #expect(String(decoding: home.body, as: UTF8.self).contains("catalogue/index.html"))
        let page = try await get(base + "/catalogue/logiciels/office.html")
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("<h1>Suite Bureau</h1>"))

        let api = try await get(base + "/api/search?q=%C3%A9l%C3%A8ves")
        #expect(api.status == 200)
        #expect(try JSONDecoder().decode(Answer.self, from: api.body).results.first?.id == "office")
        let beta = try await get(base + "/api/search?q=&profil=beta")
        #expect(try JSONDecoder().decode(Answer.self, from: beta.body).results.map(\.id).sorted() == ["office", "paint"])

        for attack in ["/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/catalogue/..%2f..%2f..%2fetc%2fpasswd", "/nope.html"] {
            let response = try await get(base + attack)
            #expect(response.status == 404, "\(attack)")
            #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"))
        }
    }
}
