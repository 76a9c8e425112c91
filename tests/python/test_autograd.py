"""Autograd's Python API against torch: grad modes (context managers and decorators), autograd.grad /
autograd.backward argument forms, and autograd.Function (save_for_backward, needs_input_grad, non-tensor args,
mark_non_differentiable, double backward through create_graph, error classes)."""
import gc
import weakref

import numpy as np
import pytest
import torch

import flashlight as fl


def np_of(t):
    return t.detach().numpy()


def close(a, t, tol=1e-6):
    assert a is not None and t is not None
    assert tuple(a.shape) == tuple(t.shape)
    np.testing.assert_allclose(np_of(a), np_of(t), rtol=tol, atol=tol)


def pair(values, dtype="float64"):
    return (fl.tensor(values, dtype=getattr(fl, dtype), requires_grad=True),
            torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True))


# --- grad mode ---------------------------------------------------------------------------------------------------

def test_no_grad_context_and_nesting():
    x, tx = pair([1.0, 2.0])
    for lib, v in ((fl, x), (torch, tx)):
        assert lib.is_grad_enabled()
        with lib.no_grad():
            assert not lib.is_grad_enabled()
            y = v * 2
            with lib.enable_grad():
                assert lib.is_grad_enabled()
                z = v * 2
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()
        assert not y.requires_grad and y.grad_fn is None
        assert z.requires_grad


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with fl.no_grad():
            raise ValueError("boom")
    assert fl.is_grad_enabled()


def test_decorators():
    x = fl.ones(2, requires_grad=True)

    @fl.no_grad()
    def f(v):
        return v * 2, fl.is_grad_enabled()

    @fl.no_grad
    def g(v):
        return v * 2

    @fl.enable_grad()
    def h(v):
        return v * 2

    @fl.set_grad_enabled(False)
    def k(v):
        return v * 2

    @fl.inference_mode()
    def m(v):
        return v * 2

    y, mode = f(x)
    assert not y.requires_grad and not mode and fl.is_grad_enabled()
    assert not g(x).requires_grad
    with fl.no_grad():
        assert h(x).requires_grad
    assert fl.is_grad_enabled()  # decorating with set_grad_enabled(False) doesn't switch the mode
    assert not k(x).requires_grad and fl.is_grad_enabled()
    assert not m(x).requires_grad
    assert f.__name__ == "f" and g.__name__ == "g"

    # torch agrees on all of these
    tx = torch.ones(2, requires_grad=True)
    assert not torch.no_grad()(lambda v: v * 2)(tx).requires_grad
    assert not torch.no_grad(lambda v: v * 2)(tx).requires_grad


def test_decorated_generator():
    @fl.no_grad()
    def gen(v):
        for _ in range(2):
            yield v * 2, fl.is_grad_enabled()

    x = fl.ones(2, requires_grad=True)
    for y, mode in gen(x):
        assert not y.requires_grad and not mode
        assert fl.is_grad_enabled()


def test_set_grad_enabled_function_and_context():
    for lib in (fl, torch):
        lib.set_grad_enabled(False)
        assert not lib.is_grad_enabled()
        lib.set_grad_enabled(True)
        assert lib.is_grad_enabled()
        with lib.set_grad_enabled(False):
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()
        with lib.no_grad():
            with lib.set_grad_enabled(True):
                assert lib.is_grad_enabled()
            assert not lib.is_grad_enabled()


def test_inference_mode():
    x = fl.ones(2, requires_grad=True)
    for lib in (fl, torch):
        with lib.inference_mode():
            assert not lib.is_grad_enabled() and lib.is_inference_mode_enabled()
        with lib.inference_mode(False):
            assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
        assert lib.is_grad_enabled()
    with fl.inference_mode():
        assert not (x * 2).requires_grad
    assert fl.autograd.no_grad is fl.no_grad and fl.autograd.grad_mode.enable_grad is fl.enable_grad


# --- autograd.grad / backward ---------------------------------------------------------------------------------

