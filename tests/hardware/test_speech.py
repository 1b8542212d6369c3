"""The calling display's sound (D50): the chime is a real WAV, and espeak-ng speaks Vietnamese offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import wave

import pytest

from desk.hardware import speech


def test_the_chime_is_a_short_soft_wav(tmp_path):
    path = speech.chime_wav(tmp_path / "chime.wav")
    with wave.open(str(path)) as read:
        seconds = read.getnframes() / read.getframerate()
        frames = read.readframes(read.getnframes())
    assert read.getnchannels() == 1 and 0.7 < seconds < 1.0
    peak = max(abs(int.from_bytes(frames[i:i + 2], "little", signed=True)) for i in range(0, len(frames), 2))
    assert 0.15 * 32767 < peak <= speech.CHIME_VOLUME * 32767 + 1  # audible, never loud


def test_espeak_says_the_call_in_vietnamese(tmp_path):
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is not installed (apt install espeak-ng): the display would call silently")
        pytest.skip("espeak-ng is not installed")
    out = tmp_path / "call.wav"
    command = speech.espeak_command("Mời số 12 đến quầy số 2", wav=out)
    assert command is not None and command[1:3] == ["-v", "vi"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with wave.open(str(out)) as read:
        assert read.getnframes() / read.getframerate() > 1.0  # a sentence, not silence
    voices = subprocess.run(["espeak-ng", "--voices=vi"], capture_output=True, text=True, timeout=60).stdout
    assert "vi" in voices.split()


def test_switched_off_it_plays_nothing_but_keeps_count():
    announcer = speech.Announcer(enabled=False)
    announcer.announce("Mời số 3 đến quầy số 1")
    assert announcer.said == ["Mời số 3 đến quầy số 1"]
    assert not [t for t in threading.enumerate() if t.name.startswith("desk-")]  # no chime, no voice started
