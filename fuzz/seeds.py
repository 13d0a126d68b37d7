#!/usr/bin/env python3
"""Writes seed corpora of valid inputs for the fuzz targets (fuzz/run.sh calls it):
corpus/idx (IDX files of every type, raw and gzip), corpus/npy (.npy v1/v2, several dtypes and
orders), corpus/csv (headers, quoting, labels), corpus/cli_args (one selector byte, then a value:
hidden widths, algorithm lists, architectures, dataset specs). Standard library only."""
import gzip
import os
import struct
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "corpus"


def put(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# IDX: magic 0 0 type ndim, big-endian u32 dims, big-endian data.
idx_types = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}
for code, fmt in idx_types.items():
    for dims in ([3], [2, 2], [2, 2, 2]):
        n = 1
        for x in dims:
            n *= x
        vals = [(i % 5) if fmt not in "fd" else i * 0.5 for i in range(n)]
        body = bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", x) for x in dims)
        body += struct.pack(">" + fmt * n, *vals)
        put("idx", f"t{code:02x}_{len(dims)}.idx", body)
        put("idx", f"t{code:02x}_{len(dims)}.idx.gz", gzip.compress(body))


def npy(descr, shape, data, fortran=False, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr,
        "True" if fortran else "False",
        "".join(f"{s}," for s in shape) if len(shape) == 1 else ", ".join(map(str, shape)),
    )
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(header) + 1) % 64) % 64
    header = header + " " * pad + "\n"
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header))
    else:
        head = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header))
    return head + header.encode("latin1") + data


for descr, fmt in [("<f8", "<d"), ("<f4", "<f"), ("<i8", "<q"), ("|u1", "<B"), (">f8", ">d"), ("<i4", "<i")]:
    for shape in ([4], [2, 3]):
        n = 1
        for s in shape:
            n *= s
        vals = [i if fmt[-1] not in "df" else i * 0.25 for i in range(n)]
        data = struct.pack(fmt[0] + fmt[1] * n, *vals)
        tag = descr.replace("<", "l").replace(">", "b").replace("|", "n")
        put("npy", f"{tag}_{len(shape)}.npy", npy(descr, shape, data))
        put("npy", f"{tag}_{len(shape)}_v2.npy", npy(descr, shape, data, version=2))
        put("npy", f"{tag}_{len(shape)}_f.npy", npy(descr, shape, data, fortran=True))
put("npy", "f8.npy.gz", gzip.compress(npy("<f8", [2], struct.pack("<2d", 1.0, 2.0))))

csvs = {
    "plain.csv": "a,b,label\n1,2,x\n3,4,y\n",
    "quoted.csv": '"a","b,c",label\n1,"2",x\n"3.5",4e2,"y"\n',
    "noheader.csv": "1,2,0\n3,4,1\n5,6,0\n",
    "crlf.csv": "a,b,label\r\n1,2,x\r\n3,4,y\r\n",
    "iris.csv": "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n",
    "missing.csv": "a,b,label\n1,,x\nNaN,4,y\n",
}
for name, text in csvs.items():
    put("csv", name, text.encode())

args = {
    0: ["256", "256,128", "none", "10,,10", ",", "", "0", " 64 , 32 ", "18446744073709551616"],
    1: ["bp", "bp,fa,dfa,ss,pc,ep,ep-sym,chl,dtp,es", "usf,brsf,frsf,readout", "bp,,fa", "nope"],
    2: ["conv:8x5,pool:2,conv:16x5,pool:2,dense:10", "conv:4x3s2p1,avgpool:2s2,dense:10",
        "maxpool:2,flatten,dense:3", "conv:0x3", "dense:10"],
    3: ["digits", "idx:missing", "npy:x.npy,y.npy", "npy:x.npy", "csv:x", "mnist"],
}
for sel, values in args.items():
    for i, v in enumerate(values):
        # selector byte: low 2 bits pick the parser; for arch, high bits pick a 28x28, 1-channel
        # input (hw = 1 + 2 * ((sel >> 2) & 15) -> 13 -> 27 px) or an 8x8 one.
        selector = sel | (13 << 2) if sel == 2 and i % 2 == 0 else sel | (4 << 2) if sel == 2 else sel
        put("cli_args", f"s{sel}_{i}", bytes([selector]) + v.encode())
