"""Creation functions against torch: fl.tensor / as_tensor / asarray / from_numpy / from_mlx, zeros, ones, full,
arange, linspace, logspace, eye, the *_like functions and Tensor.new_* (values, dtypes, shapes, requires_grad,
argument forms and error classes)."""
import sys

import mlx.core as mx
import numpy as np
import pytest
import torch

import flashlight as fl


def dtype_name(d):
    return repr(d).split(".")[-1]


def check(a, t):
    """`a` (flashlight) matches `t` (torch): dtype, shape, requires_grad and values."""
    assert isinstance(a, fl.Tensor)
    assert dtype_name(a.dtype) == dtype_name(t.dtype)
    assert tuple(a.shape) == tuple(t.shape)
    assert a.requires_grad == t.requires_grad
    an = a.detach().float().numpy() if a.dtype == fl.bfloat16 else a.detach().numpy()
    tn = t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()
    np.testing.assert_allclose(an, tn, rtol=1e-6, atol=1e-6)


def both(fn):
    return fn(fl), fn(torch)


@pytest.mark.parametrize("data", [
    1, 2.5, True, [1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]], [[1.5], [2.5]], [], [[], []],
    [1, 2.0, True], (1, 2), np.float64(1.5), np.int32(3), np.bool_(True), np.float16(2),
    np.arange(6, dtype=np.int32).reshape(2, 3), np.ones((2, 2), dtype=np.float64), np.array([True, False]),
    np.arange(6, dtype=np.float32).reshape(2, 3).T,
])
def test_tensor_from_python_and_numpy(data):
    check(fl.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool", "float16",
                                   "bfloat16"])
def test_tensor_dtype_keyword(dtype):
    check(fl.tensor([[0, 1.5], [2, 3]], dtype=getattr(fl, dtype)),
          torch.tensor([[0, 1.5], [2, 3]], dtype=getattr(torch, dtype)))


def test_tensor_requires_grad_and_copy_semantics():
    a, t = both(lambda lib: lib.tensor([1.0, 2.0], requires_grad=True))
    check(a, t)
    assert a.is_leaf and a.grad_fn is None
    b = fl.tensor(a)  # a copy, detached from a
    assert not b.requires_grad and b.is_leaf
    b.add_(1)
    assert a.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="floating point"):
        fl.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 2], requires_grad=True)


def test_tensor_invalid_data():
    for lib, exc in ((fl, TypeError), (torch, TypeError)):
        with pytest.raises(exc):
            lib.tensor("abc")
    for lib in (fl, torch):
        with pytest.raises(ValueError):
            lib.tensor([[1, 2], [3]])


def test_tensor_follows_default_dtype():
    prev = fl.get_default_dtype()
    try:
        fl.set_default_dtype(fl.float64)
        torch.set_default_dtype(torch.float64)
        check(fl.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]))
        check(fl.zeros(2), torch.zeros(2))
        check(fl.arange(0, 1, 0.25), torch.arange(0, 1, 0.25))
    finally:
        fl.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_zeros_ones_empty_size_forms(name):
    for args, kwargs in [((2, 3), {}), (((2, 3),), {}), (([2, 3],), {}), ((), {"size": (2, 3)}), ((0,), {}),
                         ((), {"size": ()}), ((4,), {"dtype": "int32"}), ((2, 2), {"requires_grad": True}),
                         ((2,), {"dtype": "float64", "requires_grad": True}), ((np.int64(3),), {})]:
        kf = {k: (getattr(fl, v) if k == "dtype" else v) for k, v in kwargs.items()}
        kt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kwargs.items()}
        a, t = getattr(fl, name)(*args, **kf), getattr(torch, name)(*args, **kt)
        if name == "empty":  # values unspecified
            a, t = a.zero_() if not a.requires_grad else a, t.zero_() if not t.requires_grad else t
            assert dtype_name(a.dtype) == dtype_name(t.dtype) and a.shape == t.shape
        else:
            check(a, t)
    assert isinstance(fl.zeros(2, 3).shape, fl.Size)
    assert fl.zeros(fl.Size([2, 3])).shape == (2, 3)


def test_size_errors():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.zeros(2, -1)
        with pytest.raises(TypeError):
            lib.zeros(2.0)
        with pytest.raises(TypeError):
            lib.ones("a")


@pytest.mark.parametrize("fill,dtype", [(1.5, None), (3, None), (True, None), (2, "float32"), (2.7, "int64"),
                                        (-1, "int8"), (0.5, "float64")])
def test_full(fill, dtype):
    kf = {} if dtype is None else {"dtype": getattr(fl, dtype)}
    kt = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    check(fl.full((2, 3), fill, **kf), torch.full((2, 3), fill, **kt))
    check(fl.full([4], fill, **kf), torch.full([4], fill, **kt))


def test_full_with_tensor_fill_and_requires_grad():
    check(fl.full((2,), fl.tensor(2.5)), torch.full((2,), torch.tensor(2.5)))
    check(fl.full((2,), 1.0, requires_grad=True), torch.full((2,), 1.0, requires_grad=True))


