"""The calling display's sound (D50): a soft chime, then a Vietnamese voice, both offline.

The voice is espeak-ng (``espeak-ng -v vi``) when it is installed, else Qt's text-to-speech when its engine
has a Vietnamese voice, else none (the display still shows the number; one log line says why). The chime
is a short two-tone WAV made here with the standard library and played by the system's own player
(``paplay``/``aplay`` on Linux, ``winsound`` on Windows), so no multimedia library joins the bundle.
Nothing here blocks the caller: players and speakers run as background processes or Qt's own engine.
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import wave
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CHIME_RATE = 22_050
# Two soft tones (E5, C5), each fading out: the "ding-dong" of a waiting room, not an alarm.
CHIME_TONES = ((659.25, 0.32), (523.25, 0.5))
CHIME_VOLUME = 0.25


def chime_wav(path: Path) -> Path:
    """Write the chime as a mono 16-bit WAV (about 0.8 s) and return ``path``."""
    frames = bytearray()
    for frequency, seconds in CHIME_TONES:
        count = int(CHIME_RATE * seconds)
        for i in range(count):
            fade = (1 - i / count) ** 2
            value = CHIME_VOLUME * fade * math.sin(2 * math.pi * frequency * i / CHIME_RATE)
            frames += struct.pack("<h", int(value * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CHIME_RATE)
        out.writeframes(bytes(frames))
    return path


def espeak_command(text: str, *, wav: Path | None = None) -> list[str] | None:
    """The espeak-ng command that says ``text`` in Vietnamese (into ``wav`` when given); None without it."""
    program = shutil.which("espeak-ng")
    if program is None:
        return None
    command = [program, "-v", "vi", "-s", "135", "-a", "120"]
    if wav is not None:
        command += ["-w", str(wav)]
    return [*command, text]


def _player() -> list[str] | None:
    for name in ("paplay", "aplay"):
        program = shutil.which(name)
        if program:
            return [program] + (["-q"] if name == "aplay" else [])
    return None


class Announcer:
    """Says calls aloud: ``announce("Mời số 12 đến quầy số 2")`` plays the chime, then the voice."""

    def __init__(self, *, enabled: bool = True):
        self.enabled = enabled
        self._chime = chime_wav(Path(tempfile.mkdtemp(prefix="desk-chime-")) / "chime.wav")
        self._qt_speech: Any = None  # a QTextToSpeech with a Vietnamese voice
        self.voice = "espeak-ng" if shutil.which("espeak-ng") else self._qt_voice()
        if enabled and not self.voice:
            log.info("no Vietnamese voice (install espeak-ng): the display calls without speaking")
        self.said: list[str] = []  # what was announced, in order (the display's log and its tests read it)

    def _qt_voice(self) -> str:
        """Qt's text-to-speech with a Vietnamese voice, if its engine on this machine has one."""
        try:
            from PyQt6.QtCore import QLocale
            from PyQt6.QtTextToSpeech import QTextToSpeech
        except ImportError:
            return ""
        try:
            speech = QTextToSpeech()
            vietnamese = [loc for loc in speech.availableLocales() if loc.language() == QLocale.Language.Vietnamese]
        except RuntimeError:
            return ""
        if not vietnamese:
            return ""
        speech.setLocale(vietnamese[0])
        self._qt_speech = speech
        return "qt"

    def announce(self, text: str) -> None:
        """Chime, then say ``text`` (nothing when switched off); never raises, never waits."""
        self.said.append(text)
        if not self.enabled:
            return
        if self._qt_speech is not None:  # Qt's engine lives on the UI thread: the chime plays meanwhile
            from PyQt6.QtCore import QTimer

            threading.Thread(target=self._sound, args=(None,), daemon=True, name="desk-chime").start()
            speech = self._qt_speech
            QTimer.singleShot(int(sum(s for _f, s in CHIME_TONES) * 1000), lambda: speech.say(text))
            return
        threading.Thread(target=self._sound, args=(espeak_command(text) if self.voice else None,), daemon=True,
                         name="desk-announce").start()

    def _sound(self, voice: list[str] | None) -> None:
        """On a background thread: the chime to its end, then the voice (one sound device, one at a time)."""
        try:
            if sys.platform == "win32":
                import winsound

                winsound.PlaySound(str(self._chime), winsound.SND_FILENAME)
            else:
                player = _player()
                if player:
                    subprocess.run([*player, str(self._chime)], capture_output=True, timeout=10, check=False)
            if voice:
                subprocess.run(voice, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            log.warning("the display could not play its call", exc_info=True)
