"""Generate the camera frames in tests/data/ that the decoder tests, the FakeCamera and the bench use.

    .venv/bin/python tools/make_test_images.py [--out tests/data]

Writes 1280x720 frames that look like a webcam pointed at a desk (a lit gradient, a sheet of paper
with the code on it, some clutter), kept smooth so the PNGs stay small:

- frames/01_no_code.png       a desk with paper and shapes but no code
- frames/02_slip_qr.png       the slip's pickup QR code (payload SLIP_PAYLOAD), upright
- frames/03_slip_qr_rotated.png   the same, turned 27 degrees
- frames/04_slip_qr_blurred.png   the same, out of focus (Gaussian blur, sigma 2.2)
- frames/05_cccd_qr.png       a citizen ID card's QR code (payload CCCD_PAYLOAD), in colour
- frames/06_slip_code128.png  the slip's Code 128 barcode
- receipt_qr.png              the QR code cropped from a real receipt (docx → PDF → PNG), when
                              LibreOffice and pdftoppm are installed (skipped otherwise)

The slip payload is signed with SECRET (a fixed test key), so it is a real, well-formed payload.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import segno

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "00112233445566778899aabbccddeeff"
SLIP_CODE = "000.00.13.H42-261122-0007"
CCCD_PAYLOAD = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"
W, H = 1280, 720


def slip_payload() -> str:
    from desk.services.payload import make_payload

    return make_payload(SLIP_CODE, secret=SECRET)


def qr_image(text: str, scale: int) -> np.ndarray:
    """A QR symbol as a grayscale array (quiet zone included), ``scale`` pixels per module."""
    qr = segno.make(text, error="m", micro=False)
    rows = np.array([[0 if dark else 255 for dark in row] for row in qr.matrix_iter(scale=scale, border=4)],
                    dtype=np.uint8)
    return rows


def code128_image(text: str) -> np.ndarray:
    from desk.services.barcode import code128_png

    data = np.frombuffer(code128_png(text, scale=2, height=110), dtype=np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def desk_background(seed: int) -> np.ndarray:
    """A grey desk lit from the left with a sheet of paper and a few objects (BGR)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, W, dtype=np.float32)
    y = np.linspace(0, 1, H, dtype=np.float32)[:, None]
    light = 120 + 50 * (1 - x) - 25 * y
    frame = np.dstack([light * 0.95, light, light * 1.05]).clip(0, 255).astype(np.uint8)
    # clutter: a pen, a stamp pad, a cup seen from above
    cv2.line(frame, (90, 600), (330, 520), (40, 40, 150), 14)
    cv2.rectangle(frame, (1030, 80), (1200, 190), (60, 30, 30), -1)
    cv2.circle(frame, (1120, 560), 80, (200, 200, 210), -1)
    cv2.circle(frame, (1120, 560), 62, (80, 60, 40), -1)
    # paper, slightly tilted
    box = cv2.boxPoints(((640, 360), (560, 520), float(rng.uniform(-4, 4))))
    cv2.fillPoly(frame, [box.astype(np.int32)], (236, 238, 240))
    # printed lines on the paper
    for i in range(6):
        cv2.line(frame, (420, 140 + 18 * i), (860, 140 + 18 * i), (150, 150, 150), 2)
    return frame


