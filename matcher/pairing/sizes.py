"""How many tables, and how big, for a given head count.

The rule (``table_size`` = N, ``n`` people to seat):

1. ``n <= N``: one table of everybody (for 1:1 that is a pair, or one person alone).
2. Otherwise use ``k = n // N`` tables and spread the remainder, so tables hold N or N+1
   (sizes differ by at most one). For 1:1 this is "pairs, plus exactly one trio when n is odd".
3. If that would need tables of N+2 or more, use ``k + 1`` tables instead, as long as every
   table still holds at least N-1 (e.g. 13 people at tables of 5: 5, 4, 4).
4. If neither works (only for small n, e.g. 7 people at tables of 5) keep ``k`` tables and let
   them grow past N+1: a big table is better than one below N-1.

Larger tables come first in the returned list.
"""

from __future__ import annotations


def _split(n: int, k: int) -> list[int]:
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


def table_sizes(n: int, table_size: int = 2) -> list[int]:
    """Table sizes for ``n`` people at tables meant for ``table_size``.

    Parameters
    ----------
    n : int
        People to seat (>= 0).
    table_size : int, default 2
        The intended table size N (>= 2).

    Returns
    -------
    list of int
        Sizes in non-increasing order, summing to ``n`` (empty when ``n == 0``).

    Examples
    --------
    >>> table_sizes(7, 2)
    [3, 2, 2]
    >>> table_sizes(13, 5)
    [5, 4, 4]
    >>> table_sizes(7, 5)
    [7]
    """
    if table_size < 2:
        raise ValueError(f"table_size must be >= 2, got {table_size}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:
        return []
    if n <= table_size:
        return [n]
    k = n // table_size
    sizes = _split(n, k)
    if sizes[0] <= table_size + 1:
        return sizes
    wider = _split(n, k + 1)
    if wider[-1] >= table_size - 1:
        return wider
    return sizes
