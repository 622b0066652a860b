import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.distinct import HeldDistinct


def test_the_distinct_values_of_many_arrays_are_those_of_all_while_few_are_held():
    rng = np.random.default_rng(1)
    distinct = HeldDistinct(lambda parts: pd.unique(np.concatenate(parts)), held=50)
    added, most_held = [], 0
    for _ in range(200):
        values = rng.integers(0, 300, int(rng.integers(0, 40)))
        added.append(values)
        distinct.add(values)
        most_held = max(most_held, distinct.raw)

    assert sorted(distinct.values()) == sorted(set(np.concatenate(added)))
    assert most_held < 300  # merged long before everything added was held


def test_arrow_arrays_and_nothing_added():
    distinct = HeldDistinct(lambda parts: pc.unique(pa.chunked_array(parts, pa.string())), held=2)
    assert distinct.values() is None
    assert distinct.distinct == 0
    for values in (["a", "b"], ["b"], ["c", "a"]):
        distinct.add(pa.array(values))

    assert sorted(distinct.values().to_pylist()) == ["a", "b", "c"]
    assert distinct.distinct == 3
