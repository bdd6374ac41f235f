#!/usr/bin/python3
"""Writes the binary IDX fixtures of tests/test_data.c into this directory.

Run from anywhere: /usr/bin/python3 tests/data/data/make_fixtures.py
The output is deterministic (gzip mtime 0), so a rerun leaves git clean.
"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
N, H, W = 6, 2, 3


def images(n=N, h=H, w=W, magic=0x803):
    return struct.pack(">IIII", magic, n, h, w)


def labels(n=N, magic=0x801):
    return struct.pack(">II", magic, n)


def pixels(n=N):
    # image i, pixel j: distinct, spread over 0..255
    return bytes((i * 41 + j * 7) % 256 for i in range(n) for j in range(H * W))


def write(name, data, gz=False):
    if gz:
        data = gzip.compress(data, compresslevel=9, mtime=0)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


good_images = images() + pixels()
good_labels = labels() + bytes([0, 1, 2, 0, 1, 2])

write("tiny-images.idx", good_images)
write("tiny-labels.idx", good_labels)
write("tiny-images.idx.gz", good_images, gz=True)
write("tiny-labels.idx.gz", good_labels, gz=True)

write("empty.idx", b"")
write("short-header.idx", good_images[:7])
write("bad-magic.idx", struct.pack(">I", 0) + good_images[4:])
write("zero-dim.idx", images(h=0) + pixels())
write("truncated-images.idx", good_images[:-6])
write("trailing-images.idx", good_images + b"extra")
write("huge-count.idx", images(n=100000000, h=28, w=28) + pixels())
write("labels-5.idx", labels(n=5) + bytes([0, 1, 2, 0, 1]))
write("labels-range.idx", labels() + bytes([0, 1, 2, 12, 1, 2]))

# a gzip stream cut inside its deflate data
gz = gzip.compress(good_images, compresslevel=9, mtime=0)
write("truncated-images.idx.gz", gz[:len(gz) - 12])
# a gzip stream whose CRC does not match its data
bad = bytearray(gz)
bad[-8] ^= 0xFF
write("bad-crc-images.idx.gz", bytes(bad))

# a directory in MNIST's layout for the "idx" dataset: training files raw,
# test files gzipped (both forms are accepted); 20 training images of 2x3
# with labels 0..3, 8 test images
IDX_DIR = os.path.join(HERE, "idx-dir")
os.makedirs(IDX_DIR, exist_ok=True)


def idx_pair(n, seed):
    pix = bytes((seed + i * 29 + j * 13 + (i * j) % 7) % 256
                for i in range(n) for j in range(H * W))
    return images(n=n) + pix, labels(n=n) + bytes(i % 4 for i in range(n))


ti, tl = idx_pair(20, 3)
write("idx-dir/train-images-idx3-ubyte", ti)
write("idx-dir/train-labels-idx1-ubyte", tl)
si, sl = idx_pair(8, 101)
write("idx-dir/t10k-images-idx3-ubyte.gz", si, gz=True)
write("idx-dir/t10k-labels-idx1-ubyte.gz", sl, gz=True)
