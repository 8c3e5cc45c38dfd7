"""The function_kinds.py cases as a vgi-python 0.47.0 worker, for comparison runs only.

Every case maps onto a fixture that vgi-python ships and benchmarks itself
with (``vgi._test_fixtures``), so the reference is measured as its authors
wrote it:

* ``multiply``   — ``scalar.arithmetic.MultiplyFunction`` (typed ``pa.Int64Scalar`` factor);
* ``upper_case`` — ``scalar.binary.UpperCaseFunction`` (``pc.utf8_upper``);
* ``sequence``   — ``table.sequence.SequenceFunction`` (``count``, ``batch_size :=``, numpy arange);
* ``echo``       — ``table_in_out.EchoFunction`` (a ``TableInOutGenerator`` passthrough);
* ``vgi_sum``    — ``aggregate.basic.SumFunction`` (pyarrow ``group_by`` per batch).

All live in the catalog's ``main`` schema.  Used by benchmarks, never shipped.
"""

from vgi import Worker
from vgi._test_fixtures.aggregate.basic import SumFunction
from vgi._test_fixtures.scalar.arithmetic import MultiplyFunction
from vgi._test_fixtures.scalar.binary import UpperCaseFunction
from vgi._test_fixtures.table.sequence import SequenceFunction
from vgi._test_fixtures.table_in_out import EchoFunction


class ReferenceBenchWorker(Worker):
    """The five benchmark functions, served the reference SDK's way."""

    catalog_name = "reference"
    functions = [MultiplyFunction, UpperCaseFunction, SequenceFunction, EchoFunction, SumFunction]


if __name__ == "__main__":
    ReferenceBenchWorker().run()