def test_grad_single_and_sequences():
    (x, tx), (w, tw) = pair([1.0, -2.0, 3.0]), pair([0.5, 0.25, 2.0])
    outs = []
    for lib, a, b in ((fl, x, w), (torch, tx, tw)):
        y = (a * a * b).sum()
        g1 = lib.autograd.grad(y, a, retain_graph=True)
        g2 = lib.autograd.grad([y], [a, b], retain_graph=True)
        g3 = lib.autograd.grad((y,), (b,))
        assert isinstance(g1, tuple) and len(g1) == 1 and len(g2) == 2
        assert a.grad is None  # grad() doesn't accumulate
        outs.append((g1, g2, g3))
    for ga, gt in zip(outs[0], outs[1]):
        for a, t in zip(ga, gt):
            close(a, t)


def test_grad_with_grad_outputs_and_multiple_outputs():
    (x, tx) = pair([[1.0, 2.0], [3.0, 4.0]])
    res = []
    for lib, a in ((fl, x), (torch, tx)):
        y1, y2 = a.sin(), (a * 3).sum(1)
        v1 = lib.tensor([[1.0, 0.5], [2.0, 0.0]], dtype=lib.float64)
        g_both = lib.autograd.grad([y1, y2], a, grad_outputs=[v1, lib.ones(2, dtype=lib.float64)], retain_graph=True)
        g_none = lib.autograd.grad([y1, y2.sum()], a, grad_outputs=[v1, None])  # None: implicit ones (scalar)
        res.append((g_both[0], g_none[0]))
    close(res[0][0], res[1][0])
    close(res[0][1], res[1][1])


def test_grad_allow_unused_and_materialize():
    (x, tx), (u, tu) = pair([1.0, 2.0]), pair([3.0])
    for lib, a, b in ((fl, x, u), (torch, tx, tu)):
        y = (a * 2).sum()
        with pytest.raises(RuntimeError, match="not have been used"):
            lib.autograd.grad(y, [a, b], retain_graph=True)
        ga, gb = lib.autograd.grad(y, [a, b], allow_unused=True, retain_graph=True)
        assert gb is None and ga.tolist() == [2.0, 2.0]
        ga, gb = lib.autograd.grad(y, [a, b], materialize_grads=True)
        assert gb.tolist() == [0.0]


