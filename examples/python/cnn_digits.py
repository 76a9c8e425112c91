"""An MNIST-style LeNet on synthetic digit images, trained through DataLoader(TensorDataset(...)).

No download: the script draws 28x28 seven-segment digits (0-9) with random stroke widths and sizes, shifts of up
to 3 pixels, a slight slant and Gaussian noise, as 3000 training and 1000 held-out images. LeNet-5 (two conv/pool
stages, three fully connected layers) trains with Adam for three epochs over a shuffling DataLoader (batches of
32) and prints the held-out accuracy after each; it ends above 95%.
"""
import numpy as np

import flashlight as fl
from flashlight import nn
import flashlight.nn.functional as F
from flashlight.utils.data import DataLoader, TensorDataset

# Segments a (top), b (top right), c (bottom right), d (bottom), e (bottom left), f (top left), g (middle).
SEGMENTS = {0: "abcdef", 1: "bc", 2: "abged", 3: "abgcd", 4: "fgbc", 5: "afgcd", 6: "afgedc", 7: "abc",
            8: "abcdefg", 9: "abcdfg"}


def draw_digit(digit, rng):
    """One 28x28 float32 image of `digit`: its segments as strokes in a randomly sized, slanted, shifted box."""
    height, width = rng.integers(17, 21), rng.integers(10, 13)
    stroke = rng.integers(2, 4)
    top = (28 - height) // 2 + rng.integers(-3, 4)  # centred as MNIST's digits, then shifted by up to 3 pixels
    left = (28 - width) // 2 + rng.integers(-3, 4)
    mid = top + height // 2
    rows, cols = np.mgrid[0:28, 0:28]
    cols = cols + rng.uniform(-0.15, 0.15) * (rows - mid)  # slant
    in_rows = lambda a, b: (rows >= a) & (rows < b)  # noqa: E731
    in_cols = lambda a, b: (cols >= a) & (cols < b)  # noqa: E731
    right, bottom = left + width, top + height
    strokes = {
        "a": in_rows(top, top + stroke) & in_cols(left, right),
        "g": in_rows(mid - stroke // 2, mid - stroke // 2 + stroke) & in_cols(left, right),
        "d": in_rows(bottom - stroke, bottom) & in_cols(left, right),
        "f": in_rows(top, mid + 1) & in_cols(left, left + stroke),
        "e": in_rows(mid, bottom) & in_cols(left, left + stroke),
        "b": in_rows(top, mid + 1) & in_cols(right - stroke, right),
        "c": in_rows(mid, bottom) & in_cols(right - stroke, right),
    }
    image = np.zeros((28, 28), np.float32)
    for s in SEGMENTS[digit]:
        image[strokes[s]] = 1.0
    return image + rng.normal(0.0, 0.2, image.shape).astype(np.float32)


def make_dataset(n, rng):
    labels = rng.integers(0, 10, n)
    images = np.stack([draw_digit(d, rng) for d in labels])[:, None]  # (n, 1, 28, 28)
    return TensorDataset(fl.from_numpy(images), fl.from_numpy(labels))


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # (B, 6, 12, 12)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (B, 16, 4, 4)
        x = fl.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with fl.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(1) == labels).sum().item()
            total += labels.numel()
    model.train()
    return correct / total


fl.manual_seed(0)
rng = np.random.default_rng(0)
train_loader = DataLoader(make_dataset(3000, rng), batch_size=32, shuffle=True)
test_loader = DataLoader(make_dataset(1000, rng), batch_size=500)

model = LeNet()
optimizer = fl.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(3):
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}, held-out accuracy {evaluate(model, test_loader):.2%}")

print(f"held-out accuracy: {evaluate(model, test_loader):.4f}")
