"""Event-study estimators side by side on one panel — the robustness table of an applied paper.

* ``twfe`` — two-way fixed effects: the static coefficient on ``treated`` and the fully
  dynamic event study ``y ~ i(relative_time, ref=-1) | unit + time`` (never-treated units in
  the reference category). Biased under staggered timing with heterogeneous or dynamic effects
  (Goodman-Bacon 2021; Sun & Abraham 2021): shown as the benchmark, not as an answer.
* ``sun_abraham`` — interaction-weighted estimator (Sun & Abraham 2021): cohort × relative-time
  interactions against never-treated units, aggregated with cohort shares
  (``pyfixest.event_study(estimator="saturated")``).
* ``imputation`` — Borusyak, Jaravel & Spiess (2024) / Gardner (2022) two-stage DiD: unit and
  time effects fitted on untreated observations, then the residualised outcome regressed on
  relative-time dummies (``pyfixest.did2s``'s two stages; its GMM standard errors clustered by
  unit, computed with sparse sums in :func:`_did2s`). Reported
  for e >= 0 only: it has no reference period, and its pre-period coefficients are in-sample
  residual means, not a pre-trend test.
* ``callaway_santanna`` — :func:`~permanent_research.causal.staggered_did` with a universal base
  period (so e = −1 is the reference, as in the regressions), dynamic aggregation.

Standard errors: cluster-robust by unit for the regressions, influence-function for CS.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from permanent_research._validation import check_choice, format_rows
from permanent_research.causal.did import CONTROL_GROUPS, staggered_did, validate_panel
from permanent_research.causal.results import ComparisonResult
from permanent_research.errors import DataError, ParameterError, PermanentResearchWarning
from permanent_research.options import ESTIMATORS, Estimator

__all__ = ["compare_estimators", "ESTIMATORS"]



def _tidy(fit, pattern: str) -> pd.DataFrame:
    """Relative-time coefficients of a pyfixest fit (or its tidy table) matching ``pattern``."""
    tidy = (fit if isinstance(fit, pd.DataFrame) else fit.tidy()).reset_index()
    rows = []
    for _, r in tidy.iterrows():
        m = re.fullmatch(pattern, str(r["Coefficient"]))
        if m:
            rows.append({"relative_time": float(m.group(1)), "estimate": r["Estimate"],
                         "se": r["Std. Error"]})
    return pd.DataFrame(rows)


def _design_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """One second-stage regressor of :func:`_did2s` from its pyfixest coefficient name."""
    m = re.fullmatch(r"rel_::(-?\d+(?:\.\d+)?)", name)
    if m:
        return (frame["rel_"].to_numpy() == float(m.group(1))).astype(float)
    if name == "treated_":
        return frame["treated_"].to_numpy(dtype=float)
    raise ValueError(f"_did2s: unexpected second-stage coefficient {name!r}")


def _did2s(d: pd.DataFrame, second_stages: Sequence[str]) -> list[pd.DataFrame]:
    """Gardner's two-stage DiD (``pyfixest.did2s``) with its GMM cluster vcov, vectorised.

    The point estimates come from the same two :func:`pyfixest.feols` calls as in
    ``pyfixest.did2s`` (first stage ``y_ ~ 0 | unit_ + time_`` on untreated rows; second stage
    of the residual on each of ``second_stages`` without intercept; the first stage is fitted
    once for all of them). The variance is Gardner's (2022) GMM sandwich clustered by
    ``unit_``, as ``pyfixest.did.did2s._did2s_vcov`` computes it, but with sparse cluster sums
    instead of a Python loop over units (same formula; equal to ``pyfixest.did2s`` to
    rounding, see ``tests/reference/test_did2s_vcov.py``).

    Returns
    -------
    list of pandas.DataFrame
        One per second stage, indexed by coefficient name, columns ``Estimate`` and
        ``Std. Error``.
    """
    import pyfixest as pf
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    data = d.copy()
    data["treated_"] = data["treated_"].astype(bool)  # as pyfixest.did2s does
    fit1 = pf.feols("y_ ~0|unit_+time_", data=data[~data["treated_"]], vcov="iid")
    fit1.fixef()
    first_u = data["y_"].to_numpy(dtype=float) - np.asarray(fit1.predict(newdata=data))
    data["y__hat"] = first_u

    n = len(data)
    rows = np.arange(n)
    unit_codes, _ = pd.factorize(data["unit_"])
    time_codes, times = pd.factorize(data["time_"], sort=True)
    # first-stage design: every unit dummy and every time dummy but the first (full rank; the
    # sandwich does not depend on which basis of the fixed-effect space is used)
    x1 = sparse.hstack([
        sparse.csr_matrix((np.ones(n), (rows, unit_codes)), shape=(n, unit_codes.max() + 1)),
        sparse.csr_matrix((np.ones(n), (rows, time_codes)), shape=(n, len(times)))[:, 1:],
    ]).tocsr()
    x10 = sparse.diags((~data["treated_"].to_numpy()).astype(float)) @ x1
    x10x10 = (x10.T @ x10).tocsc()
    cluster_codes, clusters = pd.factorize(data["unit_"])
    members = sparse.csr_matrix((np.ones(n), (cluster_codes, rows)), shape=(len(clusters), n))
    first_scores = (members @ x10.multiply(first_u[:, None]).tocsr())  # G x p

    tables = []
    for second_stage in second_stages:
        fit2 = pf.feols(f"y__hat {second_stage.replace(' ', '')}", data=data, vcov="iid",
                        drop_intercept=True)
        second_u = np.asarray(fit2.resid(), dtype=float)
        names = list(fit2.coef().index)
        x2 = np.column_stack([_design_column(data, name) for name in names])
        x2x1 = np.asarray(x1.T @ x2)  # p x k
        v = np.asarray(spsolve(x10x10, x2x1)).reshape(x2x1.shape).T  # k x p
        w = (np.asarray(members @ (x2 * second_u[:, None])) - first_scores @ v.T).T  # k x G
        scores = np.linalg.solve(x2.T @ x2, w)  # k x G
        vcov = scores @ scores.T
        tables.append(pd.DataFrame({"Estimate": np.asarray(fit2.coef(), dtype=float),
                                    "Std. Error": np.sqrt(np.diagonal(vcov))},
                                   index=pd.Index(names, name="Coefficient")))
    return tables


def compare_estimators(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    min_e: int = -5,
    max_e: int = 5,
    control: str = "never_treated",
    estimators: Sequence[Estimator] = ESTIMATORS,
    alpha: float = 0.05,
) -> ComparisonResult:
    """Estimate the same event study with TWFE, Sun–Abraham, imputation and Callaway–Sant'Anna.

    Parameters
    ----------
    data
        Balanced long panel (schema: ``docs/causal.md``), absorbing staggered treatment.
    unit, time, outcome, first_treated
        Column names; ``first_treated`` is 0 or missing for never-treated units.
    min_e, max_e
        Window of relative times (periods) reported in the table; the regressions estimate all
        relative times (no binning) and the window only selects rows.
    control
        Comparison group for Callaway–Sant'Anna (``"never_treated"``/``"not_yet_treated"``);
        Sun–Abraham always uses never-treated units, TWFE and imputation use all
        not-yet-treated observations by construction.
    estimators
        Subset of ``("twfe", "sun_abraham", "imputation", "callaway_santanna")``.
    alpha
        1 − confidence level of the pointwise intervals.

    Returns
    -------
    ComparisonResult
        ``.table`` (estimator, relative_time, estimate, se, ci_low, ci_high) with the
        reference period −1 as a 0 row (no SE) for TWFE, Sun–Abraham and Callaway–Sant'Anna
        (all three estimate differences from e = −1); the imputation estimator has no
        reference period (Y(0) comes from all untreated periods) and only rows e >= 0. Units
        treated in the first period are dropped for every estimator, with a warning. And
        ``.overall``: one
        post-treatment ATT per estimator — static TWFE coefficient; for Sun–Abraham the
        cohort-size weighted mean of all post-treatment cohort × relative-time effects; for
        imputation the mean effect over all treated observations; for Callaway–Sant'Anna
        ``aggregate("simple")``. The last three share one estimand (the average over treated
        unit-periods); static TWFE does not.
    """
    check_choice("control", control, CONTROL_GROUPS)
    for name in estimators:
        check_choice("estimators", name, ESTIMATORS)
    if not min_e < 0 <= max_e:
        raise ParameterError(f"min_e={min_e!r}, max_e={max_e!r}: need min_e < 0 <= max_e")
    import pyfixest as pf

    validate_panel(data, unit=unit, time=time, outcome=outcome, first_treated=first_treated)
    d = data[[unit, time, outcome, first_treated]].copy()
    d.columns = ["unit_", "time_", "y_", "g_"]
    d["g_"] = d["g_"].fillna(0).astype(int)
    d.loc[d["g_"] > d["time_"].max(), "g_"] = 0
    # Units treated in the first period have no untreated observation: Callaway-Sant'Anna
    # (as R did) and the imputation estimator cannot use them. Drop them for every estimator,
    # loudly, so that all rows of the table come from the same sample.
    always = d.loc[(d["g_"] > 0) & (d["g_"] <= d["time_"].min()), "unit_"].unique()
    if len(always):
        warnings.warn(
            f"compare_estimators: dropped {len(always)} {unit}(s) already treated in the first "
            f"period {d['time_'].min():g} (no untreated period), for every estimator: "
            f"{format_rows(always)}", PermanentResearchWarning, stacklevel=2)
        d = d[~d["unit_"].isin(always)]
    if not (d["g_"] == 0).any():
        needs = [e for e in ("twfe", "sun_abraham", "imputation") if e in estimators]
        if needs:
            raise DataError(
                f"compare_estimators: no never-treated {unit} ({first_treated} 0 or missing); "
                f"estimators {', '.join(needs)} need them here; allowed without: "
                f"estimators=['callaway_santanna'] with control='not_yet_treated'")
    d["treated_"] = ((d["g_"] > 0) & (d["time_"] >= d["g_"])).astype(int)
    d["rel_"] = np.where(d["g_"] > 0, d["time_"] - d["g_"], -1).astype(int)
    z = norm.ppf(1 - alpha / 2)
    tables, overall = [], []

    def add(name: str, es: pd.DataFrame, est: float, se: float, reference: bool = True) -> None:
        es = es[(es["relative_time"] >= min_e) & (es["relative_time"] <= max_e)]
        if reference and not (es["relative_time"] == -1).any():
            es = pd.concat([es, pd.DataFrame([{"relative_time": -1.0, "estimate": 0.0,
                                               "se": np.nan}])])
        tables.append(es.assign(estimator=name))
        overall.append({"estimator": name, "estimate": est, "se": se})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's chatter; our own warnings stay visible
        warnings.simplefilter("always", PermanentResearchWarning)
        if "twfe" in estimators:
            static = pf.feols("y_ ~ treated_ | unit_ + time_", data=d, vcov={"CRV1": "unit_"})
            dyn = pf.feols("y_ ~ i(rel_, ref=-1) | unit_ + time_", data=d,
                           vcov={"CRV1": "unit_"})
            add("twfe", _tidy(dyn, r"rel_::(-?\d+(?:\.\d+)?)"),
                float(static.coef()["treated_"]), float(static.se()["treated_"]))
        if "sun_abraham" in estimators:
            sat = pf.event_study(d, yname="y_", idname="unit_", tname="time_", gname="g_",
                                 estimator="saturated", cluster="unit_")
            agg = sat.aggregate(agg="period", weighting="shares").reset_index()
            es = pd.DataFrame({"relative_time": agg["period"].astype(float),
                               "estimate": agg["Estimate"].astype(float),
                               "se": agg["Std. Error"].astype(float)})
            # overall: cohort-size weighted mean of post-treatment cohort x event effects
            names = list(sat._coefnames)
            sizes = d.groupby("g_")["unit_"].nunique()
            w = np.zeros(len(names))
            for i, nm in enumerate(names):
                m = re.fullmatch(r".+::(-?[\d.]+):.+::(-?[\d.]+)", nm)
                if m and float(m.group(1)) >= 0:
                    w[i] = sizes.get(int(float(m.group(2))), 0)
            w = w / w.sum()
            beta = np.asarray(sat._beta_hat, dtype=float)
            vcov = np.asarray(sat._vcov, dtype=float)
            add("sun_abraham", es, float(w @ beta), float(np.sqrt(w @ vcov @ w)))
        if "imputation" in estimators:
            # pyfixest.did2s's estimates and GMM vcov; its vcov loops over units in Python
            # (3 s for 1,500 units), _did2s computes the same sums with sparse matrices
            fit, static = _did2s(d, ["~ i(rel_, ref=-1)", "~ 0 + treated_"])
            # Only e >= 0: the imputation estimator has no reference period (Y(0) is imputed
            # from unit and time effects fitted on *all* untreated periods), and did2s's
            # pre-period coefficients are mean in-sample first-stage residuals (shrunk towards
            # 0; not a pre-trend test, BJS 2024 sec. 4.4). Showing them beside a "-1 = 0" row
            # would suggest a comparison with the other estimators that does not hold.
            imp = _tidy(fit, r"rel_::(-?\d+(?:\.\d+)?)")
            add("imputation", imp[imp["relative_time"] >= 0],
                float(static.loc["treated_", "Estimate"]),
                float(static.loc["treated_", "Std. Error"]), reference=False)
        if "callaway_santanna" in estimators:
            named = d[["unit_", "time_", "y_", "g_"]].set_axis(
                [unit, time, outcome, first_treated], axis=1)  # warnings name the user's columns
            cs = staggered_did(named, unit=unit, time=time, outcome=outcome,
                               first_treated=first_treated, control=control,
                               base_period="universal")
            dyn_cs = cs.aggregate("dynamic")
            simple = cs.aggregate("simple").overall
            es = dyn_cs.table.rename(columns={"event_time": "relative_time", "att": "estimate"})
            es = es[["relative_time", "estimate", "se"]].astype(float)
            es.loc[es["relative_time"] == -1, ["estimate", "se"]] = [0.0, np.nan]
            add("callaway_santanna", es, simple.att, simple.se)

    table = pd.concat(tables, ignore_index=True)
    table["relative_time"] = table["relative_time"].astype(int)
    table["ci_low"] = table["estimate"] - z * table["se"]
    table["ci_high"] = table["estimate"] + z * table["se"]
    table = table[["estimator", "relative_time", "estimate", "se", "ci_low", "ci_high"]]
    table = table.sort_values(["estimator", "relative_time"], key=lambda s: s.map(
        {e: i for i, e in enumerate(ESTIMATORS)}) if s.name == "estimator" else s)
    over = pd.DataFrame(overall)
    over["ci_low"] = over["estimate"] - z * over["se"]
    over["ci_high"] = over["estimate"] + z * over["se"]
    # pandas 3.1 deprecates inplace=True (PDEP-8)
    table, over = table.reset_index(drop=True), over.reset_index(drop=True)
    for frame in (table, over):
        if data.attrs.get("synthetic"):
            frame.attrs["synthetic"] = True
    return ComparisonResult(table=table, overall=over,
                            options={"min_e": min_e, "max_e": max_e, "control": control,
                                     "reference": -1, "alpha": alpha})