@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((2, 7), {}), ((1, 10, 3), {}), ((10, 1, -3), {}), ((0.0, 1.0, 0.1), {}), ((1, 2.5, 0.5), {}),
    ((5.0,), {}), ((0, 5), {"dtype": "float32"}), ((0, 1, 0.25), {"dtype": "float64"}), ((3,), {"dtype": "int32"}),
    ((-3, 3), {"dtype": "int8"}), ((), {"end": 4}), ((), {"start": 1, "end": 4, "step": 2}), ((0,), {}),
    ((0, 5), {"dtype": "float32", "requires_grad": True}),
])
def test_arange(args, kwargs):
    kf = {k: (getattr(fl, v) if k == "dtype" else v) for k, v in kwargs.items()}
    kt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kwargs.items()}
    check(fl.arange(*args, **kf), torch.arange(*args, **kt))


def test_arange_errors_and_tensor_args():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.arange(0, 5, 0)
        with pytest.raises(RuntimeError):
            lib.arange(5, 0, 1)
    check(fl.arange(fl.tensor(4)), torch.arange(torch.tensor(4)))


@pytest.mark.parametrize("args,kwargs", [
    ((0, 1, 5), {}), ((-2.5, 7, 11), {}), ((3, 3, 1), {}), ((0, 1, 0), {}), ((0, 10, 4), {"dtype": "int64"}),
    ((1, 0, 6), {"dtype": "float64"}), ((0, 1, 3), {"requires_grad": True}),
])
def test_linspace_logspace(args, kwargs):
    kf = {k: (getattr(fl, v) if k == "dtype" else v) for k, v in kwargs.items()}
    kt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kwargs.items()}
    check(fl.linspace(*args, **kf), torch.linspace(*args, **kt))
    check(fl.logspace(*args, **kf), torch.logspace(*args, **kt))
    check(fl.logspace(*args, base=2.0, **kf), torch.logspace(*args, base=2.0, **kt))
    check(fl.linspace(start=args[0], end=args[1], steps=args[2], **kf),
          torch.linspace(start=args[0], end=args[1], steps=args[2], **kt))


def test_linspace_errors():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.linspace(0, 1, -1)


@pytest.mark.parametrize("args,kwargs", [((3,), {}), ((2, 4), {}), ((4, 2), {}), ((0,), {}),
                                         ((3,), {"dtype": "int64"}), ((2,), {"dtype": "bool"}),
                                         ((2, 3), {"requires_grad": True})])
def test_eye(args, kwargs):
    kf = {k: (getattr(fl, v) if k == "dtype" else v) for k, v in kwargs.items()}
    kt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kwargs.items()}
    check(fl.eye(*args, **kf), torch.eye(*args, **kt))
    check(fl.eye(args[0], m=args[1] if len(args) > 1 else None, **kf),
          torch.eye(args[0], args[1] if len(args) > 1 else args[0], **kt))


def test_eye_errors():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.eye(-1)


@pytest.mark.parametrize("src", [[[1.5, 2.0], [3.0, 4.0]], [1, 2, 3], [True, False]])
def test_like_functions(src):
    a, t = fl.tensor(src), torch.tensor(src)
    check(fl.zeros_like(a), torch.zeros_like(t))
    check(fl.ones_like(a), torch.ones_like(t))
    check(fl.full_like(a, 7), torch.full_like(t, 7))
    check(fl.full_like(a, 0.5, dtype=fl.float64), torch.full_like(t, 0.5, dtype=torch.float64))
    check(fl.zeros_like(a, dtype=fl.float32, requires_grad=True),
          torch.zeros_like(t, dtype=torch.float32, requires_grad=True))
    e = fl.empty_like(a)
    assert e.shape == a.shape and e.dtype == a.dtype
    assert fl.zeros_like(a).device == a.device


def test_like_functions_do_not_inherit_requires_grad():
    a, t = fl.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    check(fl.zeros_like(a), torch.zeros_like(t))
    check(fl.ones_like(a), torch.ones_like(t))


def test_new_methods():
    a, t = fl.tensor([1.0, 2.0], dtype=fl.float64), torch.tensor([1.0, 2.0], dtype=torch.float64)
    check(a.new_zeros(2, 3), t.new_zeros(2, 3))
    check(a.new_zeros((2, 3)), t.new_zeros((2, 3)))
    check(a.new_ones(3), t.new_ones(3))
    check(a.new_full((2,), 4), t.new_full((2,), 4))
    check(a.new_tensor([1, 2]), t.new_tensor([1, 2]))
    check(a.new_tensor([1, 2], dtype=fl.int32), t.new_tensor([1, 2], dtype=torch.int32))
    check(a.new_ones(2, dtype=fl.int64), t.new_ones(2, dtype=torch.int64))
    check(a.new_zeros(2, requires_grad=True), t.new_zeros(2, requires_grad=True))
    assert a.new_empty(2, 2).shape == (2, 2) and a.new_empty(2).dtype == fl.float64


