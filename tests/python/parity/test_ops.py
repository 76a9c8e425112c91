"""Every op row of the parity tables against torch: forward values, dtypes, shapes and gradients."""
import pytest

from parity_harness import params, run_row
from tables import ALL_ROWS


@pytest.mark.parametrize("row,dtype", params(ALL_ROWS))
def test_op_parity(row, dtype):
    run_row(row, dtype)
