import DemoKit
import Foundation
import Hummingbird

/// `demokit serve`: the built key's files over HTTP on loopback, plus
/// `/api/search` answered by the catalogue database (`CatalogueSearch`).
enum SiteServer {
    /// The database is opened read-only; GRDB's queue serialises access.
    final class Search: @unchecked Sendable {
        let search: CatalogueSearch
        init(_ search: CatalogueSearch) { self.search = search }
    }

    struct Answer: Encodable {
        var query: String
        var count: Int
        var results: [CatalogueSearch.Result]
    }

    static func application(
        tree: URL, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let database = Search(try CatalogueSearch(databaseAt: tree.appendingPathComponent("demokit/catalogue.sqlite")))
        let root = tree.standardizedFileURL
        let router = Router()
        router.get("api/search") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            func value(_ name: String) -> String? {
                parameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
            }
            let query = value("q") ?? ""
            let filters = CatalogueSearch.Filters(
                profile: value("profil"), category: value("categorie"), licence: value("licence"), platform: value("plateforme"))
            let results = try database.search.search(query, filters: filters)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(Answer(query: query, count: results.count, results: results))
            return response(.ok, "application/json; charset=utf-8", data)
        }
        let files: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            guard let url = SiteFiles.resolve(request.uri.path, in: root), let data = FileManager.default.contents(atPath: url.path)
            else {
                return response(.notFound, "text/plain; charset=utf-8", Data("404 — introuvable / not found\n".utf8))
            }
            return response(.ok, SiteFiles.contentType(url), data)
        }
        router.get("/", use: files)
        router.get("**", use: files)
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "demokit"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
    }

    static func response(_ status: HTTPResponse.Status, _ type: String, _ data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
