"""Tenants' effort from tenants' own rents and incomes: the rent observatory's survey records.

The Observatoire des loyers surveys (2017, 2018, 2020; dataset ``rent_observatory_survey``)
record, for each rented dwelling, the monthly rent and the household's monthly net income as a
*band* (``REV``: "De 1001 € à 1500 €", …). Rent-to-income is therefore known within bounds:
``rent / upper bound ≤ effort ≤ rent / lower bound``; the band midpoint gives a central value
(the open top band "Plus de 3500 €" has no midpoint unless ``top_band_high_eur_month`` is set,
an assumption).

The copied file re-scales the 2017 rents by 1.0442230 and the 2018 rents by 1.0265878
(PROVENANCE §26; probably indexation to 2020, undocumented). :func:`survey_records` divides them
back, so ``rent_eur_month`` is in nominal euros of the survey year, as published.

No survey weights exist: shares are shares of surveyed dwellings with a usable income answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from permanent_research._validation import check_choice, check_columns, check_in_range
from permanent_research.errors import DataError, ParameterError
from permanent_research.results import Result

__all__ = [
    "RENT_RESCALING",
    "INCOME_BANDS",
    "NO_ANSWER",
    "EFFORT_GROUPS",
    "survey_records",
    "TenantEffort",
    "tenant_effort",
    "income_deciles",
]

# Factor the copied file applied to each survey year's rents (PROVENANCE §26).
RENT_RESCALING: Mapping[int, float] = MappingProxyType(
    {2017: 1.0442230, 2018: 1.0265878, 2020: 1.0}
)
# Monthly net household income bands of the questionnaire, EUR/month (low, high); in order.
INCOME_BANDS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "Moins de 500 €": (0.0, 500.0),
        "De 500 € à 1000 €": (500.0, 1000.0),
        "De 1001 € à 1500 €": (1001.0, 1500.0),
        "De 1501 € à 2000 €": (1501.0, 2000.0),
        "De 2001 € à 2500 €": (2001.0, 2500.0),
        "De 2501 € à 3000 €": (2501.0, 3000.0),
        "De 3001 € à 3500 €": (3001.0, 3500.0),
        "Plus de 3500 €": (3501.0, np.inf),
    }
)
NO_ANSWER: tuple[str, ...] = ("Refus de répondre", "Ne sait pas")
EFFORT_GROUPS: tuple[str, ...] = ("survey_year", "income_band", "commune")
_PUBLISHED_SHARE = "share_households_rent_over_30pct_budget"


def survey_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Tidy survey records: de-scaled rents, income-band bounds, commune.

    Parameters
    ----------
    frame
        ``load("rent_observatory_survey")`` (columns ``LOY``, ``INSSEC``, ``annee_enquete``,
        ``REV``, ``Q11``, ``Q12``).

    Returns
    -------
    pandas.DataFrame
        One row per record: ``survey_year``, ``commune`` (NIS code, first 5 characters of the
        sector; missing without a sector), ``sector``, ``rent_eur_month`` (nominal euros of the
        survey year, the file's re-scaling undone), ``rent_eur_month_file`` (as in the file),
        ``income_band`` (ordered categorical; missing for a non-answer), ``income_low_eur_month``,
        ``income_high_eur_month`` (``inf`` for the top band), ``floor_m2``, ``dwelling_type``.

    Raises
    ------
    DataError
        A missing column, a survey year without a known re-scaling, a rent ≤ 0, or an income
        answer that is neither a band nor a known non-answer.
    """
    check_columns(frame, ["LOY", "INSSEC", "annee_enquete", "REV", "Q11", "Q12"],
                  source="rent_observatory_survey")
    years = frame["annee_enquete"].astype("Int64")
    unknown_years = sorted(set(years.dropna()) - set(RENT_RESCALING))
    if unknown_years or years.isna().any():
        raise DataError(
            f"rent_observatory_survey: column 'annee_enquete' has {unknown_years or 'missing'}; "
            f"known survey years: {', '.join(map(str, RENT_RESCALING))}"
        )
    rent_file = pd.to_numeric(frame["LOY"], errors="coerce").astype(float)
    bad_rent = rent_file.isna() | (rent_file <= 0)
    if bad_rent.any():
        rows = list(frame.index[bad_rent][:5])
        raise DataError(f"rent_observatory_survey: column 'LOY' must be > 0, rows {rows}")
    answers = frame["REV"].astype("string")
    known = answers.isin(list(INCOME_BANDS)) | answers.isin(list(NO_ANSWER))
    if not known.all():
        odd = sorted(set(answers[~known].dropna()))[:3]
        raise DataError(
            f"rent_observatory_survey: column 'REV' has unknown income answer(s) {odd}; "
            f"known bands: {', '.join(INCOME_BANDS)}; non-answers: {', '.join(NO_ANSWER)}"
        )
    band = pd.Categorical(answers.where(answers.isin(list(INCOME_BANDS))),
                          categories=list(INCOME_BANDS), ordered=True)
    low = answers.map(lambda a: INCOME_BANDS[a][0] if a in INCOME_BANDS else np.nan)
    high = answers.map(lambda a: INCOME_BANDS[a][1] if a in INCOME_BANDS else np.nan)
    sector = frame["INSSEC"].astype("string")
    return pd.DataFrame(
        {
            "survey_year": years.astype(int).to_numpy(),
            "commune": sector.str.slice(0, 5).to_numpy(),
            "sector": sector.to_numpy(),
            "rent_eur_month": (rent_file / years.map(RENT_RESCALING).astype(float)).to_numpy(),
            "rent_eur_month_file": rent_file.to_numpy(),
            "income_band": band,
            "income_low_eur_month": low.astype(float).to_numpy(),
            "income_high_eur_month": high.astype(float).to_numpy(),
            "floor_m2": pd.to_numeric(frame["Q11"], errors="coerce").to_numpy(),
            "dwelling_type": frame["Q12"].astype("string").to_numpy(),
        }
    )


