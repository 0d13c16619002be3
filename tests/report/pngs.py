"""A PNG reader for the tests, with zlib and struct only: it checks every chunk's CRC."""

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 6: 4}  # colour type -> channels


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit, non-interlaced PNG whose rows are unfiltered, as uint8 (H, W, C)."""
    assert data[:8] == SIGNATURE
    kinds, idat, offset = [], b"", 8
    width = height = colour = -1
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(
                ">IIBBBBB", body
            )
            assert (depth, compression, filtering, interlace) == (8, 0, 0, 0)
        elif kind == b"IDAT":
            idat += body
        kinds.append(kind)
        offset += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and offset == len(data)
    channels = CHANNELS[colour]
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, -1)
    assert rows.shape[1] == 1 + width * channels
    assert not rows[:, 0].any()  # filter type 0 on every row
    return rows[:, 1:].reshape(height, width, channels)