def test_grad_errors():
    x, tx = pair([1.0, 2.0])
    for lib, a in ((fl, x), (torch, tx)):
        c = lib.ones(2, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.autograd.grad(c.sum(), a)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            lib.autograd.grad(a * 2, a)
        y = (a * a).sum()
        lib.autograd.grad(y, a)
        with pytest.raises(RuntimeError, match="second time"):
            lib.autograd.grad(y, a)


def test_double_backward_create_graph():
    x, tx = pair([0.5, 1.5, -1.0])
    res = []
    for lib, a in ((fl, x), (torch, tx)):
        y = (a.sin() * a * a).sum()
        g, = lib.autograd.grad(y, a, create_graph=True)
        assert g.requires_grad
        h, = lib.autograd.grad(g.sum(), a, create_graph=True)
        k, = lib.autograd.grad(h.sum(), a)
        res.append((g, h, k))
    for a, t in zip(*res):
        close(a, t, 1e-10)


def test_backward_function():
    (x, tx), (w, tw) = pair([1.0, 2.0]), pair([3.0, -1.0])
    for lib, a, b in ((fl, x, w), (torch, tx, tw)):
        y = a * b
        lib.autograd.backward(y, grad_tensors=lib.tensor([1.0, 2.0], dtype=lib.float64), retain_graph=True)
        lib.autograd.backward([y.sum()], retain_graph=True)
        lib.autograd.backward((y.sum(), (a * a).sum()), inputs=[a])
    close(x.grad, tx.grad)
    close(w.grad, tw.grad)


def test_backward_inputs_only_accumulates_into_inputs():
    (x, tx), (w, tw) = pair([1.0, 2.0]), pair([3.0, -1.0])
    for lib, a, b in ((fl, x, w), (torch, tx, tw)):
        (a * b).sum().backward(retain_graph=True)
        lib.autograd.backward((a * b * a).sum(), inputs=(b,))
    close(x.grad, tx.grad)
    close(w.grad, tw.grad)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_grad_has_history():
    x, tx = pair([1.0, 2.0])
    for lib, a in ((fl, x), (torch, tx)):
        lib.autograd.backward((a ** 3).sum(), create_graph=True)
        assert a.grad.requires_grad
        g2, = lib.autograd.grad(a.grad.sum(), a)
        assert g2.tolist() == [6.0, 12.0]


# --- autograd.Function ----------------------------------------------------------------------------------------

def make_functions(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** k

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * ctx.k * x ** (ctx.k - 1), None

    class MulAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, c):
            ctx.save_for_backward(a, b)
            ctx.flags = ctx.needs_input_grad
            return a * b + c, a - b

        @staticmethod
        def backward(ctx, g1, g2):
            a, b = ctx.saved_tensors
            ga = g1 * b + g2 if ctx.needs_input_grad[0] else None
            gb = g1 * a - g2 if ctx.needs_input_grad[1] else None
            gc = g1 if ctx.needs_input_grad[2] else None
            return ga, gb, gc

    class Exp(lib.autograd.Function):  # saves its output: double backward goes through this node again
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, grad):
            r, = ctx.saved_tensors
            return grad * r

    class Square(lib.autograd.Function):  # uses its saved tensor twice; forward(*args) + setup_context style
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * x + x * grad

    class ArgMaxAndSort(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            y = x * 2
            ctx.mark_non_differentiable(idx)
            return y, idx

        @staticmethod
        def backward(ctx, gy, gidx):
            return gy * 2

    return Cube, MulAdd, Exp, Square, ArgMaxAndSort


FL_FNS, TORCH_FNS = make_functions(fl), make_functions(torch)


def test_function_forward_backward_and_names():
    (x, tx) = pair([1.0, 2.0, -0.5])
    outs = []
    for (Cube, *_), a in ((FL_FNS, x), (TORCH_FNS, tx)):
        y = Cube.apply(a, 3)
        assert y.requires_grad and y.grad_fn.name() == "CubeBackward"
        y.sum().backward()
        outs.append((y, a.grad))
    for a, t in zip(*outs):
        close(a, t)


def test_function_multiple_outputs_and_needs_input_grad():
    res = []
    for lib, (_, MulAdd, *_) in ((fl, FL_FNS), (torch, TORCH_FNS)):
        a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([3.0, -1.0], dtype=lib.float64)
        c = lib.tensor([0.5, 0.5], dtype=lib.float64, requires_grad=True)
        s, d = MulAdd.apply(a, b, c)
        (s * 2 + d * 3).sum().backward()
        res.append((s, d, a.grad, c.grad, b.grad))
    for a, t in zip(res[0][:4], res[1][:4]):
        close(a, t)
    assert res[0][4] is None and res[1][4] is None


def test_function_needs_input_grad_values():
    seen = {}
    for lib in (fl, torch):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, n, b):
                seen[lib.__name__] = ctx.needs_input_grad
                return a * n + b

            @staticmethod
            def backward(ctx, g):
                return g, None, None

        F.apply(lib.ones(2, requires_grad=True), 3, lib.ones(2))
    assert seen["flashlight"] == seen["torch"] == (True, False, False)


def test_function_double_backward_saved_input_used_twice():
    x, tx = pair([0.5, -1.5, 2.0])
    res = []
    for (*_, Square, _), a in ((FL_FNS, x), (TORCH_FNS, tx)):
        y = Square.apply(a)
        g, = (fl if a is x else torch).autograd.grad(y.sum(), a, create_graph=True)
        assert g.requires_grad
        h, = (fl if a is x else torch).autograd.grad((g * g).sum(), a)
        res.append((y, g, h))
    for a, t in zip(*res):
        close(a, t)


def test_function_double_backward_through_saved_output():
    x, tx = pair([0.0, 1.0, -0.5])
    res = []
    for (_, _, Exp, *_), a, lib in ((FL_FNS, x, fl), (TORCH_FNS, tx, torch)):
        y = Exp.apply(a)
        assert y.grad_fn.name() == "ExpBackward"
        g, = lib.autograd.grad(y.sum(), a, create_graph=True)
        h, = lib.autograd.grad(g.sum(), a, retain_graph=True)
        res.append((y, g, h))
    for a, t in zip(*res):
        close(a, t)


