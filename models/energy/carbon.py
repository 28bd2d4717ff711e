"""Grams of CO2e from joules: a per-country grid intensity, offline.

Figures: the carbon intensity of electricity generation, gCO2e per kWh (life-cycle), from Our
World in Data's "Carbon intensity of electricity generation" (built on Ember's yearly
electricity data and the Energy Institute's Statistical Review of World Energy), year 2023, in
the edition that codecarbon 3.3.2 ships offline (its `global_energy_mix.json`, 213 countries).
Indonesia and Saudi Arabia have no 2023 figure there: theirs are 2022's. Rounded to the gram;
checked figure by figure against that file on 2026-11-21. Later editions of the same dataset
revise past years (Germany's 2023 reads 371, then 363, in two later editions), so a figure may
differ from what the page shows today. Anyone who needs an exact figure should set
`wattcode.carbon.gramsPerKwh`, which always wins. The world average is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

JOULES_PER_KWH = 3.6e6
WORLD = "world"
WORLD_GRAMS_PER_KWH = 480.0
"""Ember's global average for 2023 (Global Electricity Review 2024): 480 gCO2/kWh. The
per-country edition above has no world row (codecarbon's own fallback, 475, is the IEA's figure
for 2019)."""

GRAMS_PER_KWH: dict[str, float] = {
    "AR": 354, "AT": 111, "AU": 549, "BE": 138, "BR": 98, "CA": 170, "CH": 35, "CL": 291,
    "CN": 582, "CO": 260, "CZ": 450, "DE": 381, "DK": 152, "EG": 570, "ES": 174, "FI": 79,
    "FR": 56, "GB": 238, "GR": 337, "HU": 204, "ID": 676, "IE": 291, "IN": 713, "IT": 331,
    "JP": 485, "KR": 431, "MX": 507, "NL": 268, "NO": 30, "NZ": 113, "PL": 662, "PT": 166,
    "RO": 241, "RU": 441, "SA": 707, "SE": 41, "SG": 471, "TH": 550, "TR": 465, "US": 369,
    "ZA": 708,
}  # fmt: skip
YEAR = 2023
OLDER_YEARS = {"ID": 2022, "SA": 2022}
"""Countries whose latest figure in the source is older than `YEAR`."""


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
        year = OLDER_YEARS.get(code, YEAR)
        return GridIntensity(GRAMS_PER_KWH[code], f"OWID {year} ({code})")
    return GridIntensity(WORLD_GRAMS_PER_KWH, "OWID/Ember 2023 world average")


def grams_co2e(joules: float, intensity: GridIntensity) -> float:
    return joules / JOULES_PER_KWH * intensity.grams_per_kwh


def watt_hours(joules: float) -> float:
    return joules / 3600
