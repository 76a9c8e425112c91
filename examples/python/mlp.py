"""Migrating from PyTorch: a multilayer perceptron whose code is torch's, apart from the imports.

Where a PyTorch script says `import torch` / `from torch import nn`, it says `import flashlight as fl` /
`from flashlight import nn`; the model, the forward pass, the loss, the optimizer and the training loop are
unchanged. The MLP learns a synthetic 10-class problem (labels from a random linear teacher on 784 features) and
prints its training accuracy, which goes above 95%.
"""
import flashlight as fl  # was: import torch
from flashlight import nn  # was: from torch import nn

fl.manual_seed(0)

# The migration example, verbatim.
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
x = fl.randn(32, 784)
output = model(x)
print(f"output: {tuple(output.shape)} {output.dtype}")

# A learnable problem: each sample's class is the largest of 10 random linear scores of its features.
teacher = fl.randn(784, 10)
inputs = fl.randn(2048, 784)
labels = (inputs @ teacher).argmax(dim=1)

optimizer = fl.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
batch_size = 128
for epoch in range(5):
    permutation = fl.randperm(inputs.shape[0])
    for start in range(0, inputs.shape[0], batch_size):
        idx = permutation[start:start + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(inputs[idx]), labels[idx])
        loss.backward()
        optimizer.step()
    with fl.no_grad():
        accuracy = (model(inputs).argmax(dim=1) == labels).float().mean().item()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}, training accuracy {accuracy:.2%}")

print(f"final training accuracy: {accuracy:.4f}")
