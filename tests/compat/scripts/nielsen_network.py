"""Nielsen's network.py (sigmoid layers, quadratic cost, mini-batch SGD) written with
PyTorch tensors and autograd on column vectors, on a small synthetic problem."""

import numpy as np
import torch

TOLERANCE = 1e-9


class Network:
    def __init__(self, sizes, rng):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [torch.tensor(rng.normal(size=(y, 1)), requires_grad=True) for y in sizes[1:]]
        self.weights = [
            torch.tensor(rng.normal(size=(y, x)), requires_grad=True)
            for x, y in zip(sizes[:-1], sizes[1:])
        ]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = torch.sigmoid(w @ a + b)
        return a

    def update_mini_batch(self, mini_batch, eta):
        cost = sum(0.5 * ((self.feedforward(x) - y) ** 2).sum() for x, y in mini_batch)
        cost.backward()
        with torch.no_grad():
            for p in self.weights + self.biases:
                p -= (eta / len(mini_batch)) * p.grad
                p.grad = None

    def evaluate(self, test_data):
        results = [(int(self.feedforward(x).argmax()), y) for x, y in test_data]
        return sum(int(x == y) for x, y in results)

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data):
        n = len(training_data)
        for j in range(epochs):
            # Nielsen shuffles here; the order is kept fixed so that runs compare
            mini_batches = [
                training_data[k : k + mini_batch_size] for k in range(0, n, mini_batch_size)
            ]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            print(f"Epoch {j}: {self.evaluate(test_data)} / {len(test_data)}")


rng = np.random.default_rng(6)
inputs = rng.uniform(size=(60, 4))
classes = (inputs[:, 0] + inputs[:, 1] > inputs[:, 2] + inputs[:, 3]).astype(int)
training_data = [
    (torch.tensor(x.reshape(4, 1)), torch.tensor(np.eye(2)[c].reshape(2, 1)))
    for x, c in zip(inputs[:40], classes[:40])
]
test_data = [(torch.tensor(x.reshape(4, 1)), int(c)) for x, c in zip(inputs[40:], classes[40:])]

net = Network([4, 5, 2], rng)
net.SGD(training_data, 5, 10, 3.0, test_data)
print("output", net.feedforward(test_data[0][0]).detach().numpy().ravel().tolist())
