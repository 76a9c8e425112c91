"""Every op row of the parity tables against torch: forward values, dtypes, shapes and gradients."""
import pytest

from parity_harness import params, run_row
from tables import ALL_ROWS

# Some rows call torch's deprecated forms on purpose (x.T on 1-D, cross without dim, scatter with reduce=).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.mark.parametrize("row,dtype", params(ALL_ROWS))
def test_op_parity(row, dtype):
    run_row(row, dtype)
