"""emvx.py: an independent Python reader/writer of the .emvx v1..v4 formats, written
from docs/bundle-format.md (not from the C code), used by the fixture generator
and the PyTorch parity check."""
import struct
import zlib

import numpy as np

MAGIC = b"\x89EMVX\r\n\x1a"
VERSION = 2  # newest network; written only with adaptation, else 1
ENSEMBLE = 3  # v3: whole v1/v2 bundles (members) whose probabilities are averaged
PROVENANCE = 4  # v4: as v3 with 1..4 members, plus the provenance text after them
HEADER = 128
LABEL_REC, LAYER_REC, TENSOR_REC, ALIGN = 32, 64, 64, 64

LAYER_TYPES = ["", "conv1d", "conv2d", "maxpool1d", "maxpool2d", "dense", "relu",
               "batchnorm", "dropout", "flatten", "gap", "softmax"]
LAYER_FIELDS = ["type", "out_ch", "kh", "kw", "sh", "sw", "ph", "pw"]


def layer(type_name, out_ch=0, kh=0, kw=0, sh=0, sw=0, ph=0, pw=0, rate=0.0, eps=0.0):
    return dict(type=LAYER_TYPES.index(type_name), out_ch=out_ch, kh=kh, kw=kw, sh=sh,
                sw=sw, ph=ph, pw=pw, rate=rate, eps=eps)


def write(b):
    """b: dict(cfg=[7 u32], input=[c,h,w], norm=[axis,len,window_mean], labels=[str],
    layers=[layer dicts], tensors=[(name, np.float32 array)]), optional
    adapt=[len, prior, memory] (version 2). Returns bytes."""
    labels, layers, tensors = b["labels"], b["layers"], b["tensors"]
    head = bytearray(HEADER)
    off = HEADER + LABEL_REC * len(labels) + LAYER_REC * len(layers) + TENSOR_REC * len(tensors)
    recs, payload_at = [], []
    for name, arr in tensors:
        off = (off + ALIGN - 1) // ALIGN * ALIGN
        payload_at.append(off)
        off += 4 * arr.size
    size = off + 4
    head[0:8] = MAGIC
    adapt = b.get("adapt")
    struct.pack_into("<IIQ", head, 8, b.get("version", 2 if adapt else 1), HEADER, size)
    if adapt:
        struct.pack_into("<Iff", head, 88, *adapt)
    struct.pack_into("<7I", head, 24, *b["cfg"])
    struct.pack_into("<3I3I3I", head, 52, *b["input"], *b["norm"], len(labels), len(layers),
                     len(tensors))
    out = bytearray(size)
    out[0:HEADER] = head
    p = HEADER
    for s in labels:
        raw = s.encode() if isinstance(s, str) else s
        out[p:p + len(raw)] = raw
        p += LABEL_REC
    for l in layers:
        struct.pack_into("<8Iff", out, p, *[l[k] for k in LAYER_FIELDS], l["rate"], l["eps"])
        p += LAYER_REC
    for (name, arr), at in zip(tensors, payload_at):
        dims = list(arr.shape) + [0] * (4 - arr.ndim)
        out[p:p + len(name)] = name.encode()
        struct.pack_into("<I4IIQ", out, p + 32, arr.ndim, *dims, 0, at)
        out[at:at + 4 * arr.size] = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        p += TENSOR_REC
    fix_crc(out)
    return bytes(out)


def write_ensemble(members, provenance=None):
    """members: whole v1/v2 bundles (bytes). Returns the v3 bundle, or with
    provenance (str) the v4 one: the UTF-8 text after the last member, its
    offset and size at header offsets 32 and 40."""
    table, off = [], HEADER
    for m in members:
        off = (off + ALIGN - 1) // ALIGN * ALIGN
        table.append((off, len(m)))
        off += len(m)
    text = provenance.encode() if provenance is not None else b""
    text_at = (off + ALIGN - 1) // ALIGN * ALIGN
    if provenance is not None:
        off = text_at + len(text)
    out = bytearray(off + 4)
    out[0:8] = MAGIC
    version = ENSEMBLE if provenance is None else PROVENANCE
    struct.pack_into("<IIQI", out, 8, version, HEADER, len(out), len(members))
    for k, ((at, n), m) in enumerate(zip(table, members)):
        struct.pack_into("<QQ", out, 64 + 16 * k, at, n)
        out[at:at + n] = m
    if provenance is not None:
        struct.pack_into("<QQ", out, 32, text_at, len(text))
        out[text_at:text_at + len(text)] = text
    fix_crc(out)
    return bytes(out)


def fix_crc(buf):
    struct.pack_into("<I", buf, len(buf) - 4, zlib.crc32(bytes(buf[:-4])) & 0xFFFFFFFF)


def read(data):
    """Parse (trusting the file: the C reader is the validator). Returns the dict;
    for a v3 ensemble, dict(members=[one dict per member])."""
    assert data[:8] == MAGIC, "bad magic"
    version, header, size = struct.unpack_from("<IIQ", data, 8)
    if version in (ENSEMBLE, PROVENANCE):
        n = struct.unpack_from("<I", data, 24)[0]
        spans = [struct.unpack_from("<QQ", data, 64 + 16 * k) for k in range(n)]
        out = dict(members=[read(data[at:at + m]) for at, m in spans])
        if version == PROVENANCE:
            at, m = struct.unpack_from("<QQ", data, 32)
            out["provenance"] = data[at:at + m].decode()
        return out
    assert version in (1, VERSION) and header == HEADER and size == len(data)
    assert struct.unpack_from("<I", data, size - 4)[0] == zlib.crc32(data[:-4]) & 0xFFFFFFFF
    cfg = list(struct.unpack_from("<7I", data, 24))
    v = struct.unpack_from("<9I", data, 52)
    n_labels, n_layers, n_tensors = v[6:9]
    p = HEADER
    labels = []
    for _ in range(n_labels):
        labels.append(data[p:p + LABEL_REC].split(b"\0")[0].decode())
        p += LABEL_REC
    layers = []
    for _ in range(n_layers):
        f = struct.unpack_from("<8Iff", data, p)
        l = dict(zip(LAYER_FIELDS, f[:8]))
        l["rate"], l["eps"] = f[8], f[9]
        l["name"] = LAYER_TYPES[l["type"]]
        layers.append(l)
        p += LAYER_REC
    tensors = {}
    for _ in range(n_tensors):
        name = data[p:p + 32].split(b"\0")[0].decode()
        nd, d0, d1, d2, d3, _z, at = struct.unpack_from("<I4IIQ", data, p + 32)
        shape = [d0, d1, d2, d3][:nd]
        n = int(np.prod(shape))
        tensors[name] = np.frombuffer(data, dtype="<f4", count=n, offset=at).reshape(shape).copy()
        p += TENSOR_REC
    out = dict(cfg=cfg, input=list(v[0:3]), norm=list(v[3:6]), labels=labels,
               layers=layers, tensors=tensors)
    if version == 2:
        out["adapt"] = list(struct.unpack_from("<Iff", data, 88))
    return out