@dataclass(frozen=True)
class TenantEffort(Result):
    """Rent-to-income of surveyed tenants by group, with bounds from the income bands.

    Attributes
    ----------
    records
        From :func:`survey_records`.
    by
        Grouping columns, a subset of :data:`EFFORT_GROUPS` (in that order of nesting).
    threshold
        Effort above which a household counts as burdened (fraction, (0, 1]); the observatory
        publishes the share above 30 %.
    top_band_high_eur_month
        Assumed upper bound of the open top band ("Plus de 3500 €"), used only for its midpoint;
        ``None`` leaves the top band's central effort missing.
    min_records
        Groups with fewer records are reported but their effort values are left missing.
    """

    records: pd.DataFrame
    by: tuple[str, ...] = ("survey_year", "income_band")
    threshold: float = 0.30
    top_band_high_eur_month: float | None = None
    min_records: int = 20

    def __post_init__(self) -> None:
        by = tuple(self.by)
        for column in by:
            check_choice("by", column, EFFORT_GROUPS)
        if len(set(by)) != len(by):
            raise ParameterError(f"by={by!r} repeats a column")
        object.__setattr__(self, "by", by)
        check_in_range("threshold", self.threshold, 0, 1, low_inclusive=False)
        if self.top_band_high_eur_month is not None:
            top_low = INCOME_BANDS["Plus de 3500 €"][0]
            check_in_range("top_band_high_eur_month", self.top_band_high_eur_month, top_low,
                           None, low_inclusive=False)
        if int(self.min_records) < 1:
            raise ParameterError(f"min_records={self.min_records!r} must be ≥ 1")
        check_columns(self.records, ["survey_year", "rent_eur_month", "income_band",
                                     "income_low_eur_month", "income_high_eur_month", "commune"],
                      source="survey records")

    def _usable(self) -> pd.DataFrame:
        rows = self.records.dropna(subset=["income_band"])
        if "commune" in self.by:
            rows = rows.dropna(subset=["commune"])
        rent = rows["rent_eur_month"].to_numpy(dtype=float)
        low = rows["income_low_eur_month"].to_numpy(dtype=float)
        high = rows["income_high_eur_month"].to_numpy(dtype=float)
        top = self.top_band_high_eur_month
        high_mid = np.where(np.isinf(high), np.nan if top is None else top, high)
        mid = (low + high_mid) / 2
        with np.errstate(divide="ignore"):
            effort_low = rent / high            # 0 for the open top band
            effort_high = rent / low            # inf for the lowest band
        return rows.assign(
            effort_mid=rent / mid,
            effort_low=effort_low,
            effort_high=effort_high,
            above_certain=effort_low > self.threshold,
            above_possible=effort_high > self.threshold,
            above_mid=np.where(np.isnan(mid), np.nan, rent / mid > self.threshold),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group: ``n_records``, ``median_rent_eur_month``,
        ``median_income_mid_eur_month``, ``effort_median`` (median rent-to-income at band
        midpoints), ``effort_median_low``/``_high`` (at the band's upper/lower bound), and the
        share of households above :attr:`threshold`: ``share_above_low`` (certainly above),
        ``share_above_mid`` (at midpoints; households of the open top band are left out unless
        :attr:`top_band_high_eur_month` is set) and ``share_above_high`` (possibly above)."""
        rows = self._usable()
        grouped = rows.groupby(list(self.by), observed=True, sort=True)
        table = grouped.agg(
            n_records=("rent_eur_month", "size"),
            median_rent_eur_month=("rent_eur_month", "median"),
            effort_median=("effort_mid", "median"),
            effort_median_low=("effort_low", "median"),
            effort_median_high=("effort_high", "median"),
            share_above_low=("above_certain", "mean"),
            share_above_mid=("above_mid", "mean"),
            share_above_high=("above_possible", "mean"),
        ).reset_index()
        thin = table["n_records"] < int(self.min_records)
        value_columns = [c for c in table.columns if c.startswith(("effort_", "share_"))]
        table.loc[thin, value_columns] = np.nan
        table["threshold"] = self.threshold
        return table

    def overall(self) -> pd.DataFrame:
        """Share above the threshold per survey year, all income bands together."""
        return self.replace(by=("survey_year",)).to_frame()

    def compare_published(self, observatory: pd.DataFrame) -> pd.DataFrame:
        """Set the computed shares beside the observatory's published ones.

        Parameters
        ----------
        observatory
            ``load("rent_observatory")``; its rows with measure
            ``share_households_rent_over_30pct_budget`` (percent) are the published shares
            (2018: 75 %).

        Returns
        -------
        pandas.DataFrame
            ``survey_year``, ``published_share``, ``share_above_low``, ``share_above_mid``,
            ``share_above_high`` and ``published_within_bounds``. Only with ``threshold=0.30``.
        """
        if not np.isclose(self.threshold, 0.30):
            raise ParameterError(
                f"threshold={self.threshold} — the observatory publishes the share above 30 %; "
                "use threshold=0.30 to compare"
            )
        check_columns(observatory, ["survey_year", "measure", "value"], source="rent_observatory")
        published = observatory[observatory["measure"] == _PUBLISHED_SHARE]
        if published.empty:
            raise DataError(f"rent_observatory: no row with measure {_PUBLISHED_SHARE!r}")
        shares = pd.DataFrame(
            {
                "survey_year": pd.to_numeric(published["survey_year"]).astype(int).to_numpy(),
                "published_share": pd.to_numeric(published["value"]).to_numpy() / 100,
            }
        )
        computed = self.overall()[["survey_year", "share_above_low", "share_above_mid",
                                   "share_above_high"]]
        out = shares.merge(computed, on="survey_year", how="left")
        out["published_within_bounds"] = out["published_share"].between(
            out["share_above_low"], out["share_above_high"]
        )
        return out

    def summary(self) -> str:
        overall = self.overall()
        lines = [
            f"Tenants' rent-to-income (observatory survey records; effort > {self.threshold:.0%}),"
            " income known by band: certainly above / at band midpoints / possibly above"
        ]
        for row in overall.itertuples(index=False):
            lines.append(
                f"  {row.survey_year}: {row.share_above_low:.0%} / {row.share_above_mid:.0%} / "
                f"{row.share_above_high:.0%} of {row.n_records:,} households with an income answer"
            )
        return "\n".join(lines)

    def plot(self):
        """Median effort by income band with the band's bounds, one line per survey year."""
        from permanent_research.plots.money import effort_by_band

        table = self.replace(by=("survey_year", "income_band")).to_frame()
        return effort_by_band(table, bands=list(INCOME_BANDS), threshold=self.threshold)

def tenant_effort(
    records: pd.DataFrame,
    *,
    by: Sequence[str] = ("survey_year", "income_band"),
    threshold: float = 0.30,
    top_band_high_eur_month: float | None = None,
    min_records: int = 20,
) -> TenantEffort:
    """Rent-to-income of surveyed tenants by income band (and commune, survey year).

    Parameters
    ----------
    records
        From :func:`survey_records` (or ``load("rent_observatory_survey")``, tidied here).
    by
        Groups, from :data:`EFFORT_GROUPS`, e.g. ``("survey_year", "income_band", "commune")``.
    threshold
        Burden threshold (fraction of income, (0, 1]).
    top_band_high_eur_month
        Assumed upper bound of the open top band, for its midpoint (assumption).
    min_records
        Smallest group whose values are reported.

    Returns
    -------
    TenantEffort
    """
    if "REV" in records.columns:
        records = survey_records(records)
    return TenantEffort(
        records=records,
        by=tuple(by),
        threshold=threshold,
        top_band_high_eur_month=top_band_high_eur_month,
        min_records=min_records,
    )


def income_deciles(
    records: pd.DataFrame,
    *,
    survey_year: int,
    top_band_high_eur_month: float | None = None,
) -> pd.Series:
    """Deciles D1…D9 of tenants' monthly household income from the survey's income bands.

    The bands' counts (non-answers left out) give the distribution; within a band incomes are
    taken as spread evenly (linear interpolation of the cumulative share), the usual reading of
    grouped data.

    Parameters
    ----------
    records
        From :func:`survey_records`.
    survey_year
        2017, 2018 or 2020.
    top_band_high_eur_month
        Upper bound assumed for the open top band; needed only if a decile falls in it.

    Returns
    -------
    pandas.Series
        EUR/month (nominal euros of ``survey_year``), index ``D1`` … ``D9``;
        ``attrs["source"]`` names the data.

    Raises
    ------
    ParameterError
        An unknown survey year, or a decile in the open top band without an assumed bound.
    """
    check_columns(records, ["survey_year", "income_band"], source="survey records")
    check_choice("survey_year", survey_year, tuple(RENT_RESCALING))
    rows = records[(records["survey_year"] == survey_year)].dropna(subset=["income_band"])
    counts = rows["income_band"].value_counts().reindex(list(INCOME_BANDS), fill_value=0)
    if counts.sum() == 0:
        raise DataError(f"survey records: no income answers in {survey_year}")
    bounds = np.array([INCOME_BANDS[b] for b in INCOME_BANDS], dtype=float)
    edges = np.r_[bounds[:, 0], bounds[-1, 1]]
    if top_band_high_eur_month is not None:
        edges[-1] = top_band_high_eur_month
    cumulative = np.r_[0.0, np.cumsum(counts.to_numpy(dtype=float))] / counts.sum()
    out = {}
    for k in range(1, 10):
        q = k / 10
        band = int(np.searchsorted(cumulative, q, side="left")) - 1
        band = min(max(band, 0), len(counts) - 1)
        if np.isinf(edges[band + 1]):
            raise ParameterError(
                f"D{k} of {survey_year} falls in the open top band ({list(INCOME_BANDS)[-1]}); "
                "pass top_band_high_eur_month (an assumption)"
            )
        share = (q - cumulative[band]) / (cumulative[band + 1] - cumulative[band])
        out[f"D{k}"] = edges[band] + share * (edges[band + 1] - edges[band])
    deciles = pd.Series(out, name="income_eur_month")
    deciles.attrs["source"] = (
        f"rent_observatory_survey {survey_year}: tenants' household income bands (REV), "
        f"{int(counts.sum()):,} answers, linear within bands"
    )
    return deciles
