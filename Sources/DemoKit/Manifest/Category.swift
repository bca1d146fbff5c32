/// One entry of `payload/categories.yml`.
public struct Category: Sendable {
    var id: Located<String>
    var name: LocalizedText

    static func read(_ fields: MappingReader) -> Category? {
        let id = fields.string("id", required: true)
        let fr = fields.string("fr", required: true)
        let en = fields.string("en")
        fields.finish()
        if let id { checkIdentifier(id, fields.reader, what: "id") }
        guard let id, let fr else { return nil }
        return Category(id: id, name: LocalizedText(fr: fr.value, en: en?.value))
    }
}
