#!/bin/sh
# demokit: mmdebstrap --customize-hook of the live system, run as
#   sh customize.sh "$1"        ($1: the root of the new system)
# with SOURCE_DATE_EPOCH set. Makes it French (fr_FR.UTF-8, AZERTY, Europe/Paris),
# logs the user "demo" (uid 1000) into Xfce on tty1 without a display manager,
# configures Firefox for offline demos, trims what a demo does not need at boot,
# and removes what would differ between two builds.
set -eu
root=${1:?usage: customize.sh ROOT}
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH must be set}"
export SOURCE_DATE_EPOCH
user=demo
uid=1000

run() {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
        SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$@"
}
# put FILE MODE: stdin to $root/FILE
put() {
    mkdir -p "$(dirname "$root$1")"
    cat >"$root$1"
    chmod "$2" "$root$1"
}

# --- identity -------------------------------------------------------------------
echo demokit | put /etc/hostname 644
put /etc/hosts 644 <<'E'
127.0.0.1	localhost
127.0.1.1	demokit
::1		localhost ip6-localhost ip6-loopback
E

# --- French -----------------------------------------------------------------------
put /etc/locale.gen 644 <<'E'
fr_FR.UTF-8 UTF-8
E
run locale-gen
put /etc/default/locale 644 <<'E'
LANG=fr_FR.UTF-8
E
put /etc/default/keyboard 644 <<'E'
XKBMODEL="pc105"
XKBLAYOUT="fr"
XKBVARIANT=""
XKBOPTIONS=""
BACKSPACE="guess"
E
# udev (64-xorg-xkb.rules) hands /etc/default/keyboard to X; this file makes sure.
put /etc/X11/xorg.conf.d/00-keyboard.conf 644 <<'E'
Section "InputClass"
    Identifier "demokit keyboard"
    MatchIsKeyboard "on"
    Option "XkbLayout" "fr"
    Option "XkbModel" "pc105"
EndSection
E
ln -sf /usr/share/zoneinfo/Europe/Paris "$root/etc/localtime"
echo Europe/Paris | put /etc/timezone 644

# --- the user and automatic login -------------------------------------------------------
run groupadd -g $uid $user
run useradd -m -u $uid -g $uid -G audio,video,plugdev,users -s /bin/bash \
    -c "Démonstration" $user
run passwd -d $user >/dev/null
# getty on tty1 logs the user in, no prompt, no 5 s "idle" wait
# live-config's getty generator writes getty@tty1..6 drop-ins (live-config_autologin.conf)
# for LIVE_USERNAME ("user" by default): name our user there, and let our drop-in sort
# after its one.
put /etc/live/config.conf.d/demokit.conf 644 <<E
LIVE_HOSTNAME=demokit
LIVE_USERNAME=$user
LIVE_USER_FULLNAME="Démonstration"
E
put /etc/systemd/system/getty@tty1.service.d/zz-demokit-autologin.conf 644 <<E
[Service]
Type=simple
ExecStart=
ExecStart=-/sbin/agetty -o '-p -f -- \\\\u' --noclear --autologin $user %I \$TERM
E
# ... and its login shell starts X + Xfce (Xorg runs rootless through logind)
put /home/$user/.bash_profile 644 <<'E'
# demokit: start the desktop on tty1
[ -f "$HOME/.profile" ] && . "$HOME/.profile"
if [ -z "${DISPLAY:-}" ] && [ "$(tty)" = /dev/tty1 ]; then
    export XDG_SESSION_TYPE=x11 XDG_CURRENT_DESKTOP=XFCE
    [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ] &&
        export DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus"
    exec startx /usr/bin/startxfce4 -- -nolisten tcp -keeptty >"$HOME/.xsession-errors" 2>&1
