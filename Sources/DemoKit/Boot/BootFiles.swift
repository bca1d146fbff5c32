import Foundation

/// The boot files of a key: Debian's signed shim and GRUB for UEFI (Secure Boot
/// included), syslinux's menu for BIOS, both menus, the live system and the session
/// hook. Binaries are copied from the installed Debian packages.
enum BootFiles {
    /// A file taken from an installed Debian package.
    struct SystemFile: Sendable {
        var keyPath: String
        var source: String
        var package: String
    }

    static let systemFiles: [SystemFile] = [
        // shim signed by Microsoft, then GRUB for removable media signed by Debian.
        SystemFile(keyPath: "EFI/BOOT/BOOTX64.EFI", source: "/usr/lib/shim/shimx64.efi.signed", package: "shim-signed"),
        SystemFile(
            keyPath: "EFI/BOOT/grubx64.efi", source: "/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
            package: "grub-efi-amd64-signed"),
        SystemFile(keyPath: "EFI/BOOT/mmx64.efi", source: "/usr/lib/shim/mmx64.efi.signed", package: "shim-helpers-amd64-signed"),
        // menu.c32 needs libutil.c32 only; ldlinux.* come from `syslinux --install`.
        SystemFile(keyPath: "syslinux/menu.c32", source: "/usr/lib/syslinux/modules/bios/menu.c32", package: "syslinux-common"),
        SystemFile(keyPath: "syslinux/libutil.c32", source: "/usr/lib/syslinux/modules/bios/libutil.c32", package: "syslinux-common"),
    ]

    static let grubConfigPath = "boot/grub/grub.cfg"
    static let syslinuxConfigPath = "syslinux/syslinux.cfg"

    /// Every boot file of a key with a base system. `systemRoot` prefixes the
    /// binaries' paths (tests).
    static func plan(kit: Kit, base: BaseSystem, extraParameters: [String], systemRoot: String = "") throws -> [PlannedFile] {
        let missing = systemFiles.filter { !FileManager.default.isReadableFile(atPath: systemRoot + $0.source) }
        if !missing.isEmpty {
            let packages = Array(Set(missing.map(\.package))).sorted().joined(separator: " ")
            throw FileError(
                path: missing.map { systemRoot + $0.source }.joined(separator: ", "),
                reason: bilingual("fichiers de démarrage introuvables", "boot files not found"),
                hint: bilingual(
                    "installez-les : sudo apt-get install \(packages)", "install them: sudo apt-get install \(packages)"))
        }
        var files = systemFiles.map { PlannedFile(path: $0.keyPath, content: .copy(URL(fileURLWithPath: systemRoot + $0.source)), role: .boot) }
        let menu = BootMenu.make(
            kit: kit, kernel: base.kernel, initrd: base.initrd, baseParameters: base.kernelParameters, extraParameters: extraParameters,
            profileModules: base.profileModules)
        files.append(.text(grubConfigPath, menu.grubConfig(), role: .boot))
        files.append(PlannedFile(path: syslinuxConfigPath, content: .bytes(menu.syslinuxConfig()), role: .boot))
        files += base.plannedFiles()
        if !base.files.contains(where: { $0.path == ".disk/info" }) {
            // Debian's GRUB searches for it when /boot/grub is missing; harmless otherwise.
            files.append(.text(".disk/info", "\(kit.settings.name.fr) \(kit.settings.version)\n", role: .boot))
        }
        files += LiveSession.plannedFiles()
        return files
    }

    /// `sha256sum.txt` at the key's root, read by the live session's check
    /// (« Vérifier l'intégrité de la clé »): every file of the key, as `sha256sum -c` reads it.
    /// Made as bytes, not as interpolated lines joined: it has a line per file of the
    /// key and is made on one core at every rebuild.
    static func checksumList(_ records: [FileRecord]) -> Data {
        let sorted = records.sorted { $0.path < $1.path }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sorted.reduce(0) { $0 + $1.sha256.utf8.count + $1.path.utf8.count + 5 })
        for record in sorted {
            bytes.append(contentsOf: record.sha256.utf8)
            bytes.append(contentsOf: "  ./".utf8)
            bytes.append(contentsOf: record.path.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return Data(bytes)
    }

    static let checksumListPath = "sha256sum.txt"

    /// The warning of a build told to leave out the kit's live system (`--no-base`).
    static var noBaseChosenWarning: String {
        bilingual(
            "avertissement : --no-base, la clé ne démarrera pas (catalogue seulement) ; sans cette option, demokit y met le système live du kit.",
            "warning: --no-base, the key will not boot (catalogue only); without it, demokit puts the kit's live system on it.")
    }

    /// The warning of a build without a base system.
    static var noBaseWarning: String {
        bilingual(
            "avertissement : pas de système de base, la clé ne démarrera pas (catalogue seulement). Ajoutez « base: {debian: bookworm} » à profiles/kit.yml pour que demokit construise le système live, ou une ISO Debian Live avec --base-iso FICHIER.iso (voir docs/boot.md).",
            "warning: no base system, the key will not boot (catalogue only). Add \"base: {debian: bookworm}\" to profiles/kit.yml for demokit to build the live system, or a Debian Live ISO with --base-iso FILE.iso (see docs/boot.md)."
        )
    }
}
