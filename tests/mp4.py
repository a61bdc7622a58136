"""Read back the MP4s atlas writes, with nothing left open (a helper of the tests).

imageio-ffmpeg's ``read_frames`` (which imageio's ffmpeg plugin also reads
through) closes its ffmpeg process's stdin and stdout only if ffmpeg is still
running when the reading ends; after a complete read it has exited, and both
pipes are left open: "ResourceWarning: unclosed file", which fails whichever
test is running when they are collected (warnings are errors in the tests).
Here ffmpeg runs to completion under ``subprocess.run``, which closes everything.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from imageio_ffmpeg._parsing import parse_ffmpeg_header


def read_mp4(path: str | Path) -> tuple[dict, np.ndarray]:
    """``(meta, frames)``: ffmpeg's description of the video stream (``codec``,
    ``pix_fmt``, ``size`` = (width, height), ``fps``, ...) and every frame as
    RGB, shape ``(n, height, width, 3)``."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    done = subprocess.run(command, capture_output=True, check=True)
    meta = parse_ffmpeg_header(done.stderr.decode("utf-8", "replace"))
    width, height = meta["size"]
    return meta, np.frombuffer(done.stdout, np.uint8).reshape(-1, height, width, 3)
