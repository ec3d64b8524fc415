#!/usr/bin/python3
"""Writes the small .npy files that NpyTest reads (src/test/resources/npy/), with real numpy.

Every float file holds the same 2x3x4 array, base[i, j, k] = (12*i + 4*j + k) * 0.25 - 1.5, in a
different byte order, memory order or format version, so the Java test checks them all against one
formula. Run from anywhere: /usr/bin/python3 scripts/make-npy-fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "npy")


def save(name, array, version=None):
    path = os.path.join(OUT, name)
    if version is None:
        np.save(path, array, allow_pickle=array.dtype == object)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=version)


def main():
    os.makedirs(OUT, exist_ok=True)
    base = (np.arange(24, dtype=np.float32) * 0.25 - 1.5).reshape(2, 3, 4)
    save("c-little.npy", base)
    save("c-big.npy", base.astype(">f4"))
    save("fortran-little.npy", np.asfortranarray(base))
    save("fortran-big.npy", np.asfortranarray(base.astype(">f4")))
    save("version2.npy", base, version=(2, 0))
    save("version3.npy", base, version=(3, 0))
    save("scalar.npy", np.array(2.5, dtype=np.float32))
    save("vector.npy", np.array([1.0, -2.0, 3.5], dtype=np.float32))
    save("float64.npy", base.astype(np.float64))
    save("int32.npy", np.arange(6, dtype=np.int32))
    save("bool.npy", np.array([True, False]))
    save("object.npy", np.array([1, "a"], dtype=object))
    save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))


if __name__ == "__main__":
    main()
