"""What finishing needs to know about each laid-out page: the text column, whether the page is
blank, where its last writing space ends (and how its rules look), and where elements with an
id sit. ``guidegen.layout.pages`` reads them from WeasyPrint's page boxes; the finishing stage
uses them without knowing WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PX = 0.75  # CSS pixels to PDF points


@dataclass(frozen=True)
class Fill:
    """Rules to continue from ``y`` (points from the page top) to the foot of the column."""

    y: float
    x0: float
    x1: float
    pitch: float
    rule_width: float
    colour: tuple[float, float, float]
    field: str | None  # the form field that covers this writing space
    title: str | None = None  # the accessible name of a field made for it (none drawn yet)


@dataclass
class PageInfo:
    number: int  # 1-based
    width: float  # points
    height: float
    column: tuple[float, float, float, float]  # x0, top, x1, bottom of the text column
    blank: bool
    fill: Fill | None = None
    first_rule: float | None = None  # where the page's first writing rule sits (notes pages)
    anchors: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def is_left(self) -> bool:
        return self.number % 2 == 0
