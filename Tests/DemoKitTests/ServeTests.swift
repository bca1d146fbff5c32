import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DemoKit
@testable import DemoKitCLI

/// `demokit serve` on a free loopback port: pages, the search API, and no way out
/// of the key's folder. Each request is bounded; the server stops when the test ends.
@Suite struct ServeTests {
    @Test func servesPagesAndTheSearchAPI() async throws {
        let dir = try TemporaryDirectory()
        var options = KitBuilder.Options(kitRoot: try TestKit.make(in: dir), output: dir.path("out"))
        options.environment = [:]
        _ = try KitBuilder(options: options).build()
        let app = try SiteServer.application(tree: dir.path("out"), port: 0)
        try await app.test(.live) { client in
            let home = try await client.execute(uri: "/", method: .get)
            #expect(home.status == .ok)
            #expect(String(buffer: home.body).contains("catalogue/index.html"))
            let page = try await client.execute(uri: "/catalogue/logiciels/office.html", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: page.body).contains("<h1>Suite Bureau</h1>"))
            let script = try await client.execute(uri: "/catalogue/search-index.js", method: .get)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")

            let api = try await client.execute(uri: "/api/search?q=%C3%A9l%C3%A8ves", method: .get)
            #expect(api.status == .ok)
            struct Answer: Decodable {
                struct Result: Decodable { var id: String }
                var count: Int
                var results: [Result]
            }
            let answer = try JSONDecoder().decode(Answer.self, from: Data(String(buffer: api.body).utf8))
            #expect(answer.results.first?.id == "office")
            let filtered = try await client.execute(uri: "/api/search?q=&profil=beta", method: .get)
            let beta = try JSONDecoder().decode(Answer.self, from: Data(String(buffer: filtered.body).utf8))
            #expect(beta.results.map(\.id).sorted() == ["office", "paint"])

            for attack in ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/catalogue/..%2f..%2f..%2fetc%2fpasswd", "/nope.html"] {
                let response = try await client.execute(uri: attack, method: .get)
                #expect(response.status == .notFound, "\(attack)")
                #expect(!String(buffer: response.body).contains("root:"))
            }
        }
    }
}
