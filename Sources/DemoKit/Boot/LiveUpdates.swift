import Foundation

/// Keys that update themselves (`updates:` in profiles/kit.yml; docs/boot.md).
///
/// The key carries demokit (`UpdaterBundle`), where its releases are and the
/// maintainers' public key. At boot, the live-config hook (`LiveSession.configHook`)
/// starts a systemd timer that runs `demokit-autoupdate` as root, at the lowest
/// priority: once the PC is online, it makes the key writable, runs
/// `demokit update --auto` from a copy of demokit in memory, makes the key read-only
/// again and tells the user what changed. Once per boot; offline it does nothing. A
/// desktop switch turns it off until the next boot.
public enum LiveUpdates {
    static let settingsPath = "demokit/updates.conf"
    static let publicKeyPath = "demokit/updates.pub"
    static let autoupdatePath = "demokit/live/demokit-autoupdate"
    static let switchPath = "demokit/live/demokit-updates-switch"
    static let bundleFolder = "demokit/live/updater"

    /// The key's update settings as the live system reads them (`updates.conf`).
    public struct KeySettings: Sendable, Equatable {
        public var url: String
        var automatic: Bool
    }

    /// `demokit/updates.conf`: one `name=value` per line, read by `demokit update --auto`
    /// and, for `automatic`, by the shell script.
    static func settingsFile(_ settings: UpdateSettings) -> String {
        """
        # demokit : mises à jour de cette clé (profiles/kit.yml, updates:)
        # demokit: this key's updates (profiles/kit.yml, updates:)
        url=\(settings.url)
        automatic=\(settings.automatic ? "yes" : "no")

        """
    }

