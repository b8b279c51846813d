"""Smoke test of the frozen app (``make package-test``): run dist/recovery-desk/recovery-desk
as a user of a borrowed laptop would — from another folder, with a HOME that does not exist
yet, PATH=/usr/bin:/bin, no XDG variables and no Python of ours on the PATH — and check that
each step exits 0 and did what it says. Prints one line per step with its time.

    python packaging/smoke_test.py [dist/recovery-desk/recovery-desk]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_SJIS = ROOT.parent / "shared" / "data" / "japan" / "localgovjp-2019-sjis.csv"
# Used when the shared data folder is not beside the checkout (a CI clone): the same
# columns, in Shift_JIS, with a name no Latin-1 or UTF-8 reading gets right.
FALLBACK_SJIS_ROWS = [
    ("pid", "pref", "cid", "city", "citykana", "lat", "lng"),
    ("17", "石川県", "17202", "七尾市", "ななおし", "37.04", "136.97"),
    ("17", "石川県", "17204", "輪島市", "わじまし", "37.39", "136.9"),
    ("17", "石川県", "17205", "珠洲市", "すずし", "37.44", "137.26"),
]


BUNDLED_FONT = "IPAexGothic"


class SmokeFailure(Exception):
    pass


def minimal_env(home: Path, **extra: str) -> dict[str, str]:
    """What a fresh login on a borrowed laptop gives, at most: no XDG_*, no venv, no Python."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
            "RECOVERY_DESK_ACTOR": "Smoke Test (Recovery Desk)", **extra}


def pdf_fonts(pdf: Path) -> tuple[set[str], set[str]]:
    """The PDF's fonts and those not embedded (subset prefixes removed): pdffonts when the
    machine has it, else pypdf."""
    if shutil.which("pdffonts"):
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
        # columns: name type [encoding…] emb sub uni object ID: "emb" is 5th from the right
        names = {r[0].split("+")[-1] for r in rows}
        return names, {r[0].split("+")[-1] for r in rows if len(r) >= 7 and r[-5] != "yes"}
    from pypdf import PdfReader

    names, missing = set(), set()
    for page in PdfReader(str(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or (
                font["/DescendantFonts"][0].get_object().get("/FontDescriptor") if "/DescendantFonts" in font else None)
            name = str(font.get("/BaseFont"))
            names.add(name)
            d = descriptor.get_object() if descriptor is not None else {}
            if not any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(name)
    return {n.lstrip("/").split("+")[-1] for n in names}, {n.lstrip("/").split("+")[-1] for n in missing}


def check_fonts(pdf: Path) -> str:
    names, missing = pdf_fonts(pdf)
    if not any(BUNDLED_FONT in n for n in names) or any(BUNDLED_FONT in n for n in missing):
        raise SmokeFailure(f"{BUNDLED_FONT} not embedded (fonts: {sorted(names)})")
    if missing:
        raise SmokeFailure(f"not embedded: {sorted(missing)}")
    return f"{len(names)} fonts, all embedded"


def main(argv: list[str]) -> int:
    binary = Path(argv[1] if len(argv) > 1 else ROOT / "dist" / "recovery-desk" / "recovery-desk").resolve()
    if not binary.is_file():
        print(f"no frozen app at {binary}: run `make package` first", file=sys.stderr)
        return 1
    from recovery_desk import __version__

    work = Path(tempfile.mkdtemp(prefix="rd-smoke-"))
    home = work / "home-not-yet-there"  # the app must create what it needs
    ws = work / "demo.rdesk"
    sjis = SHARED_SJIS if SHARED_SJIS.exists() else work / "areas-sjis.csv"
    if not SHARED_SJIS.exists():
        sjis.write_bytes("\r\n".join(",".join(r) for r in FALLBACK_SJIS_ROWS).encode("cp932") + b"\r\n")
    failures = 0

    def step(name: str, args: list[str], check: Callable[[subprocess.CompletedProcess], str] | None = None,
             timeout: int = 600, **env: str) -> None:
        nonlocal failures
        started = time.perf_counter()
        result = subprocess.run([str(binary), *args], cwd=work, env=minimal_env(home, **env),
                                capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - started
        try:
            if result.returncode != 0:
                raise SmokeFailure(f"exit {result.returncode}: {(result.stderr or result.stdout).strip()[-600:]}")
            if "Traceback (most recent call last)" in result.stderr:
                raise SmokeFailure(f"a traceback: {result.stderr.strip()[-600:]}")
            detail = check(result) if check else ""
        except SmokeFailure as exc:
            failures += 1
            print(f"FAIL {name:<34} {seconds:6.1f} s  {exc}")
        else:
            print(f"ok   {name:<34} {seconds:6.1f} s  {detail}")

    def version(result: subprocess.CompletedProcess) -> str:
        if __version__ not in result.stdout:
            raise SmokeFailure(f"version {__version__} not in {result.stdout!r}")
        return result.stdout.strip()

    def stats(result: subprocess.CompletedProcess) -> str:
        figures = json.loads(result.stdout)
        cases = figures.get("cases", {})
        total = cases.get("total") if isinstance(cases, dict) else cases
        if not total:
            raise SmokeFailure(f"no cases in {result.stdout[:200]}")
        return f"{total} cases"

    def pdf(path: Path) -> Callable[[subprocess.CompletedProcess], str]:
        def check(_result: subprocess.CompletedProcess) -> str:
            if not path.exists() or path.stat().st_size < 1000:
                raise SmokeFailure(f"{path.name} missing or empty")
            return f"{path.stat().st_size // 1024} KB, {check_fonts(path)}"
        return check

    def imported(result: subprocess.CompletedProcess) -> str:
        text = (result.stdout + result.stderr).strip()
        return text.splitlines()[0][:90] if text else ""

    def self_test(result: subprocess.CompletedProcess) -> str:
        if "self-test: ok" not in result.stdout:
            raise SmokeFailure(result.stdout + result.stderr)
        shown = next((line for line in result.stdout.splitlines() if line.startswith("shown")), "")
        return f"window {shown}"

    print(f"frozen app: {binary}\nworking folder: {work} (HOME {home} does not exist yet)")
    step("--version", ["--version"], version)
    step("demo", ["--workspace", str(ws), "demo", "--cases", "300"])
    step("stats --json", ["--workspace", str(ws), "stats", "--json"], stats)
    step("report incident (English)", ["--workspace", str(ws), "report", "incident", "--lang", "en",
                                       "--out", str(work / "incident-en.pdf")], pdf(work / "incident-en.pdf"))
    step("report incident (Japanese)", ["--workspace", str(ws), "report", "incident", "--lang", "ja",
                                        "--out", str(work / "incident-ja.pdf")], pdf(work / "incident-ja.pdf"))
    step(f"import areas ({sjis.name}, Shift_JIS)", ["--workspace", str(ws), "import", "areas", str(sjis)], imported)
    step("gui --self-test (English)", ["--workspace", str(ws), "--lang", "en", "gui", "--self-test"], self_test)
    step("gui --self-test (Japanese, welcome)", ["--lang", "ja", "gui", "--self-test"], self_test,
         RECOVERY_DESK_LOG_DIR=str(work / "logs"))
    if failures:
        print(f"{failures} step(s) failed; the files are in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("package smoke test passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
