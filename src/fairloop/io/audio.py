"""What an audio file really is: its container, codec, duration and sample rate, found
by decoding it (never from its name or the browser's claim).

WAV is read with the standard library's ``wave``. Everything else (WebM/Opus and Ogg from
browsers' MediaRecorder, MP4/AAC, MP3, FLAC) is decoded with PyAV, FFmpeg's libraries as
a PyPI wheel: no system FFmpeg needed, and the same decoder on every machine.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

# FFmpeg's demuxer names -> our format names (the ones a spec's ``formats`` lists).
_FORMATS = {
    "matroska,webm": "webm",
    "webm": "webm",
    "ogg": "ogg",
    "wav": "wav",
    "mov,mp4,m4a,3gp,3g2,mj2": "mp4",
    "mp3": "mpeg",
    "flac": "flac",
}
EXTENSIONS = {
    "webm": "webm",
    "ogg": "ogg",
    "wav": "wav",
    "mp4": "m4a",
    "mpeg": "mp3",
    "flac": "flac",
}
MIME = {
    "webm": "audio/webm",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp4": "audio/mp4",
    "mpeg": "audio/mpeg",
    "flac": "audio/flac",
}


class NotAudio(ValueError):
    """The bytes are not audio this server can decode."""


@dataclass(frozen=True)
class AudioInfo:
    format: str
    codec: str
    duration_seconds: float
    sample_rate: int
    channels: int


def probe(data: bytes, *, max_seconds: float = 3_600.0) -> AudioInfo:
    """Decode ``data`` and say what it is. Raises NotAudio when it is not audio.

    Decoding stops past ``max_seconds`` (plus a margin): a take that long is refused
    anyway, and a hostile file must not keep the server decoding.
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        try:
            return _wav(data)
        except (wave.Error, EOFError):
            pass  # e.g. a WAV of floats or an extensible header: let FFmpeg try
    return _ffmpeg(data, max_seconds=max_seconds)


def _wav(data: bytes) -> AudioInfo:
    with wave.open(io.BytesIO(data), "rb") as wav:
        rate, frames, channels = wav.getframerate(), wav.getnframes(), wav.getnchannels()
        width = wav.getsampwidth()
        # The header can claim more frames than the file holds: count what is there.
        present = len(wav.readframes(frames)) // max(1, width * channels)
    if rate <= 0 or present <= 0:
        raise NotAudio("the WAV file holds no samples")
    return AudioInfo("wav", f"pcm_s{8 * width}", present / rate, rate, channels)


def _ffmpeg(data: bytes, *, max_seconds: float) -> AudioInfo:
    import av

    av.logging.set_level(av.logging.PANIC)
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            streams = container.streams.audio
            if not streams or len(container.streams.video) > 0:
                raise NotAudio("the file has no audio stream, or has video")
            stream = streams[0]
            fmt = _FORMATS.get(container.format.name)
            if fmt is None:
                raise NotAudio(f"the {container.format.name} container is not accepted")
            samples, rate, channels = 0, 0, 0
            limit = max_seconds + 5
            for frame in container.decode(stream):
                rate = frame.sample_rate or rate
                channels = len(frame.layout.channels) or channels
                samples += frame.samples
                if rate and samples / rate > limit:
                    break
            codec = stream.codec_context.name
    except NotAudio:
        raise
    except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
        raise NotAudio("the file could not be decoded as audio") from exc
    if not rate or not samples:
        raise NotAudio("the file holds no audio samples")
    return AudioInfo(fmt, codec, samples / rate, rate, channels)
