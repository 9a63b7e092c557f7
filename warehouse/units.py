"""Human units for report figures: 2.60M downloads, 85.1% of downloads, +301%.

Shared by the printed launch report and the comparison with the reported
figures, so a number reads the same in both tables. Every function takes None
(a figure without data) and shows it as a dash.
"""

from __future__ import annotations

from collections.abc import Sequence

MISSING = "-"


def human_count(value: float | None) -> str:
    """2_600_000 -> '2.60M', 950_000 -> '950K', 12_340 -> '12.3K', 1560 -> '1,560'."""
    if value is None:
        return MISSING
    magnitude = abs(value)
    if magnitude >= 1e9:
        return f"{value / 1e9:.2f}B"
    if magnitude >= 1e6:
        return f"{value / 1e6:.2f}M"
    if magnitude >= 1e5:
        return f"{value / 1e3:.0f}K"
    if magnitude >= 1e4:
        return f"{value / 1e3:.1f}K"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def percent(value: float | None) -> str:
    """A share: 0.851 -> '85.1%'."""
    return MISSING if value is None else f"{value:.1%}"


def growth(value: float | None) -> str:
    """A change relative to a base: 3.01 -> '+301%', -0.2 -> '-20%'."""
    return MISSING if value is None else f"{value:+.0%}"


def ratio(value: float | None) -> str:
    """A multiple: 2.4 -> '2.40x'."""
    return MISSING if value is None else f"{value:.2f}x"


def rank(value: float | None) -> str:
    """A chart position: 1 -> '#1'; None (not charting) -> '-'."""
    return MISSING if value is None else f"#{value:.0f}"


def human_bytes(size: int | None) -> str:
    """A size on disk: 17_500 -> '17.5 kB'."""
    if size is None:
        return MISSING
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def integer(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0f}"


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right_aligned: set[int] | None = None
) -> str:
    """An aligned plain-text table with a rule under the header; columns whose index
    is in ``right_aligned`` are right-aligned (numbers)."""
    right_aligned = right_aligned or set()
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in right_aligned else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def plural(count: int, word: str, words: str | None = None) -> str:
    """1 -> '1 day', 3 -> '3 days', 1234 -> '1,234 countries' (``words`` when the plural
    is not ``word`` + s; -y after a consonant becomes -ies)."""
    if count == 1:
        return f"1 {word}"
    if words is None:
        y_ending = word.endswith("y") and word[-2:-1] not in "aeiou"
        words = word[:-1] + "ies" if y_ending else word + "s"
    return f"{count:,} {words}"


def fine_percent(value: float | None) -> str:
    """A share that may be tiny or nearly whole, with the digits it takes not to read
    as 0% or 100% when it is neither: 5.1e-5 -> '0.005%', 0.2 -> '20%', 0.9996 ->
    '99.96%', 0 -> '0%', 1 -> '100%'."""
    import math

    if value is None:
        return MISSING
    if value <= 0 or value >= 1:
        return f"{value:.0%}"
    # The distance to the nearer of 0 and 100%, in percent, sets the decimals: one
    # significant digit of it (at most 4 decimals: below that it reads '<0.0001%').
    distance = min(value, 1 - value) * 100
    decimals = min(max(0, -math.floor(math.log10(distance))), 4)
    text = f"{value * 100:.{decimals}f}%"
    if text in ("0%", f"{0:.{decimals}f}%"):
        return f"<{10**-decimals:.{decimals}f}%"
    if text in ("100%", f"{100:.{decimals}f}%"):
        return f">{100 - 10**-decimals:.{decimals}f}%"
    return text
