"""Trend model across areas (area fixed effects, clustered SEs) and a forecast (projection)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from permanent_research._validation import check_choice, check_in_range
from permanent_research.errors import DataError, ParameterError
from permanent_research.rents._base import ResultMixin, check_tidy

__all__ = ["TrendResult", "trend_model", "ForecastResult", "forecast"]


@dataclass(frozen=True)
class TrendResult(ResultMixin):
    """Log-linear trend ``ln value = a_area + b · year + ε`` with SEs clustered by area.

    Attributes
    ----------
    slope, slope_se
        ``b`` (log points per year) and its cluster-robust standard error.
    annual_growth_pct, ci_low_pct, ci_high_pct
        ``100·(exp(b) − 1)`` and its confidence interval (t with G − 1 df), % per year.
    n_obs, n_clusters, level, r2_within
        Observations, areas, confidence level, within-area R².
    area_effects
        Estimated area intercepts (log euros in year 0 of the centring), by area.
    """

    slope: float
    slope_se: float
    annual_growth_pct: float
    ci_low_pct: float
    ci_high_pct: float
    p_value: float
    n_obs: int
    n_clusters: int
    level: float
    r2_within: float
    first_year: int
    last_year: int
    area_effects: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """One row: the trend estimate and its inference."""
        return pd.DataFrame(
            [
                {
                    "term": "year (log points per year)",
                    "estimate": self.slope,
                    "se_clustered": self.slope_se,
                    "p_value": self.p_value,
                    "annual_growth_pct": self.annual_growth_pct,
                    "ci_low_pct": self.ci_low_pct,
                    "ci_high_pct": self.ci_high_pct,
                    "n_obs": self.n_obs,
                    "n_clusters": self.n_clusters,
                    "years": f"{self.first_year}–{self.last_year}",
                }
            ]
        )

    def summary(self) -> str:
        pct = int(round(100 * self.level))
        return (
            f"Trend {self.first_year}–{self.last_year}: {self.annual_growth_pct:.2f}% per year "
            f"({pct}% CI {self.ci_low_pct:.2f} to {self.ci_high_pct:.2f}); area fixed effects, "
            f"SEs clustered by area ({self.n_clusters} clusters, n = {self.n_obs})"
        )


def trend_model(
    frame: pd.DataFrame,
    *,
    area: str = "area",
    value: str = "value",
    period: str = "period",
    level: float = 0.95,
) -> TrendResult:
    """Fit ``ln value ~ year + area fixed effects`` by OLS, SEs clustered by area.

    Uses statsmodels OLS on explicit arrays (``missing="raise"``: rows with a missing value must
    be dropped by the caller, never silently); cluster-robust covariance with the usual
    small-sample correction ``G/(G−1) · (N−1)/(N−K)`` and t(G−1) inference.

    Parameters
    ----------
    frame
        Tidy frame: ``area``, ``period`` (year), ``value`` (> 0, euros).
    level
        Confidence level of the growth interval.
    """
    check_in_range("level", level, 0, 1, low_inclusive=False, high_inclusive=False)
    check_tidy(
        frame,
        by=[area],
        period=period,
        value=value,
        source="trend_model",
        allow_missing_value=False,
    )
    areas = pd.Categorical(frame[area].astype(str))
    n_clusters = len(areas.categories)
    if n_clusters < 2:
        raise DataError(
            f"trend_model: need at least 2 areas in column {area!r}, found {n_clusters}"
        )
    years = frame[period].to_numpy(dtype=float)
    dummies = pd.get_dummies(areas, dtype=float).to_numpy()
    x = np.column_stack([years - years.min(), dummies])
    y = np.log(frame[value].to_numpy(dtype=float))
    model = sm.OLS(y, x, missing="raise")
    fit = model.fit(
        cov_type="cluster",
        cov_kwds={"groups": areas.codes, "use_correction": True, "df_correction": True},
        use_t=True,
    )
    slope, se = float(fit.params[0]), float(fit.bse[0])
    low, high = fit.conf_int(alpha=1 - level)[0]
    resid_within = fit.resid
    demeaned = y - pd.Series(y).groupby(areas.codes).transform("mean").to_numpy()
    r2_within = 1 - resid_within @ resid_within / (demeaned @ demeaned)
    return TrendResult(
        slope=slope,
        slope_se=se,
        annual_growth_pct=100 * (np.exp(slope) - 1),
        ci_low_pct=100 * (np.exp(low) - 1),
        ci_high_pct=100 * (np.exp(high) - 1),
        p_value=float(fit.pvalues[0]),
        n_obs=len(y),
        n_clusters=n_clusters,
        level=level,
        r2_within=float(r2_within),
        first_year=int(years.min()),
        last_year=int(years.max()),
        area_effects=pd.Series(fit.params[1:], index=list(areas.categories), name="area_effect"),
    )


@dataclass(frozen=True)
class ForecastResult(ResultMixin):
    """Observed series plus a projection with prediction intervals.

    ``to_frame()`` has ``period``, ``value``, ``low``, ``high`` and ``kind`` (``"observed"`` or
    ``"projection"``); projections are model output, not data.
    """

    frame: pd.DataFrame
    method: str
    level: float
    annual_growth_pct: float

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def projection(self) -> pd.DataFrame:
        """Only the projected rows."""
        return self.frame[self.frame["kind"] == "projection"].reset_index(drop=True)

    def summary(self) -> str:
        proj = self.projection()
        last = proj.iloc[-1]
        pct = int(round(100 * self.level))
        return (
            f"Projection ({self.method}) to {int(last['period'])}: {last['value']:,.0f} "
            f"({pct}% prediction interval {last['low']:,.0f}–{last['high']:,.0f}); "
            f"fitted growth {self.annual_growth_pct:.2f}% per year"
        )

    def plot(self, **kwargs: Any) -> Any:
        """Observed line and shaded projection (``plots.rents.forecast_fan``)."""
        from permanent_research.plots.rents import forecast_fan

        return forecast_fan(self.frame, level=self.level, **kwargs)


def forecast(
    series: pd.DataFrame,
    *,
    horizon: int = 5,
    level: float = 0.9,
    method: Literal["loglinear", "ets"] = "loglinear",
    value: str = "value",
    period: str = "period",
) -> ForecastResult:
    """Project one annual series ``horizon`` years ahead with prediction intervals.

    Parameters
    ----------
    series
        One area's tidy rows (``period`` = consecutive years, ``value`` > 0, no missing values).
    method
        ``"loglinear"``: OLS of ln value on year, intervals from the OLS prediction variance
        (statsmodels ``get_prediction``); ``"ets"``: additive damped-trend exponential smoothing
        on ln value (statsmodels ``ETSModel``), intervals from its state-space variance.
        Both are back-transformed with ``exp`` (median, not mean, projections).
    level
        Prediction-interval coverage, in (0, 1).
    """
    check_choice("method", method, ("loglinear", "ets"))
    check_in_range("level", level, 0, 1, low_inclusive=False, high_inclusive=False)
    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ParameterError(f"horizon={horizon!r} must be a whole number of years ≥ 1")
    check_tidy(
        series, by=[], period=period, value=value, source="forecast", allow_missing_value=False
    )
    data = series.sort_values(period)
    years = data[period].to_numpy(dtype=int)
    if len(years) < 5 or np.any(np.diff(years) != 1):
        raise DataError(
            f"forecast: need ≥ 5 consecutive years in {period!r}, got {', '.join(map(str, years))}"
        )
    y = np.log(data[value].to_numpy(dtype=float))
    future = np.arange(years[-1] + 1, years[-1] + 1 + horizon)
    alpha = 1 - level
    if method == "loglinear":
        x = sm.add_constant(years - years[0], has_constant="add")
        fit = sm.OLS(y, x, missing="raise").fit()
        xf = sm.add_constant(future - years[0], has_constant="add")
        pred = fit.get_prediction(xf).summary_frame(alpha=alpha)
        mean, low, high = pred["mean"], pred["obs_ci_lower"], pred["obs_ci_upper"]
        growth = 100 * (np.exp(fit.params[1]) - 1)
        label = "log-linear trend (OLS)"
    else:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        index = pd.period_range(str(years[0]), periods=len(years), freq="Y")
        fit = ETSModel(pd.Series(y, index=index), error="add", trend="add", damped_trend=True).fit(
            disp=False
        )
        pred = fit.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(
            alpha=alpha
        )
        mean, low, high = pred["mean"], pred["pi_lower"], pred["pi_upper"]
        growth = 100 * (np.exp(np.diff(y).mean()) - 1)
        label = "damped-trend ETS on logs"
    observed = pd.DataFrame(
        {period: years, value: np.exp(y), "low": np.nan, "high": np.nan, "kind": "observed"}
    )
    projected = pd.DataFrame(
        {
            period: future,
            value: np.exp(np.asarray(mean)),
            "low": np.exp(np.asarray(low)),
            "high": np.exp(np.asarray(high)),
            "kind": "projection",
        }
    )
    frame = pd.concat([observed, projected], ignore_index=True).rename(
        columns={period: "period", value: "value"}
    )
    return ForecastResult(frame, label, level, float(growth))
