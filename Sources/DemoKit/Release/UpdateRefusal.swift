import Foundation

/// Why an update was refused. Every refusal happens before the first write: the key
/// is left exactly as it was.
public enum UpdateRefusal: UserFacingError, Equatable {
    case missingSignature(String)
    case badSignature(String)
    case unknownKey(String, [String])
    case belowThreshold(String, Int, Int)
    case rollback(what: String, current: Int, offered: Int)
    case otherKit(expected: String, found: String)
    case otherChannel(expected: String, found: String)
    case trustExpired(String)
    case releaseExpired(String)
    case tooLarge(String, Int, Int)
    case unsafePath(String, String)
    case fileTooLarge(String, Int64)
    case fileMismatch(String)
    case tooNew(String)
    case noTrust
    /// The release changes files the running live system holds (the loop devices' backing files).
    case heldByRunningSystem([String])
    case notAKey(String)
    case notFound(String)
    /// The source offers the key's release number with another manifest: two release
    /// lines of one kit, or a release folder restored from an old copy.
    case otherReleaseSameNumber(number: Int, key: String, offered: String)

    public var message: String {
        switch self {
        case let .missingSignature(what):
            return bilingual("\(what) n'est pas signé : mise à jour refusée", "\(what) is not signed: update refused")
        case let .badSignature(what):
            return bilingual(
                "la signature de \(what) est invalide (fichier modifié ou abîmé) : mise à jour refusée",
                "the signature of \(what) is invalid (file altered or damaged): update refused")
        case let .unknownKey(what, ids):
            return bilingual(
                "\(what) est signé par une clé inconnue (\(ids.joined(separator: ", "))) : mise à jour refusée",
                "\(what) is signed by an unknown key (\(ids.joined(separator: ", "))): update refused")
        case let .belowThreshold(what, got, need):
            return bilingual(
                "\(what) n'a que \(got) signature(s) valide(s) sur \(need) exigée(s) : mise à jour refusée",
                "\(what) has only \(got) valid signature(s) of \(need) required: update refused")
        case let .rollback(what, current, offered):
            return bilingual(
                "\(what) n° \(offered) est plus ancien que celui de la clé (n° \(current)) : retour en arrière refusé",
                "\(what) #\(offered) is older than the key's (#\(current)): rollback refused")
        case let .otherKit(expected, found):
            return bilingual(
                "cette publication est celle du kit « \(found) », la clé porte le kit « \(expected) » : refusée",
                "this release is for kit \"\(found)\", the key holds kit \"\(expected)\": refused")
        case let .otherChannel(expected, found):
            return bilingual(
                "cette publication est du canal « \(found) », la clé suit le canal « \(expected) » : refusée",
                "this release is on channel \"\(found)\", the key follows channel \"\(expected)\": refused")
        case let .trustExpired(date):
            return bilingual(
                "le fichier de confiance a expiré le \(date) : demandez une nouvelle publication aux mainteneurs",
                "the trust file expired on \(date): ask the maintainers for a new release")
        case let .releaseExpired(date):
            return bilingual(
                "cette publication a expiré le \(date) (publication figée ?) : refusée",
                "this release expired on \(date) (frozen release?): refused")
        case let .tooLarge(what, size, maximum):
            return bilingual(
                "\(what) est trop grand (\(size) octets, maximum \(maximum)) : refusé",
                "\(what) is too large (\(size) bytes, maximum \(maximum)): refused")
        case let .unsafePath(path, reason):
            return bilingual("chemin refusé « \(path) »", "refused path \"\(path)\"") + ": \(reason)"
        case let .fileTooLarge(path, size):
            return bilingual(
                "\(path) fait \(size) octets : FAT32 n'accepte pas de fichier de 4 Gio ou plus",
                "\(path) is \(size) bytes: FAT32 takes no file of 4 GiB or more")
        case let .fileMismatch(path):
            return bilingual(
                "\(path) ne correspond pas au manifeste (taille ou empreinte) : mise à jour refusée",
                "\(path) does not match the manifest (size or hash): update refused")
        case let .tooNew(minimum):
            return bilingual(
                "cette publication demande demokit \(minimum) ou plus récent (vous avez \(DemoKitVersion.current)) : mettez demokit à jour",
                "this release needs demokit \(minimum) or newer (you have \(DemoKitVersion.current)): update demokit")
        case .noTrust:
            return bilingual(
                "la clé n'a pas de fichier de confiance : donnez la clé publique des mainteneurs avec --trust-key demokit.pub",
                "the key has no trust file: give the maintainers' public key with --trust-key demokit.pub")
        case let .heldByRunningSystem(paths):
            let list = paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? "…" : "")
            return bilingual(
                "cette publication change des fichiers que le système démarré depuis la clé utilise (\(list)) : la clé n'a pas changé ; mettez-la à jour depuis un PC (demokit update) ou en démarrant un autre profil",
                "this release changes files the system booted from the key is using (\(list)): the key was not changed; update it from a PC (demokit update) or by booting another profile"
            )
        case let .notAKey(path):
            return bilingual(
                "\(path) n'est pas une clé demokit (demokit/manifest.json manquant)", "\(path) is not a demokit key (demokit/manifest.json missing)")
        case let .notFound(what):
            return bilingual("introuvable dans la publication : \(what)", "not found in the release: \(what)")
        case let .otherReleaseSameNumber(number, key, offered):
            return bilingual(
                "cette source propose une autre publication n° \(number) que celle de la clé (manifeste \(key.prefix(12))… sur la clé, "
                    + "\(offered.prefix(12))… dans la source) : deux lignes de publications pour un même kit, ou un dossier de publication "
                    + "restauré d'une ancienne copie. La clé n'a pas changé. Mettez-la à jour depuis le dossier de publication d'où elle vient, "
                    + "ou demandez aux mainteneurs de publier une nouvelle publication (numéro plus grand) qui fasse suite à celle de la clé "
                    + "(demokit publish --previous DOSSIER_OU_ADRESSE)",
                "this source offers another release #\(number) than the key's (manifest \(key.prefix(12))… on the key, "
                    + "\(offered.prefix(12))… in the source): two release lines for one kit, or a release folder restored from an old copy. "
                    + "The key was not changed. Update it from the release folder it came from, or ask the maintainers to publish a new "
                    + "release (a higher number) that follows the key's (demokit publish --previous FOLDER_OR_ADDRESS)")
        }
    }
}