def paste(frame: np.ndarray, symbol: np.ndarray, centre: tuple[int, int], angle: float = 0.0) -> np.ndarray:
    """Put a grayscale symbol on the frame at ``centre``, turned by ``angle`` degrees (white corners)."""
    out = frame.copy()
    h, w = symbol.shape
    if angle:
        diag = int(math.ceil(math.hypot(w, h)))
        canvas = np.full((diag, diag), 255, np.uint8)
        canvas[(diag - h) // 2:(diag - h) // 2 + h, (diag - w) // 2:(diag - w) // 2 + w] = symbol
        m = cv2.getRotationMatrix2D((diag / 2, diag / 2), angle, 1.0)
        symbol = cv2.warpAffine(canvas, m, (diag, diag), flags=cv2.INTER_LINEAR, borderValue=255)
        h, w = symbol.shape
    x0, y0 = centre[0] - w // 2, centre[1] - h // 2
    # ink is not pure black and paper not pure white on a camera
    tone = (symbol.astype(np.float32) / 255.0 * 200 + 30).astype(np.uint8)
    out[y0:y0 + h, x0:x0 + w] = np.dstack([tone, tone, tone])
    return out


def frames() -> dict[str, np.ndarray]:
    payload = slip_payload()
    qr = qr_image(payload, 7)
    base = desk_background(1)
    slip = paste(base, qr, (640, 400))
    return {
        "frames/01_no_code.png": cv2.cvtColor(desk_background(2), cv2.COLOR_BGR2GRAY),
        "frames/02_slip_qr.png": cv2.cvtColor(slip, cv2.COLOR_BGR2GRAY),
        "frames/03_slip_qr_rotated.png": cv2.cvtColor(paste(base, qr, (640, 380), angle=27), cv2.COLOR_BGR2GRAY),
        "frames/04_slip_qr_blurred.png": cv2.GaussianBlur(cv2.cvtColor(slip, cv2.COLOR_BGR2GRAY), (0, 0), 2.2),
        "frames/05_cccd_qr.png": paste(desk_background(3), qr_image(CCCD_PAYLOAD, 4), (640, 380)),
        "frames/06_slip_code128.png": cv2.cvtColor(paste(base, code128_image(payload), (640, 380)),
                                                   cv2.COLOR_BGR2GRAY),
    }


def receipt_qr(work: Path) -> np.ndarray | None:
    """The QR code of a real Mẫu 01 receipt printed to PDF by LibreOffice, cropped from a 150 dpi page."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("soffice/pdftoppm not installed: receipt_qr.png not made", file=sys.stderr)
        return None
    code = make_demo_dossier(work)
    from desk.services.accounts import get_actor
    from desk.services.documents import receipt

    docx = receipt(code, work / "receipt.docx", actor=get_actor("admin"))
    page = render_page(docx, work)
    return crop_qr(page)


def make_demo_dossier(work: Path) -> str:
    """A dossier in a throw-away database whose office key is SECRET (so the payload matches slip_payload)."""
    from desk.models import Office
    from desk.models import db as dbmod
    from desk.services.accounts import get_actor
    from desk.services.intake import Applicant, IntakeRequest, register
    from desk.services.setup import SAMPLE_OFFICE, initialize

    dbmod.connect(f"sqlite:///{work / 'make.db'}")
    initialize(SAMPLE_OFFICE, actor=None, load_catalog=True)
    Office.update(secret=SECRET).execute()
    return register(IntakeRequest("1.001193", Applicant(name="Nguyễn Văn An", gender="Nam")),
                    actor=get_actor("admin")).code


def render_page(docx: Path, work: Path, dpi: int = 150) -> np.ndarray:
    """docx → PDF (LibreOffice) → first page as a grayscale array (pdftoppm)."""
    profile = (work / "lo-profile").as_uri()
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(work), str(docx)], check=True, timeout=240,
                   capture_output=True)
    pdf = work / (docx.stem + ".pdf")
    prefix = work / "page"
    subprocess.run([shutil.which("pdftoppm"), "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-png", str(pdf),
                    str(prefix)], check=True, timeout=60)
    png = next(work.glob("page-*1.png"))
    return cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)


def crop_qr(page: np.ndarray, margin: int = 40) -> np.ndarray | None:
    """The QR code's region of a page (found by pyzbar) with a margin, or None when there is none."""
    from pyzbar.pyzbar import ZBarSymbol, decode

    found = decode(page, symbols=[ZBarSymbol.QRCODE])
    if not found:
        return None
    r = found[0].rect
    y0, x0 = max(r.top - margin, 0), max(r.left - margin, 0)
    return page[y0:r.top + r.height + margin, x0:r.left + r.width + margin].copy()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "tests" / "data"))
    parser.add_argument("--no-receipt", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    (out / "frames").mkdir(parents=True, exist_ok=True)
    for name, image in frames().items():
        cv2.imwrite(str(out / name), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(out / name)
    if not args.no_receipt:
        with tempfile.TemporaryDirectory(prefix="desk-images-") as tmp:
            crop = receipt_qr(Path(tmp))
        if crop is not None:
            cv2.imwrite(str(out / "receipt_qr.png"), crop, [cv2.IMWRITE_PNG_COMPRESSION, 9])
            print(out / "receipt_qr.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
