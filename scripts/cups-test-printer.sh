#!/usr/bin/env bash
# A real CUPS print queue for the printing tests: "DeskPDF", a CUPS-PDF printer whose PDFs land in one
# fixed folder, so a test can send a job with `lp` and then read what was printed.
# Installs CUPS and CUPS-PDF when missing, starts cupsd when it is not running (no systemd needed),
# creates or updates the queue; running it again changes nothing. Needs root (or sudo).
# Prints the two variables the tests read, e.g. `eval "$(bash scripts/cups-test-printer.sh)"`:
#   DESK_TEST_PRINTER=DeskPDF  DESK_TEST_PRINT_DIR=/var/spool/cups-pdf/desk
set -euo pipefail

QUEUE=${DESK_TEST_PRINTER:-DeskPDF}
OUT=${DESK_TEST_PRINT_DIR:-/var/spool/cups-pdf/desk}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "cups-test-printer: run as root (or install sudo)" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
for pkg in cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

running() { lpstat -r 2>/dev/null | grep -q "is running"; }
if ! running; then
  # A container has no systemd: start the scheduler here, in the foreground (-f) of a session of its
  # own, in the background. It tells the process that started it that it is ready with SIGUSR1, which
  # would kill this script (it did, on a fresh machine): ignore it. It gets none of our file
  # descriptors: a daemon keeping this script's stdout would hold the caller's pipe open for ever.
  trap '' USR1
  $SUDO setsid cupsd -f -C /etc/cups/cupsd.conf -s /etc/cups/cups-files.conf </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 30); do running && break; sleep 0.5; done
fi
running || { echo "cups-test-printer: cupsd does not answer (lpstat -r)" >&2; exit 1; }

# CUPS-PDF reads /etc/cups/cups-pdf-NAME.conf for the device cups-pdf:/NAME (plain cups-pdf:/ reads
# cups-pdf.conf, whose output goes to each user's ~/PDF): this queue's PDFs go to OUT.
$SUDO mkdir -p "$OUT"
$SUDO chmod 1777 "$OUT"
conf=/etc/cups/cups-pdf-$QUEUE.conf
wanted=$(printf '%s\n' "# written by scripts/cups-test-printer.sh: the test printer's PDFs go to one folder" \
  "Out $OUT" "AnonDirName $OUT" "Grp lpadmin" "UserUMask 0000" "AnonUMask 0000" "DecodeHexStrings 1")
if [ "$(cat "$conf" 2>/dev/null || true)" != "$wanted" ]; then
  printf '%s\n' "$wanted" | $SUDO tee "$conf" >/dev/null
fi

ppd=$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null || true)
[ -n "$ppd" ] || { echo "cups-test-printer: CUPS-PDF_opt.ppd not found (printer-driver-cups-pdf)" >&2; exit 1; }
if ! lpstat -v "$QUEUE" 2>/dev/null | grep -q "cups-pdf:/$QUEUE\$"; then
  $SUDO lpadmin -p "$QUEUE" -v "cups-pdf:/$QUEUE" -P "$ppd" -D "OneStop Desk test printer (PDF)" -o printer-error-policy=abort-job
fi
# CUPS-PDF turns the job into PostScript and back into PDF with Ghostscript, whose fonts then lose their
# text (Type 3 without ToUnicode, whatever program made the PDF). With pdftocairo making the PostScript,
# the printed PDF's text stays readable for ASCII and Latin-1 (the dossier code); the tests compare the
# printed page's pixels with the desk's own rendering for the Vietnamese letters.
$SUDO lpadmin -p "$QUEUE" -o pdftops-renderer-default=pdftocairo 2>/dev/null
$SUDO cupsenable "$QUEUE"
$SUDO cupsaccept "$QUEUE"
lpstat -p "$QUEUE" >&2

echo "export DESK_TEST_PRINTER=$QUEUE"
echo "export DESK_TEST_PRINT_DIR=$OUT"
