#!/usr/bin/python3
"""make_fixtures.py: writes tests/nn/fixtures/*.emvx, small bundles (two valid,
the rest broken in one way each) and expected.txt: "file<TAB>error substring"
("OK" for valid ones). Run: /usr/bin/python3 tests/nn/make_fixtures.py"""
import copy
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emvx  # noqa: E402
from emvx import layer  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
EMOTIONS = ["angry", "calm", "disgust", "fear", "happy", "neutral", "sad", "surprised"]
rng = np.random.default_rng(4)


def r(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def summary_bundle():
    return dict(cfg=[16000, 400, 160, 1, 1, 300, 50], input=[1, 1, 98], norm=[2, 98, 0],
                labels=list(EMOTIONS),
                layers=[layer("conv1d", 4, 1, 3, 1, 1, 0, 1), layer("relu"),
                        layer("maxpool1d", 0, 1, 3, 1, 2), layer("dropout", rate=0.2),
                        layer("flatten"), layer("dense", 8), layer("softmax")],
                tensors=[("norm.mean", r(98)), ("norm.scale", r(98, lo=0.5, hi=1.5)),
                         ("layer0.weight", r(4, 1, 3)), ("layer0.bias", r(4)),
                         ("layer5.weight", r(8, 192)), ("layer5.bias", r(8))])


def logmel_bundle():
    return dict(cfg=[16000, 400, 160, 1, 2, 8, 4], input=[1, 64, 8], norm=[1, 64, 1],
                labels=list(EMOTIONS),
                layers=[layer("conv2d", 2, 3, 3, 1, 1, 1, 1), layer("batchnorm", eps=1e-5),
                        layer("relu"), layer("maxpool2d", 0, 2, 2, 2, 2), layer("gap"),
                        layer("dense", 8), layer("softmax")],
                tensors=[("norm.mean", r(64)), ("norm.scale", r(64, lo=0.5, hi=1.5)),
                         ("layer0.weight", r(2, 1, 3, 3)), ("layer0.bias", r(2)),
                         ("layer1.weight", r(2, lo=0.5, hi=1.5)), ("layer1.bias", r(2)),
                         ("layer1.mean", r(2)), ("layer1.var", r(2, lo=0.5, hi=2.0)),
                         ("layer5.weight", r(8, 2)), ("layer5.bias", r(8))])


def adapt_bundle():
    """The summary bundle with speaker adaptation (format v2)."""
    b = summary_bundle()
    b["adapt"] = [98, 4.0, 600.0]
    b["tensors"][2:2] = [("adapt.mean", r(98)), ("adapt.var", r(98, lo=0.5, hi=2.0))]
    return b


def edit(base, fn):
    b = copy.deepcopy(base)
    fn(b)
    return emvx.write(b)


def patch(data, off, fmt, *vals, crc=True):
    buf = bytearray(data)
    struct.pack_into(fmt, buf, off, *vals)
    if crc:
        emvx.fix_crc(buf)
    return bytes(buf)


def tensor_rec(b, name):
    """Byte offset of a tensor's directory record in the written file."""
    i = [n for n, _ in b["tensors"]].index(name)
    return emvx.HEADER + 32 * len(b["labels"]) + 64 * len(b["layers"]) + 64 * i


def set_tensor(name, arr):
    def fn(b):
        b["tensors"] = [(n, arr if n == name else a) for n, a in b["tensors"]]
    return fn


def main():
    S, L = summary_bundle(), logmel_bundle()
    s, lg = emvx.write(S), emvx.write(L)
    w0 = tensor_rec(S, "layer0.weight")
    cases = {
        "valid_summary": (s, "OK"),
        "valid_logmel": (lg, "OK"),
        "truncated_header": (s[:50], "truncated: 50 bytes"),
        "truncated_tail": (s[:-100], "truncated: header says"),
        "empty": (b"", "truncated: 0 bytes"),
        "bitflip_payload": (s[:3000] + bytes([s[3000] ^ 0x10]) + s[3001:], "CRC mismatch"),
        "bad_magic": (patch(s, 0, "<4s", b"RIFF"), "bad magic"),
        "bad_version": (patch(s, 8, "<I", 5), "unsupported format version 5"),
        "bad_header_size": (patch(s, 12, "<I", 64), "header size 64"),
        "trailing_bytes": (patch(s + b"\0" * 8, 16, "<Q", len(s)), "trailing bytes"),
        "file_size_huge": (patch(s, 16, "<Q", 1 << 63), "over the 67108864-byte limit"),
        "reserved_header": (patch(s, 100, "<I", 7), "reserved header byte"),
        "too_many_labels": (patch(s, 76, "<I", 17), "17 labels"),
        "too_many_layers": (patch(s, 80, "<I", 33), "33 layers"),
        "zero_layers": (patch(s, 80, "<I", 0), "0 layers"),
        "tensor_count_absurd": (patch(s, 84, "<I", 0xFFFFFFFF), "tensors (at most"),
        "tables_overrun": (patch(s, 84, "<I", 130), "truncated: the label, layer and tensor"),
        "label_unterminated": (edit(S, lambda b: b["labels"].__setitem__(0, "x" * 32)),
                               "label 0 is not NUL-terminated"),
        "label_nonprintable": (edit(S, lambda b: b["labels"].__setitem__(2, b"bad\x01")),
                               "non-printable"),
        "label_duplicate": (edit(S, lambda b: b["labels"].__setitem__(3, "angry")),
                            "duplicate"),
        "label_count_mismatch": (edit(S, lambda b: b["labels"].pop()),
                                 "does not match 7 labels"),
        "label_padding": (patch(s, 128 + 10, "<B", 65), "bytes after the NUL"),
        "unknown_layer_type": (edit(S, lambda b: b["layers"][1].update(type=99)),
                               "unknown layer type 99"),
        "layer_reserved": (patch(s, 128 + 32 * 8 + 64 + 50, "<B", 1), "reserved byte"),
        "shapes_dont_chain": (edit(S, lambda b: b["layers"].pop(4)), "is not flat"),
        "kernel_too_big": (edit(S, lambda b: b["layers"][2].update(kw=200)),
                           "larger than padded input"),
        "stride_zero": (edit(S, lambda b: b["layers"][2].update(sw=0)), "stride"),
        "pool_padding": (edit(S, lambda b: b["layers"][2].update(pw=2)), "over half the window"),
        "conv_padding": (edit(S, lambda b: b["layers"][0].update(pw=3)), "not below the kernel"),
        "dense_units_absurd": (edit(S, lambda b: b["layers"][5].update(out_ch=0xFFFFFFFF)),
                               "units out of range"),
        "dropout_rate": (edit(S, lambda b: b["layers"][3].update(rate=2.0)), "rate"),
        "bn_eps_zero": (edit(L, lambda b: b["layers"][1].update(eps=0.0)), "eps"),
        "dense_too_wide": (edit(S, lambda b: b["layers"][0].update(out_ch=65536)),
                           "input channels over 65536"),
        "huge_activation": (edit(L, lambda b: b["layers"][0].update(out_ch=65536)),
                            "layer 0 (conv2d): output {65536,64,8} over 16777216"),
        "tensor_shape_mismatch": (edit(S, set_tensor("layer0.weight", r(4, 1, 5))),
                                  "has shape [4,1,5], the layer needs [4,1,3]"),
        "missing_tensor": (edit(S, lambda b: b["tensors"].pop(3)), 'missing tensor "layer0.bias"'),
        "unexpected_tensor": (edit(S, lambda b: b["tensors"].append(("layer1.weight", r(2)))),
                              'unexpected tensor "layer1.weight"'),
        "duplicate_tensor": (edit(S, lambda b: b["tensors"].append(("layer5.bias", r(8)))),
                             'duplicate tensor "layer5.bias"'),
        "tensor_dim_huge": (patch(s, w0 + 36, "<I", 70000), "out of range 1..65536"),
        "tensor_elems_overflow": (patch(s, w0 + 32, "<I4I", 4, 65536, 65536, 65536, 65536),
                                  "over 16777216 elements"),
        "tensor_ndim": (patch(s, w0 + 32, "<I", 7), "7 dimensions"),
        "tensor_name_unterminated": (patch(s, w0, "<32s", b"w" * 32), "not NUL-terminated"),
        "tensor_offset_past_end": (patch(s, w0 + 56, "<Q", (1 << 64) - 64), "past the end"),
        "tensor_offset_unaligned": (patch(s, w0 + 56, "<Q",
                                          struct.unpack_from("<Q", s, w0 + 56)[0] + 4), "aligned"),
        "tensor_overlap": (patch(s, w0 + 56, "<Q", struct.unpack_from("<Q", s, w0 - 8)[0]),
                           "overlaps"),
        "tensor_in_tables": (patch(s, tensor_rec(S, "norm.mean") + 56, "<Q", 128), "overlaps"),
        "nan_weight": (edit(S, set_tensor("layer5.bias", np.full(8, np.nan, np.float32))),
                       "not finite"),
        "negative_variance": (edit(L, set_tensor("layer1.var", np.full(2, -1, np.float32))),
                              "negative variance"),
        "norm_length": (edit(S, lambda b: b["norm"].__setitem__(1, 97)), "normalisation"),
        "norm_axis": (edit(S, lambda b: b["norm"].__setitem__(0, 5)), "normalisation"),
        "wrong_sample_rate": (edit(S, lambda b: b["cfg"].__setitem__(0, 44100)),
                              "44100 Hz, frame 400, hop 160 not supported"),
        "unknown_input_kind": (edit(S, lambda b: b["cfg"].__setitem__(4, 9)), "unknown input kind 9"),
        "input_vs_config": (edit(S, lambda b: b["cfg"].__setitem__(4, 3)),
                            "does not match the feature configuration"),
    }
    A = adapt_bundle()
    cases.update({
        "valid_adapt": (emvx.write(A), "OK"),
        "v1_with_adapt_fields": (edit(A, lambda b: b.update(version=1)), "reserved header byte 88"),
        "adapt_length": (edit(A, lambda b: b.update(adapt=[97, 4.0, 600.0])),
                         "adaptation: length 97"),
        "adapt_prior": (edit(A, lambda b: b.update(adapt=[98, 0.5, 600.0])), "adaptation: prior"),
        "adapt_memory": (edit(A, lambda b: b.update(adapt=[98, 8.0, 4.0])), "adaptation: prior"),
        "adapt_missing_var": (edit(A, lambda b: b["tensors"].pop(3)), 'missing tensor "adapt.var"'),
        "adapt_negative_var": (edit(A, set_tensor("adapt.var", np.full(98, -1, np.float32))),
                               "adaptation: negative variance"),
        "adapt_nan_mean": (edit(A, set_tensor("adapt.mean", np.full(98, np.nan, np.float32))),
                           "adapt.mean: element 0 is not finite"),
    })
    # v3 ensembles: a summary network and an adapting one, same window
    a = emvx.write(A)
    e = emvx.write_ensemble([s, a])
    m1 = 64 + 16  # the second member's table entry
    at1 = struct.unpack_from("<Q", e, m1)[0]
    cases.update({
        "valid_ensemble": (e, "OK"),
        "ensemble_one_member": (emvx.write_ensemble([s]), "ensemble of 1 members"),
        "ensemble_five_members": (emvx.write_ensemble([s] * 5), "ensemble of 5 members"),
        "ensemble_nested": (emvx.write_ensemble([s, emvx.write_ensemble([s, a])]),
                            "member 1: format version 3 where a single network"),
        "ensemble_window": (emvx.write_ensemble([s, edit(A, lambda b: b["cfg"].__setitem__(5, 200))]),
                            "member 1: feature configuration (window 200"),
        "ensemble_labels": (emvx.write_ensemble([s, edit(S, lambda b: b["labels"].reverse())]),
                            "member 1: label 0 is 'surprised'"),
        "ensemble_overlap": (patch(e, m1, "<Q", 128), "member 1: bytes 128"),
        "ensemble_past_end": (patch(e, m1 + 8, "<Q", len(e)), "inside the file"),
        "ensemble_member_crc": (patch(e, at1 + 3000, "<B", e[at1 + 3000] ^ 1),
                                "member 1: CRC mismatch"),
        "ensemble_reserved": (patch(e, 120, "<I", 1), "reserved header byte 120"),
    })
    # v4: provenance text after the members (one network, or several)
    prov = "emovox-provenance: 1\ncommand: emovox train --data x.csv --out y.emvx\n"
    p1 = emvx.write_ensemble([a], prov)
    text_at = struct.unpack_from("<Q", p1, 32)[0]
    cases.update({
        "valid_provenance": (p1, "OK"),
        "valid_provenance_ensemble": (emvx.write_ensemble([s, a], prov), "OK"),
        "provenance_no_members": (emvx.write_ensemble([], prov), "bundle of 0 members"),
        "provenance_nul": (patch(p1, text_at + 5, "<B", 0), "provenance text holds a NUL byte"),
        "provenance_past_end": (patch(p1, 40, "<Q", len(p1)), "provenance: bytes"),
        "provenance_empty": (patch(p1, 40, "<Q", 0), "provenance of 0 bytes"),
        "provenance_reserved": (patch(p1, 48, "<I", 1), "reserved header byte 48"),
        "provenance_nested": (emvx.write_ensemble([s, p1]),
                              "member 1: format version 4 where a single network"),
    })
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".emvx"):
            os.remove(os.path.join(OUT, f))
    with open(os.path.join(OUT, "expected.txt"), "w") as ex:
        ex.write("# fixture<TAB>expected error substring (OK = valid); make_fixtures.py\n")
        for name, (data, msg) in cases.items():
            with open(os.path.join(OUT, name + ".emvx"), "wb") as f:
                f.write(data)
            ex.write(f"{name}.emvx\t{msg}\n")
    print(f"{len(cases)} fixtures in {OUT}")


if __name__ == "__main__":
    main()
