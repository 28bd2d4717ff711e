"""Grams of CO2e from joules: a per-country grid intensity, offline.

Figures: the carbon intensity of electricity generation in 2023, gCO2e per kWh (life-cycle),
as published by Our World in Data ("Carbon intensity of electricity generation", built on
Ember's yearly electricity data and the Energy Institute's Statistical Review), rounded to the
gram. They were transcribed by hand and not re-checked against a download here (wattcode has no
network code paths): anyone who needs an exact figure should set
`wattcode.carbon.gramsPerKwh`, which always wins. The world average is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

JOULES_PER_KWH = 3.6e6
WORLD = "world"
WORLD_GRAMS_PER_KWH = 480.0
"""Ember's global average for 2023 (Global Electricity Review 2024): 480 gCO2/kWh."""

GRAMS_PER_KWH: dict[str, float] = {
    "AR": 354, "AT": 110, "AU": 549, "BE": 138, "BR": 98, "CA": 170, "CH": 35, "CL": 291,
    "CN": 582, "CO": 260, "CZ": 449, "DE": 381, "DK": 151, "EG": 570, "ES": 174, "FI": 79,
    "FR": 56, "GB": 238, "GR": 336, "HU": 204, "ID": 676, "IE": 282, "IN": 713, "IT": 331,
    "JP": 485, "KR": 430, "MX": 407, "NL": 268, "NO": 30, "NZ": 112, "PL": 662, "PT": 165,
    "RO": 240, "RU": 441, "SA": 696, "SE": 41, "SG": 471, "TH": 550, "TR": 402, "US": 369,
    "ZA": 708,
}  # fmt: skip


@dataclass(frozen=True)
class GridIntensity:
    grams_per_kwh: float
    source: str
    """"setting", "OWID 2023 (FR)" or "OWID/Ember 2023 world average"."""


def known_country(code: str) -> bool:
    return code.upper() in GRAMS_PER_KWH


def grid_intensity(grams_per_kwh: float | None, country: str | None) -> GridIntensity:
    """The user's own figure first, then their country's, then the world average."""
    if grams_per_kwh is not None:
        return GridIntensity(float(grams_per_kwh), "setting")
    if country and known_country(country):
        code = country.upper()
        return GridIntensity(GRAMS_PER_KWH[code], f"OWID 2023 ({code})")
    return GridIntensity(WORLD_GRAMS_PER_KWH, "OWID/Ember 2023 world average")


def grams_co2e(joules: float, intensity: GridIntensity) -> float:
    return joules / JOULES_PER_KWH * intensity.grams_per_kwh


def watt_hours(joules: float) -> float:
    return joules / 3600
