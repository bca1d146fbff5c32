import Foundation

/// `demokit base export-live-build DIR`: a live-build configuration for a base ISO
/// tailored to the kit (its profiles' Linux applications preinstalled, the session
/// hook built in), for a maintainer to run `lb config && lb build` (root, mirror).
public enum LiveBuildExport {
    static let packageList = "config/package-lists/demokit.list.chroot"
    static let sessionPath = "config/includes.chroot_after_packages/usr/local/bin/demokit-session"
    static let autostartPath = "config/includes.chroot_after_packages/etc/xdg/autostart/demokit-session.desktop"
    static let autoConfig = "auto/config"

    /// Debian packages of every profile's applications, sorted, once each.
    public static func packages(_ kit: Kit) -> [String] {
        var set: Set<String> = []
        for profile in kit.profiles {
            for app in profile.apps {
                set.formUnion(kit.apps[app.value]?.livePackages ?? [])
            }
        }
        return set.sorted()
    }

    /// Path → (content, executable).
    static func files(_ kit: Kit) -> [(path: String, content: String, executable: Bool)] {
        let list =
            "# demokit: applications of the profiles \(kit.profiles.map(\.id.value).joined(separator: ", ")) (generated)\n"
            + packages(kit).map { $0 + "\n" }.joined()
        let auto = """
            #!/bin/sh
            # demokit: live-build configuration of a base ISO for the kit "\(kit.settings.id)".
            # Run as root with a Debian mirror: lb config && lb build
            set -e
            lb config noauto \\
                --distribution bookworm \\
                --archive-areas "main contrib non-free-firmware" \\
                --binary-image iso-hybrid \\
                --bootloaders grub-efi,syslinux \\
                --debian-installer none \\
                --iso-application "demokit" \\
                --iso-volume "DEMOKIT" \\
                --bootappend-live "boot=live components quiet splash locales=fr_FR.UTF-8 keyboard-layouts=fr" \\
                "${@}"

            """
        return [
            (autoConfig, auto, true),
            (
                "config/package-lists/demokit-desktop.list.chroot",
                "# demokit: a desktop and what the session hook uses\ntask-xfce-desktop\nxdg-utils\nxdg-user-dirs\nlive-config\nlive-boot\n", false
            ),
            (packageList, list, false),
            (sessionPath, LiveSession.sessionScript, true),
            (autostartPath, LiveSession.autostartEntry, false),
        ]
    }

    /// Writes the configuration into `directory` (created; existing files replaced).
    public static func export(_ kit: Kit, to directory: URL) throws -> [String] {
        let fm = FileManager.default
        var written: [String] = []
        for file in files(kit) {
            let url = directory.appendingPathComponent(file.path)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.content.utf8).write(to: url)
                try fm.setAttributes([.posixPermissions: file.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
            } catch {
                throw FileError(path: url.path, reason: bilingual("écriture impossible", "cannot write") + ": \(error.localizedDescription)")
            }
            written.append(file.path)
        }
        return written
    }
}
