import Foundation

/// The key's boot menu: one entry per profile, then « vérifier » and « en mémoire »,
/// written for GRUB (UEFI, Secure Boot) and syslinux (BIOS) with the same entries
/// in the same order, so a presenter finds the same menu on every PC.
struct BootMenu: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        /// GRUB `--id` and syslinux `LABEL`.
        var id: String
        /// French title as shown.
        var title: String
        var options: [String]
    }

    var title: String
    var entries: [Entry]
    var defaultIndex: Int
    /// Seconds before the default entry boots.
    var timeout: Int
    var kernel: String
    var initrd: String

    /// Longest title: syslinux's menu box is narrower than the screen.
    static let maxTitleLength = 56

    /// - Parameters:
    ///   - baseParameters: the base's own parameters (`boot=live components quiet splash`).
    ///   - extraParameters: added to every entry (`console=ttyS0,115200 panic=-1` in tests).
    ///   - profileModules: each profile's entry mounts its own layers (`module=<id>`).
    static func make(
        kit: Kit, kernel: String, initrd: String, baseParameters: [String], extraParameters: [String] = [], profileModules: Bool = false
    ) -> BootMenu {
        // hooks=medium: live-config runs live/config-hooks/* from the key (see LiveSession).
        let common = baseParameters + ["hooks=medium"]
        func module(_ id: String) -> [String] { profileModules ? ["module=\(id)"] : [] }
        var entries = kit.profiles.map { profile in
            Entry(
                id: profile.id.value, title: title(for: profile),
                options: common + module(profile.id.value) + ["demokit.profile=\(profile.id.value)"] + extraParameters)
        }
        let defaultID = kit.settings.defaultProfile?.value
        let defaultIndex = entries.firstIndex { $0.id == defaultID } ?? 0
        if let first = entries.indices.contains(defaultIndex) ? entries[defaultIndex].id : nil {
            entries.append(
                Entry(
                    id: "verify", title: "Vérifier l'intégrité de la clé",
                    options: common + module(first) + ["demokit.verify", "demokit.profile=\(first)"] + extraParameters))
            entries.append(
                Entry(
                    id: "toram", title: "Démarrer en mémoire (toram)",
                    options: common + module(first) + ["toram", "demokit.profile=\(first)"] + extraParameters))
        }
        return BootMenu(
            title: "Clé de démonstration", entries: entries, defaultIndex: defaultIndex,
            timeout: kit.settings.timeout, kernel: "/" + kernel, initrd: "/" + initrd)
    }

    static let danglingWords: Set<String> = ["de", "des", "du", "d'", "la", "le", "les", "l'", "et", "ou", "à", "au", "aux", "en", "pour", "avec"]

    /// « Mairie — élus, maires, adjoints… »: the profile's name and the start of its
    /// audience, cut at a word so the menu fits the screen.
    static func title(for profile: Profile) -> String {
        let name = profile.name.fr
        var audience = profile.audience.fr
        // The audience's first clause: before « qui », a parenthesis or the end of the sentence.
        for stop in [" qui ", " (", ". ", ";"] {
            if let range = audience.range(of: stop) { audience = String(audience[..<range.lowerBound]) }
        }
        audience = audience.trimmingCharacters(in: CharacterSet(charactersIn: " ,.;:"))
        guard !audience.isEmpty else { return name }
        audience = audience.prefix(1).lowercased() + audience.dropFirst()
        let room = maxTitleLength - name.count - 3
        guard room >= 8 else { return name }
        if audience.count > room {
            var words = String(audience.prefix(room)).split(separator: " ").map(String.init)
            words.removeLast()  // cut in the middle, or the word that ran over
            // « …de la commune, de… » reads badly: drop dangling little words.
            while let last = words.last, words.count > 1, danglingWords.contains(last.lowercased()) { words.removeLast() }
            audience = words.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: " ,.;:")) + "…"
        }
        return "\(name) — \(audience)"
    }

    /// `boot/grub/grub.cfg`, sourced by Debian's signed GRUB for removable media
    /// (gcdx64.efi.signed): only built-in commands, no `insmod` (Secure Boot lockdown).
    func grubConfig() -> String {
        var lines = [
            "# demokit: généré, ne pas modifier / generated, do not edit",
            "# Screen: gfxterm with the Unicode font inside gcdx64's memdisk; COM1 as well",
            "# when present (UTF-8). Input from the firmware console only: under OVMF a",
            "# second reader of COM1 loses keys.",
            "set dk_serial=",
            "if serial --unit=0 --speed=115200 ; then",
            "    set dk_serial=serial",
            "    terminfo -u serial",
            "fi",
            "terminal_input console",
            "if loadfont (memdisk)/fonts/unicode.pf2 ; then",
            "    set gfxmode=auto",
            "    set gfxpayload=keep",
            "    terminal_output gfxterm $dk_serial",
            "else",
            "    terminal_output console $dk_serial",
            "fi",
            "set default=\(defaultIndex)",
            "set timeout=\(timeout)",
            "set timeout_style=menu",
            "",
        ]
        for entry in entries {
            lines.append("menuentry \(grubQuoted(entry.title)) --id \(entry.id) {")
            lines.append("    linux \(kernel) \(entry.options.joined(separator: " "))")
            lines.append("    initrd \(initrd)")
            lines.append("}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `syslinux/syslinux.cfg` in code page 437, the VGA text mode's own: menu.c32
    /// prints the bytes as they are. `SERIAL` must be the first line.
    func syslinuxConfig() -> Data {
        var lines = [
            "SERIAL 0 115200",
            "UI menu.c32",
            "MENU TITLE \(title)",
            "MENU MARGIN 4",
            "PROMPT 0",
            // TIMEOUT 0 would wait forever; GRUB's 0 boots at once.
            "TIMEOUT \(max(timeout * 10, 1))",
            "DEFAULT \(entries.indices.contains(defaultIndex) ? entries[defaultIndex].id : "")",
            "",
        ]
        for entry in entries {
            lines.append("LABEL \(entry.id)")
            lines.append("  MENU LABEL \(entry.title)")
            lines.append("  LINUX \(kernel)")
            lines.append("  APPEND initrd=\(initrd) \(entry.options.joined(separator: " "))")
            lines.append("")
        }
        return CP437.encode(lines.joined(separator: "\n") + "\n")
    }

    /// GRUB single quotes: nothing is expanded; a quote is closed, escaped, reopened.
    func grubQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Code page 437, the text mode of PC BIOSes.
enum CP437 {
    /// Bytes 0x80…0xFF.
    static let upperHalf = Array(
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}"
            .unicodeScalars)
    static let table: [Unicode.Scalar: UInt8] = Dictionary(
        upperHalf.enumerated().map { ($1, UInt8(0x80 + $0)) }, uniquingKeysWith: { a, _ in a })
    /// Characters CP437 lacks, written the way a French reader expects.
    static let replacements: [Unicode.Scalar: String] = [
        "—": "-", "–": "-", "…": "...", "’": "'", "‘": "'", "“": "\"", "”": "\"", "œ": "oe", "Œ": "OE",
    ]

    static func encode(_ text: String) -> Data {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else if let byte = table[scalar] {
                bytes.append(byte)
            } else if let replacement = replacements[scalar] {
                bytes.append(contentsOf: replacement.utf8)
            } else if let base = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.first,
                base.isASCII || table[base] != nil
            {
                // È, Ô…: the letter without its accent.
                bytes.append(base.isASCII ? UInt8(base.value) : table[base] ?? 0x3F)
            } else {
                bytes.append(0x3F)
            }
        }
        return Data(bytes)
    }
}