def test_function_cube_double_backward():
    x, tx = pair([1.0, 2.0])
    res = []
    for (Cube, *_), a, lib in ((FL_FNS, x, fl), (TORCH_FNS, tx, torch)):
        g, = lib.autograd.grad(Cube.apply(a, 3).sum(), a, create_graph=True)
        h, = lib.autograd.grad(g.sum(), a)
        res.append((g, h))
    for a, t in zip(*res):
        close(a, t)


def test_function_mark_non_differentiable():
    x, tx = pair([1.0, 5.0, 2.0])
    res = []
    for (*_, ArgMax), a in ((FL_FNS, x), (TORCH_FNS, tx)):
        y, idx = ArgMax.apply(a)
        assert y.requires_grad and not idx.requires_grad
        y.sum().backward()
        res.append((y, a.grad, idx))
    close(res[0][0], res[1][0])
    close(res[0][1], res[1][1])
    assert res[0][2].item() == res[1][2].item()


def test_function_without_grad_and_under_no_grad():
    for lib, (Cube, *_) in ((fl, FL_FNS), (torch, TORCH_FNS)):
        y = Cube.apply(lib.tensor([2.0]), 2)
        assert not y.requires_grad and y.grad_fn is None and y.tolist() == [4.0]
        with lib.no_grad():
            z = Cube.apply(lib.tensor([2.0], requires_grad=True), 2)
        assert not z.requires_grad


def test_function_forward_runs_without_recording():
    for lib in (fl, torch):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.mode = lib.is_grad_enabled()
                ctx.inner = a * 2
                return ctx.inner

            @staticmethod
            def backward(ctx, g):
                return g * 2

        y = F.apply(lib.ones(2, requires_grad=True))
        assert y.grad_fn.name() == "FBackward"
        assert y.grad_fn.__class__ is not None


def test_function_returning_input_and_wrong_gradients():
    for lib in (fl, torch):
        class Ident(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a

            @staticmethod
            def backward(ctx, g):
                return g

        class TooMany(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g, g

        class BadShape(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return lib.ones(5)

        class Raises(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                raise KeyError("inside backward")

        a = lib.ones(3, requires_grad=True)
        y = Ident.apply(a)
        assert y is not a and y.grad_fn.name() == "IdentBackward"
        y.sum().backward()
        assert a.grad.tolist() == [1.0, 1.0, 1.0]
        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            TooMany.apply(a).sum().backward()
        with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
            BadShape.apply(a).sum().backward()
        with pytest.raises(KeyError, match="inside backward"):
            Raises.apply(a).sum().backward()
        assert lib.is_grad_enabled()


def test_function_gradient_dtype_cast():
    for lib in (fl, torch):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return (g * 2).to(lib.float32)

        a = lib.ones(2, dtype=lib.float64, requires_grad=True)
        F.apply(a).sum().backward()
        assert a.grad.dtype == lib.float64


def test_function_cannot_be_instantiated_and_needs_forward():
    class F(fl.autograd.Function):
        pass

    with pytest.raises(NotImplementedError):
        F.apply(fl.ones(2))


def test_once_differentiable():
    class F(fl.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        @fl.autograd.function.once_differentiable
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return 2 * a * g

    x = fl.tensor([3.0], requires_grad=True)
    g, = fl.autograd.grad(F.apply(x), x, create_graph=True)
    assert g.tolist() == [6.0] and not g.requires_grad


def test_function_ctx_freed_after_backward():
    """The node's Python backward (and with it ctx and the tensors it saved) is dropped with the graph."""
    _, _, Exp, *_ = FL_FNS
    refs = []

    class Watch(fl.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            refs.append(weakref.ref(ctx))
            r = a.exp()
            ctx.save_for_backward(r)  # an output: a reference cycle until the graph is released
            return r

        @staticmethod
        def backward(ctx, g):
            r, = ctx.saved_tensors
            return g * r

    x = fl.ones(2, requires_grad=True)
    y = Watch.apply(x)
    y.sum().backward()
    del y
    gc.collect()
    assert refs[0]() is None
    assert x.grad.tolist() == pytest.approx([np.e, np.e])
