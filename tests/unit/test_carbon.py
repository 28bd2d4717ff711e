"""The offline grid-intensity table: its source years show in the label."""

from __future__ import annotations

from models.energy.carbon import GRAMS_PER_KWH, OLDER_YEARS, grid_intensity


def test_a_country_whose_latest_figure_is_older_says_its_year() -> None:
    assert grid_intensity(None, "id").source == "OWID 2022 (ID)"
    assert grid_intensity(None, "MX").source == "OWID 2023 (MX)"
    assert set(OLDER_YEARS) <= set(GRAMS_PER_KWH)
