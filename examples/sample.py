"""A small module for the wattcode demo: `wattcode complete examples/sample.py:17:16`."""

from dataclasses import dataclass


@dataclass
class Rectangle:
    width: float
    height: float

    def area(self) -> float:
        """The rectangle's area."""
        return self.width * self.height

    def perimeter(self) -> float:
        """The length of the rectangle's border."""
        return 
