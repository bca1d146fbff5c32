/// France's 18 régions and 101 départements, to check the places a provider serves
/// and the kit's région. As set by the law of 16 January 2015 (régions since
/// 1 January 2016), with the five overseas départements that are also régions.
/// Codes are INSEE's (« 2A », « 2B » for Corsica); names are the official ones.
/// The Métropole de Lyon and the Collectivité européenne d'Alsace keep their
/// départements' codes (69, 67, 68) and are listed under them.
enum FrenchAreas {
    struct Region: Sendable, Equatable {
        /// Official name, as written in manifests and shown on pages.
        var name: String
        /// For URLs (`?region=occitanie`): the name folded, words joined by dashes.
        var slug: String
        var departements: [String]
    }

    struct Departement: Sendable, Equatable {
        var code: String
        var name: String
        var region: String
    }

    static let regions: [Region] = [
        ("Auvergne-Rhône-Alpes", ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]),
        ("Bourgogne-Franche-Comté", ["21", "25", "39", "58", "70", "71", "89", "90"]),
        ("Bretagne", ["22", "29", "35", "56"]),
        ("Centre-Val de Loire", ["18", "28", "36", "37", "41", "45"]),
        ("Corse", ["2A", "2B"]),
        ("Grand Est", ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"]),
        ("Guadeloupe", ["971"]),
        ("Guyane", ["973"]),
        ("Hauts-de-France", ["02", "59", "60", "62", "80"]),
        ("Île-de-France", ["75", "77", "78", "91", "92", "93", "94", "95"]),
        ("La Réunion", ["974"]),
        ("Martinique", ["972"]),
        ("Mayotte", ["976"]),
        ("Normandie", ["14", "27", "50", "61", "76"]),
        ("Nouvelle-Aquitaine", ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]),
        ("Occitanie", ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]),
        ("Pays de la Loire", ["44", "49", "53", "72", "85"]),
        ("Provence-Alpes-Côte d'Azur", ["04", "05", "06", "13", "83", "84"]),
    ].map { name, codes in Region(name: name, slug: slug(name), departements: codes) }

    static let departementNames: [String: String] = [
        "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes",
        "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes", "09": "Ariège", "10": "Aube", "11": "Aude",
        "12": "Aveyron", "13": "Bouches-du-Rhône", "14": "Calvados", "15": "Cantal", "16": "Charente",
        "17": "Charente-Maritime", "18": "Cher", "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse",
        "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs", "26": "Drôme",
        "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard", "31": "Haute-Garonne", "32": "Gers",
        "33": "Gironde", "34": "Hérault", "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire", "38": "Isère",
        "39": "Jura", "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire", "44": "Loire-Atlantique",
        "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne", "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche",
        "51": "Marne", "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse", "56": "Morbihan",
        "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise", "61": "Orne", "62": "Pas-de-Calais",
        "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques", "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales",
        "67": "Bas-Rhin", "68": "Haut-Rhin", "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe",
        "73": "Savoie", "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne",
        "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne", "83": "Var",
        "84": "Vaucluse", "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne", "88": "Vosges", "89": "Yonne",
        "90": "Territoire de Belfort", "91": "Essonne", "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis",
        "94": "Val-de-Marne", "95": "Val-d'Oise", "971": "Guadeloupe", "972": "Martinique", "973": "Guyane",
        "974": "La Réunion", "976": "Mayotte",
    ]

    /// Every département, by code (« 01 » … « 95 », then « 2A », « 2B » after « 19 »,
    /// then the overseas ones), with its région.
    static let departements: [Departement] = regions.flatMap { region in
        region.departements.map { Departement(code: $0, name: departementNames[$0] ?? $0, region: region.name) }
    }.sorted { sortKey($0.code) < sortKey($1.code) }

    static let departementByCode: [String: Departement] = Dictionary(
        uniqueKeysWithValues: departements.map { ($0.code, $0) })

    /// « 2A » and « 2B » sort as 20 did, before 21.
    static func sortKey(_ code: String) -> String {
        let padded = code.count == 2 ? "0" + code : code
        return padded.replacingOccurrences(of: "A", with: "0.1").replacingOccurrences(of: "B", with: "0.2")
    }

    static func departement(_ code: String) -> Departement? {
        departementByCode[code.uppercased()]
    }

    /// The région with this name, compared without case, accents or punctuation
    /// (« ile de france » is Île-de-France).
    static func region(named name: String) -> Region? {
        let wanted = slug(name)
        return regions.first { $0.slug == wanted }
    }

    static func region(slug: String) -> Region? {
        regions.first { $0.slug == slug }
    }

    static func slug(_ name: String) -> String {
        TextFolding.tokens(name).joined(separator: "-")
    }
}
