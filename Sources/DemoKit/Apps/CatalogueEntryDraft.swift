import Foundation

/// A catalogue entry started by `add-app --new-entry` from what the application says
/// of itself: its name, description and category from appinfo.ini. What only a person
/// can say (the French description, the licence, often the category) is left out and
/// marked « À COMPLÉTER / TO COMPLETE », so that `demokit validate` points at each
/// missing field until it is written.
struct CatalogueEntryDraft {
    var id: String
    /// Nil for an AppImage: only its file name is known.
    var info: PortableAppInfo?
    var fileName: String
    /// The kit's category ids; only these may be proposed.
    var categories: [String]

    static let mark = "À COMPLÉTER / TO COMPLETE"

    /// PortableApps.com's categories and the default kit's closest ones.
    static let categoryOf: [String: String] = [
        "accessibility": "accessibilite", "education": "education", "graphics & pictures": "graphisme",
        "music & video": "multimedia", "office": "bureautique", "security": "securite", "utilities": "utilitaires",
    ]

    /// `LibreOffice Portable` → `LibreOffice`; an AppImage's name from its file name.
    var name: String {
        if let info {
            var name = info.name
            for suffix in [" Portable", "Portable"] where name.hasSuffix(suffix) && name.count > suffix.count {
                name = String(name.dropLast(suffix.count))
            }
            return name
        }
        return String(fileName.prefix { !"-_.".contains($0) })
    }

    var category: String? {
        guard let raw = info?.category, let id = Self.categoryOf[raw.lowercased()], categories.contains(id) else { return nil }
        return id
    }

    var text: String {
        let source = info.map { "appinfo.ini (\($0.appID))" } ?? fileName
        var lines = [
            "# Fiche commencée par « demokit add-app » à partir de \(source).",
            "# Complétez les champs marqués « À COMPLÉTER », puis lancez « demokit validate ».",
            "# Entry started by \"demokit add-app\" from \(source).",
            "# Complete the fields marked TO COMPLETE, then run \"demokit validate\".",
            "id: \(id)",
            "name: \(YAMLTextEdit.quoted(name))",
            "description:",
            "  # \(Self.mark): fr, une ou deux phrases en français / one or two sentences in French.",
        ]
        if let description = info?.description {
            lines.append("  en: \(YAMLTextEdit.quoted(description))")
        } else {
            lines.append("  # \(Self.mark): en, the same in English (optional).")
        }
        if let category {
            lines.append("categories: [\(category)]  # appinfo.ini : \(info?.category ?? "") (à vérifier / to check)")
        } else {
            let listed = info?.category.map { " (appinfo.ini : \($0))" } ?? ""
            lines.append("# \(Self.mark): categories: [...] parmi / among payload/categories.yml\(listed)")
        }
        lines.append("# \(Self.mark): licence: une expression SPDX / an SPDX expression (MPL-2.0, GPL-3.0-or-later…)")
        lines.append("platforms: [\(info == nil ? "linux" : "windows")]")
        return lines.joined(separator: "\n") + "\n"
    }
}
