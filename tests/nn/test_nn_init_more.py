"""nn.init additions: generator=, trunc_normal_, eye_, orthogonal_, PyTorch's deprecated names."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_fr as tg
from tinygrad_fr.nn import init


@pytest.mark.parametrize(
    "fill",
    [
        lambda t, g: init.uniform_(t, -1, 1, generator=g),
        lambda t, g: init.normal_(t, 0, 2, generator=g),
        lambda t, g: init.trunc_normal_(t, generator=g),
        lambda t, g: init.xavier_uniform_(t, generator=g),
        lambda t, g: init.xavier_normal_(t, generator=g),
        lambda t, g: init.kaiming_uniform_(t, generator=g),
        lambda t, g: init.kaiming_normal_(t, generator=g),
        lambda t, g: init.orthogonal_(t, generator=g),
    ],
)
def test_a_generator_makes_the_draw_repeatable(fill):
    first = fill(tg.zeros(5, 4), tg.Generator().manual_seed(2)).numpy()
    tg.rand(10)
    second = fill(tg.zeros(5, 4), tg.Generator().manual_seed(2)).numpy()
    np.testing.assert_array_equal(first, second)


def test_trunc_normal_stays_inside_the_bounds():
    values = init.trunc_normal_(tg.zeros(10_000), mean=0.5, std=2.0, a=-1.0, b=1.5).numpy()
    assert values.min() >= -1.0 and values.max() <= 1.5
    assert values.std() > 0.5  # not collapsed onto the mean


def test_eye_and_orthogonal():
    np.testing.assert_array_equal(init.eye_(tg.zeros(2, 3)).numpy(), np.eye(2, 3))
    for shape in [(4, 4), (3, 5), (5, 3), (2, 3, 2)]:
        q = (
            init.orthogonal_(tg.zeros(*shape, dtype=tg.float64), gain=2.0)
            .numpy()
            .reshape(shape[0], -1)
        )
        small = min(q.shape)
        product = q @ q.T if q.shape[0] == small else q.T @ q
        np.testing.assert_allclose(product, 4 * np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(tg.zeros(3))


def test_old_names_warn_as_pytorch_and_still_fill():
    with pytest.warns(FutureWarning, match="nn.init.xavier_uniform is now deprecated"):
        init.xavier_uniform(tg.zeros(3, 3))
    with pytest.warns(FutureWarning, match="nn.init.constant is now deprecated"):
        assert init.constant(tg.zeros(2), 3.0).tolist() == [3.0, 3.0]