    /// Reads the settings a key was built with; throws when it has none.
    public static func readSettings(key: URL) throws -> (settings: KeySettings, publicKey: MinisignPublicKey) {
        let file = key.appendingPathComponent(settingsPath)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw FileError(
                path: file.path, reason: bilingual("cette clé n'a pas d'adresse de mises à jour", "this key has no update address"),
                hint: bilingual(
                    "ajoutez « updates: » à profiles/kit.yml et refaites la clé, ou donnez la publication avec --from",
                    "add \"updates:\" to profiles/kit.yml and build the key again, or give the release with --from"))
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let url = values["url"], url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw FileError(
                path: file.path, reason: bilingual("adresse de mises à jour absente ou invalide", "missing or invalid update address"),
                hint: bilingual("refaites la clé avec demokit build", "build the key again with demokit build"))
        }
        let keyFile = key.appendingPathComponent(publicKeyPath)
        guard let keyText = try? String(contentsOf: keyFile, encoding: .utf8) else {
            throw FileError(
                path: keyFile.path, reason: bilingual("clé publique des mainteneurs absente", "maintainers' public key missing"),
                hint: bilingual("refaites la clé avec demokit build", "build the key again with demokit build"))
        }
        return (KeySettings(url: url, automatic: values["automatic"] != "no"), try MinisignPublicKey(text: keyText))
    }

    /// The key's files that the running system holds open: the backing files of the
    /// loop devices (a live system's squashfs layers), as paths relative to `key`.
    public static func heldFiles(key: URL, sysBlock: URL = URL(fileURLWithPath: "/sys/block")) -> Set<String> {
        let root = key.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        let devices = (try? FileManager.default.contentsOfDirectory(atPath: sysBlock.path)) ?? []
        var held: Set<String> = []
        for device in devices where device.hasPrefix("loop") {
            let file = sysBlock.appendingPathComponent("\(device)/loop/backing_file")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let path = text.trimmingCharacters(in: .newlines)
            if path.hasPrefix(root) { held.insert(String(path.dropFirst(root.count))) }
        }
        return held
    }

    /// The files `updates:` adds to a key with a live system.
    static func plannedFiles(_ settings: UpdateSettings, bundle: [(path: String, url: URL)]) -> [PlannedFile] {
        var files: [PlannedFile] = [
            .text(settingsPath, settingsFile(settings), role: .boot),
            .text(publicKeyPath, settings.publicKeyText, role: .boot),
            .text(autoupdatePath, autoupdateScript, role: .boot),
            .text(switchPath, switchScript, role: .boot),
        ]
        files += bundle.map { PlannedFile(path: "\(bundleFolder)/\($0.path)", content: .owned($0.url), role: .boot) }
        return files
    }

    /// Run as root by the timer (`LiveSession.configHook`). It says what it did on the
    /// journal, and on a serial console when the kernel has one (tests):
    /// `DEMOKIT-AUTOUPDATE: status=… outcome=…`. When the key changed, it leaves the
    /// notice (title, body) in `/run/demokit/notice` for `demokit-session` to show.
    static let autoupdateScript = #"""
        #!/bin/sh
        # demokit-autoupdate: updates the key this live system booted from, from the
        # release folder its kit names (demokit/updates.conf), once per boot, when the
        # PC is online. Run as root by a systemd timer that the live-config hook starts,
        # at the lowest priority. Offline, or switched off from the desktop
        # (/run/demokit/updates-off), it does nothing. Generated by demokit.
        # DEMOKIT_MEDIUM and DEMOKIT_RUN are for tests only.
        medium=${DEMOKIT_MEDIUM:-/run/live/medium}
        run=${DEMOKIT_RUN:-/run/demokit}
        conf=$medium/demokit/updates.conf
        [ -r "$conf" ] || exit 0
        grep -q '^automatic=yes$' "$conf" || exit 0
        [ -e "$run/checked" ] && exit 0
        [ -e "$run/updates-off" ] && { echo "demokit-autoupdate: off"; exit 0; }
        # Online: a default route (DHCP gave one). Offline, nothing is tried.
        awk 'NR > 1 && $2 == "00000000" { found = 1 } END { exit !found }' /proc/net/route 2>/dev/null \
            || { echo "demokit-autoupdate: offline"; exit 0; }

        serial=
        for word in $(cat /proc/cmdline 2>/dev/null); do
            case $word in console=ttyS[0-9]*) serial=${word#console=}; serial=/dev/${serial%%,*} ;; esac
        done
        marker() {
            echo "DEMOKIT-AUTOUPDATE: $*"
            if [ -n "$serial" ] && [ -w "$serial" ]; then printf 'DEMOKIT-AUTOUPDATE: %s\n' "$*" >"$serial" 2>/dev/null || true; fi
        }
        # demokit runs from memory, a tmpfs of its own (/run is too small for it): the
        # update may replace demokit's own files on the key.
        memory=$run/updater
        release_memory() { umount "$memory" 2>/dev/null; rm -rf "$memory"; }
        release_memory
        mkdir -p "$memory" && mount -t tmpfs -o size=1g,mode=0700 demokit-updater "$memory"
        if ! cp -r "$medium/demokit/live/updater/." "$memory/"; then
            release_memory; marker "outcome=error (copy of demokit to memory)"; exit 1
        fi
        # The key is mounted read-only by live-boot: writable for the update only, with
        # dirsync, so that a new folder's first cluster is on the key before its entry.
        if ! mount -o remount,rw,dirsync "$medium"; then
            release_memory; marker "outcome=read-only"; exit 0
        fi
        "$memory/lib/ld-linux-x86-64.so.2" --library-path "$memory/lib" "$memory/demokit" \
            update "$medium" --auto >"$run/last-update.log" 2>&1
        status=$?
        sync
        mount -o remount,ro "$medium" 2>/dev/null || echo "demokit-autoupdate: the key stays writable until shutdown"
        release_memory
        cat "$run/last-update.log"
        result=$(sed -n 's/^demokit-update: //p' "$run/last-update.log" | tail -n 1)
        [ "$status" -eq 0 ] && : >"$run/checked"
        marker "status=$status ${result:-outcome=error}"
        # What changed, for the desktop: demokit-session (which has the display and the
        # desktop's bus) shows it as a notification.
        case $result in
            outcome=updated*)
                notice=$(mktemp "$run/notice.XXXXXX") && {
                    sed -n 's/^demokit-notice-title: //p' "$run/last-update.log" | head -n 1
                    sed -n 's/^demokit-notice-body: //p' "$run/last-update.log" | head -n 1
                } >"$notice" && chmod 644 "$notice" && mv -f "$notice" "$run/notice" ;;
        esac
        exit 0

        """#

    /// The desktop's « Mises à jour » launcher (user): one click turns the key's own
    /// updates off until the next boot, another click back on.
    /// `--launcher` only writes the launcher for the current state (at login).
    static let switchScript = #"""
        #!/bin/sh
        # demokit-updates-switch: the desktop's « Mises à jour automatiques » launcher.
        # One click turns the key's own updates off until the next boot (for a
        # presentation), another click back on. Generated by demokit.
        run=${DEMOKIT_RUN:-/run/demokit}
        flag=$run/updates-off
        desktop=${DEMOKIT_DESKTOP:-$(xdg-user-dir DESKTOP 2>/dev/null)}
        [ -n "$desktop" ] || desktop=$HOME/Desktop
        launcher() { # NAME COMMENT ICON
            mkdir -p "$desktop"
            printf '%s\n' '[Desktop Entry]' 'Type=Application' 'Version=1.0' "Name=$1" "Name[fr]=$1" "Comment=$2" \
                "Exec=/usr/local/bin/demokit-updates-switch" "Icon=$3" 'Terminal=false' >"$desktop/demokit-updates.desktop"
            chmod 755 "$desktop/demokit-updates.desktop"
            gio set "$desktop/demokit-updates.desktop" metadata::trusted true >/dev/null 2>&1 || true
            sum=$(sha256sum "$desktop/demokit-updates.desktop" 2>/dev/null) && sum=${sum%% *} &&
                gio set -t string "$desktop/demokit-updates.desktop" metadata::xfce-exe-checksum "$sum" >/dev/null 2>&1 || true
        }
        show() {
            if [ -e "$flag" ]; then
                launcher "Mises à jour : suspendues" "Cliquez pour réactiver les mises à jour automatiques de la clé / Click to turn the key's updates back on" system-software-update
            else
                launcher "Mises à jour : activées" "Cliquez pour suspendre les mises à jour de la clé jusqu'au prochain démarrage / Click to pause the key's updates until the next boot" system-software-update
            fi
        }
        if [ "${1:-}" = --launcher ]; then show; exit 0; fi
        if [ -e "$flag" ]; then
            rm -f "$flag"
            title="Mises à jour réactivées"
            body="La clé se mettra à jour dès que le PC sera en ligne. / The key will update itself once the PC is online."
        else
            mkdir -p "$run" && : >"$flag"
            title="Mises à jour suspendues"
            body="Plus aucune mise à jour de la clé jusqu'au prochain démarrage (une mise à jour déjà commencée se termine). / No update of the key until the next boot (one already started finishes)."
        fi
        show
        notify-send -a demokit -i system-software-update "$title" "$body" >/dev/null 2>&1 || true
        exit 0

        """#
}

/// demokit itself for the live system: an executable and every shared library `ldd`
/// names (the dynamic loader and the C library included, so it runs on any x86-64
/// live system), stripped of their debug information, kept in the content store
/// under the executable's identity (`<store>/updater/<sha256>/`): made once per
/// demokit binary.
enum UpdaterBundle {
    /// Paths inside the bundle (`demokit`, `lib/<soname>`) and their files.
    static func files(executable: String, store: ContentStore, environment: [String: String]) throws -> [(path: String, url: URL)] {
        let real = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        guard FileFingerprint.of(real) != nil else {
            throw FileError(path: real, reason: bilingual("exécutable de demokit introuvable", "demokit's executable not found"))
        }
        let identity = ExecutableIdentity.of(real)
        let folder = store.root.appendingPathComponent("updater/\(FileHashing.sha256(of: Data(identity.utf8)))")
        let listURL = folder.appendingPathComponent("files.txt")
        if let list = try? String(contentsOf: listURL, encoding: .utf8) {
            let paths = list.split(separator: "\n").map(String.init)
            if paths.allSatisfy({ FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) {
                return paths.map { ($0, folder.appendingPathComponent($0)) }
            }
        }
        let libraries = try sharedLibraries(of: real, environment: environment)
        let partial = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: partial)
        try FileManager.default.createDirectory(at: partial.appendingPathComponent("lib"), withIntermediateDirectories: true)
        var paths = ["demokit"]
        try strip(real, to: partial.appendingPathComponent("demokit"), environment: environment)
        for (name, source) in libraries {
            try strip(source, to: partial.appendingPathComponent("lib/\(name)"), environment: environment)
            paths.append("lib/\(name)")
        }
        paths.sort()
        try Data((paths.joined(separator: "\n") + "\n").utf8).write(to: partial.appendingPathComponent("files.txt"))
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.moveItem(at: partial, to: folder)
        // One bundle kept, the latest demokit's: each is 150 to 220 MB, and every
        // rebuilt demokit makes a new one.
        let parent = folder.deletingLastPathComponent()
        for other in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where other != folder.lastPathComponent {
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(other))
        }
        return paths.map { ($0, folder.appendingPathComponent($0)) }
    }

    /// `ldd`'s list: soname → file. Every library, glibc's too: the live system's may
    /// be older than the one demokit was linked against.
    static func sharedLibraries(of executable: String, environment: [String: String]) throws -> [(name: String, source: String)] {
        let output = try Tool(name: "ldd", package: "libc-bin").output([executable], environment: environment)
        var found: [String: String] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.count >= 3, words[1] == "=>", words[2].hasPrefix("/") {
                found[words[0]] = words[2]
            } else if let first = words.first, first.hasPrefix("/") {
                found[(first as NSString).lastPathComponent] = first
            }
        }
        guard found["ld-linux-x86-64.so.2"] != nil else {
            throw ToolError(
                tool: "ldd", detail: bilingual("pas de chargeur dynamique pour \(executable)", "no dynamic loader for \(executable)"), hint: nil)
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// `strip --strip-debug` (binutils) keeps what runs and drops what debuggers read:
    /// a fraction of the size on the key. Without strip, the file as it is.
    static func strip(_ source: String, to destination: URL, environment: [String: String]) throws {
        let tool = Tool(name: "strip", package: "binutils")
        if tool.locate(environment: environment) != nil,
            (try? tool.run(["--strip-debug", "-o", destination.path, source], environment: environment)) != nil
        {
            return
        }
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: source).resolvingSymlinksInPath(), to: destination)
    }
}
