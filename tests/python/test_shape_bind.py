"""Shape bindings: function forms of the view methods, cat/stack over sequences, split/chunk/unbind/tensor_split
tuples, repeat/tile/repeat_interleave, flip/roll/rot90/tril/triu, and the internal fl._C.pad, against torch."""
import numpy as np
import pytest
import torch

import flashlight as fl


def dt(name):
    return str(name).rsplit(".", 1)[-1]


def check(f, t):
    assert isinstance(f, fl.Tensor), type(f)
    assert tuple(f.shape) == tuple(t.shape), (f.shape, t.shape)
    assert dt(f.dtype) == dt(t.dtype), (f.dtype, t.dtype)
    np.testing.assert_array_equal(np.asarray(f.detach()), t.detach().numpy())


def check_seq(fs, ts):
    assert isinstance(fs, tuple) and len(fs) == len(ts)
    for f, t in zip(fs, ts):
        check(f, t)


@pytest.fixture
def pair():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    return fl.Tensor(a), torch.tensor(a)


def test_view_function_forms(pair):
    x, t = pair
    check(fl.reshape(x, (4, 6)), torch.reshape(t, (4, 6)))
    check(fl.reshape(x, [-1]), torch.reshape(t, [-1]))
    check(fl.flatten(x), torch.flatten(t))
    check(fl.flatten(x, 1), torch.flatten(t, 1))
    check(fl.flatten(x, start_dim=0, end_dim=1), torch.flatten(t, start_dim=0, end_dim=1))
    y, u = x.reshape(1, 2, 1, 12), t.reshape(1, 2, 1, 12)
    check(fl.squeeze(y), torch.squeeze(u))
    check(fl.squeeze(y, 2), torch.squeeze(u, 2))
    check(fl.squeeze(y, (0, 2)), torch.squeeze(u, (0, 2)))
    check(fl.unsqueeze(x, -1), torch.unsqueeze(t, -1))
    check(fl.permute(x, (2, 0, 1)), torch.permute(t, (2, 0, 1)))
    check(fl.transpose(x, 0, 2), torch.transpose(t, 0, 2))
    check(fl.swapaxes(x, 0, 1), torch.swapaxes(t, 0, 1))
    check(fl.swapdims(x, 1, 2), torch.swapdims(t, 1, 2))
    check(x.swapdims(0, 2), t.swapdims(0, 2))
    check(fl.t(x[0]), torch.t(t[0]))
    check(fl.select(x, 1, -1), torch.select(t, 1, -1))
    check(fl.narrow(x, 2, 1, 2), torch.narrow(t, 2, 1, 2))
    check(fl.diagonal(x, 1, 1, 2), torch.diagonal(t, 1, 1, 2))
    c = fl.clone(x)
    check(c, torch.clone(t))
    assert c.data_ptr() != x.data_ptr() or c is not x
    check(fl.movedim(x, 0, -1), torch.movedim(t, 0, -1))
    check(x.movedim((0, 1), (2, 0)), t.movedim((0, 1), (2, 0)))
    check(fl.moveaxis(x, 2, 0), torch.moveaxis(t, 2, 0))
    check(fl.unflatten(x, 2, (2, 2)), torch.unflatten(t, 2, (2, 2)))
    check(x.unflatten(-1, (-1, 2)), t.unflatten(-1, (-1, 2)))
    check(fl.broadcast_to(x[0], (2, 3, 4)), torch.broadcast_to(t[0], (2, 3, 4)))
    check(x[:, :1].broadcast_to((2, 3, 4)), t[:, :1].broadcast_to((2, 3, 4)))


def test_broadcast_and_atleast(pair):
    x, t = pair
    a, b = fl.broadcast_tensors(x, x[0, :, :1])
    ta, tb = torch.broadcast_tensors(t, t[0, :, :1])
    check(a, ta)
    check(b, tb)
    assert fl.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1)
    assert isinstance(fl.broadcast_shapes((2, 1)), fl.Size)
    s = x.sum()
    for n in (1, 2, 3):
        f, g = getattr(fl, f"atleast_{n}d"), getattr(torch, f"atleast_{n}d")
        check(f(s), g(t.sum()))
        check(f(x[0, 0]), g(t[0, 0]))
        check_seq(f(s, x), g(t.sum(), t))
        check_seq(f([s, x[0]]), g([t.sum(), t[0]]))


def test_cat_stack(pair):
    x, t = pair
    check(fl.cat([x, x], 1), torch.cat([t, t], 1))
    check(fl.cat((x, x), dim=-1), torch.cat((t, t), dim=-1))
    check(fl.cat(v for v in (x, x)), torch.cat([t, t]))
    check(fl.concat([x, x]), torch.concat([t, t]))
    check(fl.concatenate([x, x], axis=2), torch.concatenate([t, t], axis=2))
    check(fl.stack([x, x]), torch.stack([t, t]))
    check(fl.stack((x, x), dim=3), torch.stack((t, t), dim=3))
    for name in ["hstack", "vstack", "dstack", "row_stack"]:
        check(getattr(fl, name)([x, x]), getattr(torch, name)([t, t]))
    with pytest.raises(TypeError):
        fl.cat(x)
    with pytest.raises(TypeError):
        fl.cat([x, 1])