fi
E
# French user folders (Bureau, Documents…) made now, not at first login
rmdir "$root/home/$user"/* 2>/dev/null || true
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/home/$user \
    LANG=fr_FR.UTF-8 LC_ALL=fr_FR.UTF-8 xdg-user-dirs-update

# --- Xfce ------------------------------------------------------------------------------
# The panel without its first-start question: menu, « Catalogue », windows, clock.
put /etc/xdg/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml 644 <<'E'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="dark-mode" type="bool" value="false"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=8;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="icon-size" type="uint" value="0"/>
      <property name="size" type="uint" value="36"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
        <value type="int" value="2"/>
        <value type="int" value="3"/>
        <value type="int" value="4"/>
        <value type="int" value="5"/>
        <value type="int" value="6"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="applicationsmenu">
      <property name="show-button-title" type="bool" value="true"/>
      <property name="button-title" type="string" value="Applications"/>
    </property>
    <property name="plugin-2" type="string" value="launcher">
      <property name="items" type="array">
        <value type="string" value="demokit-catalogue.desktop"/>
      </property>
    </property>
    <property name="plugin-3" type="string" value="tasklist">
      <property name="grouping" type="uint" value="1"/>
    </property>
    <property name="plugin-4" type="string" value="separator">
      <property name="expand" type="bool" value="true"/>
      <property name="style" type="uint" value="0"/>
    </property>
    <property name="plugin-5" type="string" value="clock"/>
    <property name="plugin-6" type="string" value="actions"/>
  </property>
</channel>
E
# The panel's « Catalogue » launcher (demokit-session is installed from the key at
# boot by the live-config hook).
put /home/$user/.config/xfce4/panel/launcher-2/demokit-catalogue.desktop 644 <<'E'
[Desktop Entry]
Type=Application
Version=1.0
Name=Catalogue
Comment=Revenir au catalogue des logiciels
Exec=/usr/local/bin/demokit-session --catalogue
Icon=user-home
Terminal=false
StartupNotify=false
E
# Keep xfce4-session's own xfce4-session.xml: it defines the failsafe session
# (xfwm4, panel, desktop); a replacement without it leaves a black screen.
# No compositor: software compositing is slow on old PCs and under qemu (TCG).
put /etc/xdg/xfce4/xfconf/xfce-perchannel-xml/xfwm4.xml 644 <<'E'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfwm4" version="1.0">
  <property name="general" type="empty">
    <property name="use_compositing" type="bool" value="false"/>
    <property name="workspace_count" type="int" value="1"/>
  </property>
</channel>
E
put /etc/xdg/xfce4/xfconf/xfce-perchannel-xml/xfce4-desktop.xml 644 <<'E'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-desktop" version="1.0">
  <property name="desktop-icons" type="empty">
    <property name="style" type="int" value="2"/>
    <property name="icon-size" type="uint" value="56"/>
    <property name="file-icons" type="empty">
      <property name="show-home" type="bool" value="false"/>
      <property name="show-filesystem" type="bool" value="false"/>
      <property name="show-trash" type="bool" value="false"/>
      <property name="show-removable" type="bool" value="false"/>
    </property>
  </property>
</channel>
E
run chown -R $uid:$uid /home/$user

# --- Firefox --------------------------------------------------------------------------
put /usr/lib/firefox-esr/distribution/policies.json 644 <<'E'
{
  "policies": {
    "DisableAppUpdate": true,
    "AppAutoUpdate": false,
    "DisableTelemetry": true,
    "DisableFirefoxStudies": true,
    "DisablePocket": true,
    "DisableFeedbackCommands": true,
    "DisableProfileImport": true,
    "DisableDefaultBrowserAgent": true,
    "DontCheckDefaultBrowser": true,
    "NoDefaultBookmarks": true,
    "OverrideFirstRunPage": "",
    "OverridePostUpdatePage": "",
    "CaptivePortal": false,
    "NetworkPrediction": false,
    "SearchSuggestEnabled": false,
    "ExtensionUpdate": false,
    "PromptForDownloadLocation": false,
    "RequestedLocales": ["fr", "en-US"],
    "DNSOverHTTPS": {"Enabled": false, "Locked": true},
    "EnableTrackingProtection": {"Value": true, "Cryptomining": true, "Fingerprinting": true},
    "UserMessaging": {
      "WhatsNew": false, "ExtensionRecommendations": false,
      "FeatureRecommendations": false, "UrlbarInterventions": false,
      "SkipOnboarding": true, "MoreFromMozilla": false
    },
    "FirefoxHome": {
      "Search": true, "TopSites": false, "SponsoredTopSites": false,
      "Highlights": false, "Pocket": false, "SponsoredPocket": false, "Snippets": false
    },
    "Preferences": {
      "browser.aboutwelcome.enabled": {"Value": false, "Status": "default"},
      "browser.shell.checkDefaultBrowser": {"Value": false, "Status": "default"},
      "browser.startup.homepage_override.mstone": {"Value": "ignore", "Status": "default"},
      "browser.sessionstore.resume_from_crash": {"Value": false, "Status": "default"},
      "browser.tabs.warnOnClose": {"Value": false, "Status": "default"},
      "browser.safebrowsing.malware.enabled": {"Value": false, "Status": "default"},
      "browser.safebrowsing.phishing.enabled": {"Value": false, "Status": "default"},
      "browser.safebrowsing.downloads.enabled": {"Value": false, "Status": "default"},
      "browser.safebrowsing.downloads.remote.enabled": {"Value": false, "Status": "default"},
      "browser.region.update.enabled": {"Value": false, "Status": "default"},
      "browser.region.network.url": {"Value": "", "Status": "default"},
      "browser.newtabpage.activity-stream.feeds.section.topstories": {"Value": false, "Status": "default"},
      "browser.newtabpage.activity-stream.feeds.snippets": {"Value": false, "Status": "default"},
      "browser.newtabpage.activity-stream.showSponsored": {"Value": false, "Status": "default"},
      "browser.newtabpage.activity-stream.showSponsoredTopSites": {"Value": false, "Status": "default"},
      "browser.discovery.enabled": {"Value": false, "Status": "default"},
      "browser.ping-centre.telemetry": {"Value": false, "Status": "default"},
      "browser.fullscreen.autohide": {"Value": true, "Status": "default"},
      "datareporting.policy.dataSubmissionPolicyBypassNotification": {"Value": true, "Status": "default"},
      "extensions.getAddons.cache.enabled": {"Value": false, "Status": "default"},
      "network.connectivity-service.enabled": {"Value": false, "Status": "default"},
      "network.captive-portal-service.enabled": {"Value": false, "Status": "default"},
      "network.prefetch-next": {"Value": false, "Status": "default"},
      "network.dns.disablePrefetch": {"Value": true, "Status": "default"}
    }
  }
}
E

# --- boot: nothing listening, nothing a demo does not need ---------------------------
# (units that do not exist in this package set are skipped)
for unit in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
    e2scrub_reap.service fstrim.timer logrotate.timer dpkg-db-backup.timer \
    systemd-networkd-wait-online.service NetworkManager-wait-online.service \
    networking.service ssh.service ssh.socket cups.socket avahi-daemon.socket \
    systemd-timesyncd.service remote-fs.target \
    serial-getty@.service console-getty.service \
    systemd-journal-flush.service systemd-update-utmp.service \
    systemd-update-utmp-runlevel.service keyboard-setup.service; do
    if [ -e "$root/lib/systemd/system/$unit" ] || [ -e "$root/etc/systemd/system/$unit" ]; then
        ln -sf /dev/null "$root/etc/systemd/system/$unit"
    fi
done
# volatile journal (a live system writes to RAM anyway)
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' | put /etc/systemd/journald.conf.d/demokit.conf 644
# a live system on a key: no fsck, no swap search
# the user's session may write the serial-console marker (see LiveSession.swift): the
# live-config hook adds the user to "dialout" only when the kernel console is a serial port.

# live-boot (9990-netbase.sh) writes /etc/network/interfaces at boot; no ifupdown here
mkdir -p "$root/etc/network"

# --- network: wired DHCP, in the background ------------------------------------------
# For the key's own updates and the online demos' links. Nothing waits for it
# (systemd-networkd-wait-online is masked above): offline, the boot is as fast.
put /etc/systemd/network/80-demokit-wired.network 644 <<'E'
[Match]
Type=ether
Name=en* eth*

[Network]
DHCP=yes

[DHCPv4]
RouteMetric=100
E
for unit in systemd-networkd.service systemd-resolved.service; do
    run systemctl enable "$unit" >/dev/null 2>&1 || true
done
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

# --- reproducibility ---------------------------------------------------------------
# Empty machine-id: systemd makes one at boot (first boot semantics off: file exists).
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -f "$root"/etc/ssh/ssh_host_*
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/cache/apt/archives/partial/* "$root"/var/cache/debconf/*-old \
    "$root"/var/lib/dpkg/*-old "$root"/var/cache/ldconfig/aux-cache \
    "$root"/var/cache/fontconfig/* "$root"/var/cache/man/* \
    "$root"/etc/ld.so.cache~ "$root"/etc/*- "$root"/etc/.pwd.lock \
    "$root"/var/lib/systemd/catalog/database "$root"/var/lib/systemd/random-seed \
    "$root"/var/lib/dhcp/* "$root"/tmp/* "$root"/var/tmp/*
find "$root/var/log" -type f -exec rm -f {} +
rm -f "$root"/boot/*.dpkg-bak "$root"/boot/*.old
find "$root" -xdev -name __pycache__ -type d -prune -exec rm -rf {} +
exit 0