@pytest.mark.parametrize("s,dtype", [(1.5, None), (3, None), (True, None), (2, "int64"), (1.5, "float64")])
def test_scalar_tensor(s, dtype):
    kf = {} if dtype is None else {"dtype": getattr(fl, dtype)}
    kt = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    check(fl.scalar_tensor(s, **kf), torch.scalar_tensor(s, **kt))


def test_as_tensor_shares_tensors_and_numpy():
    a = fl.tensor([1.0, 2.0])
    assert fl.as_tensor(a) is a
    b = fl.as_tensor(a, dtype=fl.float64)
    check(b, torch.as_tensor(torch.tensor([1.0, 2.0]), dtype=torch.float64))
    n = np.array([1.0, 2.0, 3.0])
    t = fl.as_tensor(n)
    n[0] = 10
    assert t.tolist() == [10.0, 2.0, 3.0]
    check(fl.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    check(fl.as_tensor(n, dtype=fl.float32), torch.as_tensor(n, dtype=torch.float32))


def test_asarray():
    n = np.array([1.0, 2.0])
    t = fl.asarray(n)
    n[1] = 5
    assert t.tolist() == [1.0, 5.0]
    c = fl.asarray(n, copy=True)
    n[1] = 6
    assert c.tolist() == [1.0, 5.0]
    check(fl.asarray([1, 2], dtype=fl.float64), torch.asarray([1, 2], dtype=torch.float64))
    check(fl.asarray([1.0, 2.0], requires_grad=True), torch.asarray([1.0, 2.0], requires_grad=True))
    a = fl.ones(2)
    assert fl.asarray(a) is a
    for lib in (fl, torch):
        with pytest.raises(ValueError):
            lib.asarray([1, 2], copy=False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
                                   np.uint8, np.bool_])
def test_from_numpy_dtypes_and_values(dtype):
    n = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    check(fl.from_numpy(n), torch.from_numpy(n))


def test_from_numpy_shares_memory():
    """Documented: a C-contiguous numpy-allocated array is shared (numpy writes show in the tensor)."""
    n = np.arange(6, dtype=np.float32).reshape(2, 3)
    a, t = fl.from_numpy(n), torch.from_numpy(n)
    n[0, 0] = 100
    n[1, 2] = -1
    check(a, t)
    assert a.device == fl.device("cpu")
    v = np.arange(10, dtype=np.int64)[2:6]  # a contiguous view of a numpy-owned array is shared too
    av = fl.from_numpy(v)
    v[0] = 42
    assert av.tolist() == [42, 3, 4, 5]
    assert np.shares_memory(fl.from_numpy(n).numpy(), n)


def test_from_numpy_keeps_array_alive():
    import gc
    a = fl.from_numpy(np.arange(1000, dtype=np.float64))
    gc.collect()
    assert a.sum().item() == 999 * 1000 / 2
    n = np.ones(3)
    before = sys.getrefcount(n)
    t = fl.from_numpy(n)
    del t
    gc.collect()
    assert sys.getrefcount(n) == before


def test_from_numpy_copies_strided_arrays():
    """Documented: non-C-contiguous arrays are copied (values still match torch's view)."""
    n = np.arange(12, dtype=np.float64).reshape(3, 4)
    check(fl.from_numpy(n.T), torch.from_numpy(n.T))
    check(fl.from_numpy(n[:, ::2]), torch.from_numpy(n[:, ::2]))


def test_from_numpy_errors():
    for lib in (fl, torch):
        with pytest.raises(TypeError):
            lib.from_numpy([1, 2])
        with pytest.raises(ValueError, match="negative"):
            lib.from_numpy(np.arange(3)[::-1])
        with pytest.raises(ValueError, match="byte order"):
            lib.from_numpy(np.arange(3, dtype=">f4"))
    with pytest.raises(TypeError):
        fl.from_numpy(np.array(["a"], dtype=object))
    with pytest.warns(UserWarning, match="not writable"):
        n = np.arange(3.0)
        n.flags.writeable = False
        fl.from_numpy(n)


def test_from_numpy_empty_and_scalar():
    check(fl.from_numpy(np.zeros((0, 3), dtype=np.float32)), torch.from_numpy(np.zeros((0, 3), dtype=np.float32)))
    check(fl.from_numpy(np.array(2.5)), torch.from_numpy(np.array(2.5)))


def test_from_mlx_zero_copy():
    m = mx.array([[1.0, 2.0], [3.0, 4.0]])
    a = fl.from_mlx(m)
    assert a.dtype == fl.float32 and a.shape == (2, 2)
    assert a.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    r = fl.from_mlx(mx.array([1.0, 2.0]), requires_grad=True)
    assert r.requires_grad and r.is_leaf
    assert fl.from_mlx(mx.array([1, 2], dtype=mx.int32)).dtype == fl.int32
    assert fl.tensor(mx.array([1.5, 2.5])).tolist() == [1.5, 2.5]