def test_split_family(pair):
    x, t = pair
    check_seq(fl.split(x, 2, 2), torch.split(t, 2, 2))
    check_seq(fl.split(x, [1, 3], dim=2), torch.split(t, [1, 3], dim=2))
    check_seq(x.split(1), t.split(1))
    check_seq(x.split([2, 1], 1), t.split([2, 1], 1))
    check_seq(fl.chunk(x, 3, 2), torch.chunk(t, 3, 2))
    check_seq(x.chunk(2, dim=-1), t.chunk(2, dim=-1))
    check_seq(fl.unbind(x), torch.unbind(t))
    check_seq(x.unbind(2), t.unbind(2))
    check_seq(fl.tensor_split(x, 3, dim=2), torch.tensor_split(t, 3, dim=2))
    check_seq(x.tensor_split([1, 3], 2), t.tensor_split([1, 3], 2))
    check_seq(x.tensor_split([3, 1, -1], 2), t.tensor_split([3, 1, -1], 2))
    check_seq(fl.tensor_split(x, fl.Tensor([1, 2]).long(), 1), torch.tensor_split(t, torch.tensor([1, 2]), 1))
    # pieces are views
    p = x.split(2, 2)[0]
    assert p._is_view()


def test_repeat_tile_interleave(pair):
    x, t = pair
    check(x.repeat(2, 1, 1), t.repeat(2, 1, 1))
    check(x.repeat((1, 2, 1, 1)), t.repeat((1, 2, 1, 1)))
    check(fl.tile(x, (2,)), torch.tile(t, (2,)))
    check(x.tile(2, 1), t.tile(2, 1))
    check(x.tile((1, 2, 1)), t.tile((1, 2, 1)))
    check(fl.repeat_interleave(x, 2), torch.repeat_interleave(t, 2))
    check(x.repeat_interleave(2, dim=1), t.repeat_interleave(2, dim=1))
    r, tr = fl.Tensor([1, 0, 2]).long(), torch.tensor([1, 0, 2])
    check(fl.repeat_interleave(x, r, dim=1), torch.repeat_interleave(t, tr, dim=1))
    check(x.repeat_interleave(fl.Tensor([2]).long(), 0), t.repeat_interleave(torch.tensor([2]), 0))
    check(fl.repeat_interleave(r), torch.repeat_interleave(tr))
    with pytest.raises(RuntimeError):
        fl.repeat_interleave(x, r, dim=2)


def test_flip_roll_rot_tri(pair):
    x, t = pair
    check(fl.flip(x, (0, 2)), torch.flip(t, (0, 2)))
    check(x.flip(1), t.flip(1))
    check(x.flip(0, 1), t.flip(0, 1))
    check(x.flip([2]), t.flip([2]))
    check(fl.fliplr(x), torch.fliplr(t))
    check(x.flipud(), t.flipud())
    check(fl.roll(x, 1), torch.roll(t, 1))
    check(fl.roll(x, (1, -2), (0, 2)), torch.roll(t, (1, -2), (0, 2)))
    check(x.roll(2, dims=1), t.roll(2, dims=1))
    check(fl.rot90(x), torch.rot90(t))
    check(x.rot90(2, [1, 2]), t.rot90(2, [1, 2]))
    check(fl.rot90(x, k=-1, dims=(0, 2)), torch.rot90(t, k=-1, dims=(0, 2)))
    for name in ["tril", "triu"]:
        check(getattr(fl, name)(x), getattr(torch, name)(t))
        check(getattr(x, name)(1), getattr(t, name)(1))
        check(getattr(fl, name)(x, diagonal=-1), getattr(torch, name)(t, diagonal=-1))
        y, u = x.clone(), t.clone()
        assert getattr(y, name + "_")(1) is y
        getattr(u, name + "_")(1)
        check(y, u)


def test_internal_pad(pair):
    x, t = pair
    F = torch.nn.functional
    check(fl._C.pad(x, (1, 2)), F.pad(t, (1, 2)))
    check(fl._C.pad(x, [1, 1, 0, 2], value=-1.0), F.pad(t, [1, 1, 0, 2], value=-1.0))
    check(fl._C.pad(x, (1, 1), "reflect"), F.pad(t, (1, 1), "reflect"))
    check(fl._C.pad(x, (2, 0), mode="replicate"), F.pad(t, (2, 0), mode="replicate"))
    check(fl._C.pad(x, (1, 1, 1, 1), mode="circular"), F.pad(t, (1, 1, 1, 1), mode="circular"))


def test_shape_autograd(pair):
    x, t = pair
    x, t = x.detach().requires_grad_(), t.detach().requires_grad_()
    a, b = fl.split(x, [1, 3], 2)
    (fl.cat([a * 2, b.flip(0)], 2).sum() + fl.stack([x, x]).tril().sum()).backward()
    a, b = torch.split(t, [1, 3], 2)
    (torch.cat([a * 2, b.flip(0)], 2).sum() + torch.stack([t, t]).tril().sum()).backward()
    check(x.grad, t.grad)
