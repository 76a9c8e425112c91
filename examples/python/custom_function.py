"""A custom autograd operation: `fl.autograd.Function` with a hand-written backward, as torch.autograd.Function.

`ScaledTanh.apply(x, scale, alpha)` computes scale * tanh(alpha * x) (ncps's LeCun tanh is scale = 1.7159,
alpha = 0.666) for a tensor x, a learnable per-feature tensor `scale` and a plain float `alpha`. forward saves
what backward needs with `ctx.save_for_backward`; backward returns one gradient per forward argument (None for
the float). The example checks the custom op's value and gradients against flashlight's autograd of the same
composition of built-in ops, then against central finite differences in float64, and trains it inside a small
model.
"""
import flashlight as fl
from flashlight import nn


class ScaledTanh(fl.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, alpha):
        t = fl.tanh(alpha * x)
        ctx.save_for_backward(t, scale)
        ctx.alpha = alpha
        return scale * t

    @staticmethod
    def backward(ctx, grad_output):
        t, scale = ctx.saved_tensors
        grad_x = grad_output * scale * ctx.alpha * (1 - t * t)
        grad_scale = (grad_output * t).reshape(-1, scale.numel()).sum(dim=0)  # scale broadcasts over the batch
        return grad_x, grad_scale, None  # alpha is a float: no gradient


def reference(x, scale, alpha):
    return scale * fl.tanh(alpha * x)


def gradients(fn, x, scale, alpha, weight):
    x = x.detach().requires_grad_(True)
    scale = scale.detach().requires_grad_(True)
    y = fn(x, scale, alpha)
    (y * weight).sum().backward()  # a non-uniform upstream gradient
    return y.detach(), x.grad, scale.grad


fl.manual_seed(0)
alpha = 0.666
x, scale, weight = fl.randn(5, 4), 1.7159 + 0.1 * fl.randn(4), fl.randn(5, 4)

# 1. Against autograd through the built-in ops.
y_custom, gx_custom, gs_custom = gradients(ScaledTanh.apply, x, scale, alpha, weight)
y_ref, gx_ref, gs_ref = gradients(reference, x, scale, alpha, weight)
print(f"grad_fn: {ScaledTanh.apply(x.detach().requires_grad_(), scale, alpha).grad_fn.name()}")
diffs = [(a - b).abs().max().item() for a, b in ((y_custom, y_ref), (gx_custom, gx_ref), (gs_custom, gs_ref))]
print(f"custom vs autograd: output {diffs[0]:.1e}, grad x {diffs[1]:.1e}, grad scale {diffs[2]:.1e}")

# 2. Against central finite differences in float64, for each element of x and of scale.
def numerical_gradient(f, t, eps=1e-6):
    grad = fl.zeros(t.numel(), dtype=t.dtype)
    for i in range(t.numel()):
        bump = fl.zeros(t.numel(), dtype=t.dtype)
        bump[i] = eps
        bump = bump.reshape(t.shape)
        grad[i] = (f(t + bump) - f(t - bump)) / (2 * eps)
    return grad.reshape(t.shape)


x64, scale64, weight64 = x.double(), scale.double(), weight.double()
_, gx, gs = gradients(ScaledTanh.apply, x64, scale64, alpha, weight64)
loss_of = lambda x, scale: (ScaledTanh.apply(x, scale, alpha) * weight64).sum().item()  # noqa: E731
worst = max((numerical_gradient(lambda t: loss_of(t, scale64), x64) - gx).abs().max().item(),
            (numerical_gradient(lambda t: loss_of(x64, t), scale64) - gs).abs().max().item())
print(f"custom vs finite differences (float64): max error {worst:.1e}")


# 3. In a model: the learnable scale trains through the custom backward.
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 8)
        self.scale = nn.Parameter(fl.ones(8))
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(ScaledTanh.apply(self.linear(x), self.scale, alpha))


net = Net()
optimizer = fl.optim.Adam(net.parameters(), lr=0.02)
inputs = fl.randn(256, 3)
targets = (inputs[:, :1] * inputs[:, 1:2]).tanh()  # a smooth nonlinear target
for step in range(150):
    loss = nn.functional.mse_loss(net(inputs), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step == 0:
        first = loss.item()
print(f"training through the custom op: loss {first:.4f} -> {loss.item():.4f}, scale moved by "
      f"{(net.scale.detach() - 1).abs().max().item():.3f}")
