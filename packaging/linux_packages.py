"""Linux packages of the frozen folder dist/recovery-desk (``make package`` runs this after
PyInstaller): a .tar.gz to unpack anywhere, and a .deb that installs it under /opt with a
menu entry, icons and AppStream metadata.

    python packaging/linux_packages.py        → dist/recovery-desk-<version>-linux-x86_64.tar.gz
                                                dist/recovery-desk_<version>_amd64.deb
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
FOLDER = DIST / "recovery-desk"
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "resources" / "icons"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP_ID = "org.recoverydesk.RecoveryDesk"

# What Qt's xcb platform and the bundled Qt libraries take from the system (PySide6's
# wheels bring Qt itself, not these). Found with ldd on every .so of the folder on Debian 12.
DEPENDS = [
    "libc6 (>= 2.36)", "libglib2.0-0", "libdbus-1-3", "libfontconfig1", "libfreetype6",
    "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0", "libxcb-render0", "libxcb-shape0",
    "libxcb-shm0", "libxcb-sync1", "libxcb-xfixes0", "libxcb-xinerama0", "libxcb-xkb1",
    "libxkbcommon0", "libxkbcommon-x11-0", "libegl1", "libgl1", "libopengl0",
]
RECOMMENDS = ["libcups2", "fonts-ipaexfont-gothic"]


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from recovery_desk import __version__

    return __version__


def tarball(ver: str) -> Path:
    out = DIST / f"recovery-desk-{ver}-linux-x86_64.tar.gz"
    tmp = out.with_suffix(".part")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
        tar.add(FOLDER, arcname="recovery-desk")
        # So that a user who unpacks it can add the menu entry by hand (README: Install).
        tar.add(LINUX / "recovery-desk.desktop", arcname="recovery-desk/share/recovery-desk.desktop")
        tar.add(ICONS / "recovery-desk-256.png", arcname="recovery-desk/share/recovery-desk.png")
    tmp.replace(out)
    return out


def installed_size_kib(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) // 1024


def deb(ver: str) -> Path:
    stage = ROOT / "build" / "deb" / f"recovery-desk_{ver}_amd64"
    shutil.rmtree(stage, ignore_errors=True)
    opt = stage / "opt" / "recovery-desk"
    shutil.copytree(FOLDER, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    os.symlink("/opt/recovery-desk/recovery-desk", stage / "usr" / "bin" / "recovery-desk")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy(LINUX / "recovery-desk.desktop", apps / "recovery-desk.desktop")
    metainfo = stage / "usr" / "share" / "metainfo"
    metainfo.mkdir(parents=True)
    text = (LINUX / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    (metainfo / f"{APP_ID}.metainfo.xml").write_text(
        text.replace("@VERSION@", ver).replace("@DATE@", date.today().isoformat()), encoding="utf-8")
    hicolor = stage / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy(ICONS / f"recovery-desk-{size}.png", target / "recovery-desk.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy(ICONS / "recovery-desk.svg", hicolor / "scalable" / "apps" / "recovery-desk.svg")
    docs = stage / "usr" / "share" / "doc" / "recovery-desk"
    docs.mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "fonts" / "IPA_Font_License_and_copyright.txt", docs / "IPA_Font_License.txt")
    debian = stage / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text("\n".join([
        "Package: recovery-desk",
        f"Version: {ver}",
        "Architecture: amd64",
        "Section: misc",
        "Priority: optional",
        "Maintainer: Recovery Desk <recovery-desk@localhost>",
        f"Installed-Size: {installed_size_kib(stage)}",
        f"Depends: {', '.join(DEPENDS)}",
        f"Recommends: {', '.join(RECOMMENDS)}",
        "Description: offline case management for disaster recovery across sectors",
        " The organisations that rebuild an area after a disaster manage recovery cases",
        " together: cases and needs, a board of tasks, organisations and people, PDF",
        " reports, spreadsheet import and export. Works offline, in Japanese and English.",
        " The application is self-contained under /opt/recovery-desk (no Python needed).",
        "",
    ]), encoding="utf-8")
    for path in [stage, *stage.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    out = DIST / f"recovery-desk_{ver}_amd64.deb"
    partial = out.with_name(out.name + ".part")  # a killed build leaves no .deb that looks whole
    # gzip: every dpkg reads it, and xz took over 4 CPU-minutes for this folder
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(stage), str(partial)],
                   check=True, stdout=subprocess.DEVNULL)
    partial.replace(out)
    shutil.rmtree(stage)
    return out


def main() -> int:
    if not (FOLDER / "recovery-desk").is_file():
        print(f"no frozen app in {FOLDER}: run PyInstaller first (make package)", file=sys.stderr)
        return 1
    ver = version()
    folder_mb = sum(f.stat().st_size for f in FOLDER.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    print(f"{FOLDER.relative_to(ROOT)}: {folder_mb:.0f} MB")
    for build in (tarball, deb):
        out = build(ver)
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
