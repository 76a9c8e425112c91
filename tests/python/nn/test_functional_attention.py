"""flashlight.nn.functional attention against torch: scaled_dot_product_attention (bool / float masks, causal,
scale, GQA, fully masked rows) and multi_head_attention_forward over its argument list (packed and separate
projections, bias_k / bias_v, add_zero_attn, key_padding_mask, attn_mask, need_weights, averaging, is_causal,
unbatched input), values and gradients; exception classes for bad arguments."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flashlight as fl
import flashlight.nn.functional as FF
from functional_parity import G, check, check_double_backward, raises_like

DTYPES = ["float32", "float64"]


def rand(rng, *shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa(rng, dtype):
    q, k, v = rand(rng, 2, 3, 4, 5), rand(rng, 2, 3, 6, 5), rand(rng, 2, 3, 6, 7)
    check("scaled_dot_product_attention", [G(q), G(k), G(v)], {}, dtype)
    check("scaled_dot_product_attention", [G(q), G(k), G(v)], {"scale": 0.3}, dtype)
    check("scaled_dot_product_attention", [G(q), G(k), G(v)], {"is_causal": True}, dtype)
    check("scaled_dot_product_attention", [G(rand(rng, 4, 5)), G(rand(rng, 4, 5)), G(rand(rng, 4, 2))],
          {"is_causal": True}, dtype)
    bool_mask = rng.uniform(size=(4, 6)) > 0.3
    bool_mask[:, 0] = True
    check("scaled_dot_product_attention", [G(q), G(k), G(v)], {"attn_mask": bool_mask}, dtype)
    check("scaled_dot_product_attention", [G(q), G(k), G(v)], {"attn_mask": G(rand(rng, 2, 1, 4, 6))}, dtype)
    # Broadcast batch dims, and grouped-query attention.
    check("scaled_dot_product_attention", [G(q), G(rand(rng, 1, 6, 5)), G(rand(rng, 1, 6, 7))], {}, dtype)
    check("scaled_dot_product_attention", [G(rand(rng, 2, 4, 3, 5)), G(rand(rng, 2, 2, 6, 5)),
                                           G(rand(rng, 2, 2, 6, 5))], {"enable_gqa": True}, dtype)


def test_sdpa_fully_masked_rows_give_zeros(rng):
    q, k, v = rand(rng, 1, 3, 4), rand(rng, 1, 5, 4), rand(rng, 1, 5, 4)
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    got, want = check("scaled_dot_product_attention", [G(q), G(k), G(v)], {"attn_mask": mask}, "float64")
    assert not np.any(got.detach().numpy()[0, 1])


def test_sdpa_dropout_statistics():
    # Values of dropout are not torch's stream: check that kept weights are rescaled by 1 / (1 - p).
    fl.manual_seed(0)
    q = fl.zeros(1, 64, 8)
    v = fl.eye(64).reshape(1, 64, 64)
    w = FF.scaled_dot_product_attention(q, q, v, dropout_p=0.25).numpy()  # uniform weights 1/64, then dropout
    kept = w[w != 0]
    np.testing.assert_allclose(kept, 1 / 64 / 0.75, rtol=1e-6)
    assert abs((w == 0).mean() - 0.25) < 0.03


def mha_params(rng, E, kdim=None, vdim=None, bias=True, add_bias_kv=False):
    p = {}
    if kdim is None and vdim is None:
        p["in_proj_weight"] = G(rand(rng, 3 * E, E) * 0.3)
        p["use_separate_proj_weight"] = False
    else:
        p["in_proj_weight"] = None
        p["q_proj_weight"] = G(rand(rng, E, E) * 0.3)
        p["k_proj_weight"] = G(rand(rng, E, kdim) * 0.3)
        p["v_proj_weight"] = G(rand(rng, E, vdim) * 0.3)
        p["use_separate_proj_weight"] = True
    p["in_proj_bias"] = G(rand(rng, 3 * E)) if bias else None
    p["bias_k"] = G(rand(rng, 1, 1, E)) if add_bias_kv else None
    p["bias_v"] = G(rand(rng, 1, 1, E)) if add_bias_kv else None
    p["out_proj_weight"] = G(rand(rng, E, E) * 0.3)
    p["out_proj_bias"] = G(rand(rng, E)) if bias else None
    return p


def mha(lib_fn):
    """Calls multi_head_attention_forward with keyword arguments, self-attention when key / value are None."""
    def call(query, key, value, **kw):
        key = query if key is None else key
        value = key if value is None else value
        return lib_fn(query, key, value, kw.pop("embed_dim_to_check"), kw.pop("num_heads"), kw.pop("in_proj_weight"),
                      kw.pop("in_proj_bias"), kw.pop("bias_k"), kw.pop("bias_v"), kw.pop("add_zero_attn"),
                      kw.pop("dropout_p"), kw.pop("out_proj_weight"), kw.pop("out_proj_bias"), **kw)
    return call


MHA_CASES = {
    "self": dict(),
    "no bias": dict(bias=False),
    "bias_kv": dict(add_bias_kv=True),
    "zero attn": dict(add_zero_attn=True),
    "bias_kv + zero attn + masks": dict(add_bias_kv=True, add_zero_attn=True, kpm=True, attn_mask="float"),
    "cross": dict(cross=True),
    "kdim/vdim": dict(kdim=3, vdim=5),
    "key_padding_mask": dict(kpm=True),
    "float key_padding_mask": dict(kpm="float"),
    "bool attn_mask": dict(attn_mask="bool"),
    "3D attn_mask": dict(attn_mask="3d"),
    "no weights": dict(need_weights=False, kpm=True, attn_mask="bool"),
    "per-head weights": dict(average=False),
    "causal": dict(attn_mask="causal", is_causal=True, need_weights=False),
    "causal with weights": dict(attn_mask="causal", is_causal=True),
    "unbatched": dict(unbatched=True, kpm=True),
    "eval with dropout": dict(training=False, dropout_p=0.5),
    "static key and value": dict(static=True, kpm=True),
    "static, no weights": dict(static=True, need_weights=False),
}


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask:UserWarning")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multi_head_attention_forward(rng, dtype, case):
    c = MHA_CASES[case]
    L, S, N, E, H = 4, 5, 2, 6, 2
    S = L if not (c.get("cross") or c.get("kdim")) else S
    kdim, vdim = c.get("kdim"), c.get("vdim")
    shape = (lambda n, e: (n, e)) if c.get("unbatched") else (lambda n, e: (n, N, e))
    nb = 1 if c.get("unbatched") else N
    query = G(rand(rng, *shape(L, E)))
    key = value = None
    if c.get("cross") or kdim:
        key, value = G(rand(rng, *shape(S, kdim or E))), G(rand(rng, *shape(S, vdim or E)))
    kw = mha_params(rng, E, kdim, vdim, bias=c.get("bias", True), add_bias_kv=c.get("add_bias_kv", False))
    kw.update(embed_dim_to_check=E, num_heads=H, add_zero_attn=c.get("add_zero_attn", False),
              dropout_p=c.get("dropout_p", 0.0), training=c.get("training", True),
              need_weights=c.get("need_weights", True), average_attn_weights=c.get("average", True),
              is_causal=c.get("is_causal", False))
    if c.get("static"):
        kw["static_k"], kw["static_v"] = G(rand(rng, N * H, S, E // H)), G(rand(rng, N * H, S, E // H))
    if c.get("kpm"):
        kpm = rng.uniform(size=(nb, S)) > 0.7
        kpm[:, 0] = False
        kpm = kpm[0] if c.get("unbatched") else kpm
        kw["key_padding_mask"] = np.where(kpm, -np.inf, 0.0) if c["kpm"] == "float" else kpm
    am = c.get("attn_mask")
    if am == "bool":
        m = rng.uniform(size=(L, S)) > 0.7
        m[:, 0] = False
        kw["attn_mask"] = m
    elif am == "float":
        kw["attn_mask"] = rand(rng, L, S)
    elif am == "3d":
        kw["attn_mask"] = rand(rng, N * H, L, S)
    elif am == "causal":
        kw["attn_mask"] = np.triu(np.full((L, S), -np.inf), 1)
    check("multi_head_attention_forward", [query, key, value], kw, dtype, fl_fn=mha(FF.multi_head_attention_forward),
          torch_fn=mha(F.multi_head_attention_forward))


def test_mha_returns_none_weights_without_need_weights(rng):
    E = 4
    x = fl.tensor(rand(rng, 3, 2, E).astype("float32"))
    w, ow = fl.tensor(rand(rng, 3 * E, E).astype("float32")), fl.tensor(rand(rng, E, E).astype("float32"))
    out, weights = FF.multi_head_attention_forward(x, x, x, E, 2, w, None, None, None, False, 0.0, ow, None,
                                                   need_weights=False)
    assert weights is None and tuple(out.shape) == (3, 2, E)


def test_mha_mismatched_mask_types_warn_as_torch(rng):
    E = 4
    x = rand(rng, 3, 2, E).astype("float32")
    w, ow = rand(rng, 3 * E, E).astype("float32"), rand(rng, E, E).astype("float32")
    kpm, am = np.zeros((2, 3), dtype=bool), np.zeros((3, 3), dtype="float32")
    messages = []
    for lib, conv in [(FF, fl.tensor), (F, torch.from_numpy)]:
        with pytest.warns(UserWarning) as rec:
            lib.multi_head_attention_forward(conv(x), conv(x), conv(x), E, 2, conv(w), None, None, None, False, 0.0,
                                             conv(ow), None, key_padding_mask=conv(kpm), attn_mask=conv(am))
        messages.append([str(r.message) for r in rec])
    assert messages[0] == messages[1]


def _both(rng):
    def maker(lib):
        r = np.random.default_rng(0)

        def T(*shape, kind="float"):
            a = r.standard_normal(shape).astype("float32")
            if kind == "bool":
                a = a > 0
            if kind == "long":
                a = (a > 0).astype(np.int64)
            return fl.tensor(a) if lib is FF else torch.from_numpy(a)
        return T
    return maker


def _mha_call(L, T, q=(3, 2, 4), k=(3, 2, 4), E=4, H=2, **kw):
    args = dict(in_proj_weight=T(12, 4), in_proj_bias=None, bias_k=None, bias_v=None, add_zero_attn=False,
                dropout_p=0.0, out_proj_weight=T(4, 4), out_proj_bias=None)
    args.update(kw)
    x = T(*q)
    kv = T(*k)
    return L.multi_head_attention_forward(x, kv, kv, E, H, args.pop("in_proj_weight"), args.pop("in_proj_bias"),
                                          args.pop("bias_k"), args.pop("bias_v"), args.pop("add_zero_attn"),
                                          args.pop("dropout_p"), args.pop("out_proj_weight"),
                                          args.pop("out_proj_bias"), **args)


ERRORS = {
    "causal with mask": lambda L, T: L.scaled_dot_product_attention(T(2, 3, 4), T(2, 3, 4), T(2, 3, 4),
                                                                      attn_mask=T(3, 3, kind="bool"), is_causal=True),
    "integer mask": lambda L, T: L.scaled_dot_product_attention(T(2, 3, 4), T(2, 3, 4), T(2, 3, 4),
                                                                  attn_mask=T(3, 3, kind="long")),
    "dtype mismatch": lambda L, T: L.scaled_dot_product_attention(T(2, 3, 4), T(2, 3, 4).double(), T(2, 3, 4)),
    "dropout p": lambda L, T: L.scaled_dot_product_attention(T(2, 3, 4), T(2, 3, 4), T(2, 3, 4), dropout_p=1.5),
    "mha embed dim": lambda L, T: _mha_call(L, T, E=5),
    "mha heads": lambda L, T: _mha_call(L, T, H=3),
    "mha 4-D query": lambda L, T: _mha_call(L, T, q=(1, 3, 2, 4)),
    "mha key dims": lambda L, T: _mha_call(L, T, k=(3, 4)),
    "mha causal without mask": lambda L, T: _mha_call(L, T, is_causal=True),
    "mha 2-D mask shape": lambda L, T: _mha_call(L, T, attn_mask=T(3, 4)),
    "mha 3-D mask shape": lambda L, T: _mha_call(L, T, attn_mask=T(2, 3, 3)),
    "mha integer kpm": lambda L, T: _mha_call(L, T, key_padding_mask=T(2, 3, kind="long")),
    "mha kpm shape": lambda L, T: _mha_call(L, T, key_padding_mask=T(3, 3, kind="bool")),
    "mha bias_k only": lambda L, T: _mha_call(L, T, bias_k=T(1, 1, 4)),
    "mha no in_proj": lambda L, T: _mha_call(L, T, in_proj_weight=None),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(rng, case):
    maker = _both(rng)
    raises_like(lambda: ERRORS[case](FF, maker(FF)), lambda: ERRORS[case](F, maker(F)))


def test_double_backward(rng):
    check_double_backward(lambda lib, m, X: m.scaled_dot_product_attention(X[None], X[None], X[None]).pow(2).sum(),
                          rng.uniform(0.1, 0.9, (3, 4)))
