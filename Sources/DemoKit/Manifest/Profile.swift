/// `profiles/<id>.yml`: one audience of the key (mairie, employé, citoyen, école).
public struct Profile: Sendable {
    var id: Located<String>
    var name: LocalizedText
    var audience: LocalizedText
    /// What a presenter says in a few minutes.
    var pitch: LocalizedText
    /// Catalogue ids, most important first.
    var apps: [Located<String>]

    static func read(_ fields: MappingReader) -> Profile? {
        let id = fields.string("id", required: true)
        let name = fields.localized("name", required: true)
        let audience = fields.localized("audience", required: true)
        let pitch = fields.localized("pitch", required: true)
        let apps = fields.strings("apps", required: true)
        fields.finish()
        if let id { checkIdentifier(id, fields.reader, what: "id") }
        var seen: Set<String> = []
        for app in apps where !seen.insert(app.value).inserted {
            fields.reader.appendDiagnostic(
                app.diagnostic(
                    bilingual(
                        "application « \(app.value) » listée deux fois", "application \"\(app.value)\" listed twice")))
        }
        guard let id, let name, let audience, let pitch else { return nil }
        return Profile(id: id, name: name, audience: audience, pitch: pitch, apps: apps)
    }
}
