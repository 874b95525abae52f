"""Figures of the Brussels housing context (notebook ``01_brussels_context``).

Each function takes a table from :mod:`permanent_research.context` and returns a Figure in the
house style, with a title that states what the figure shows; the notebook adds the source note
(:func:`permanent_research.plots.add_source_note`). Facts from different sources are drawn as
separate points labelled with their publisher, never averaged into one line.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from permanent_research.plots.maps import choropleth
from permanent_research.plots.style import PALETTE, label_points, new_figure

__all__ = [
    "waiting_list_points",
    "social_stock_bars",
    "production_bars",
    "rent_changes",
    "price_lines",
    "price_maps",
    "permit_bars",
    "vacancy_vs_waiting",
]

_THOUSANDS = FuncFormatter(lambda v, _: f"{v:,.0f}")


def _short(text: str, width: int = 28) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def waiting_list_points(
    table: pd.DataFrame, *, brochure: float | None = None, title: str | None = None
) -> Figure:
    """Every waiting-list figure by reference date, undated ones in a separate column.

    Parameters
    ----------
    table
        :func:`permanent_research.context.waiting_list`.
    brochure
        The brochure's figure (households), drawn as a dashed line.
    title
        Overrides the title computed from the data.
    """
    figure, ax = new_figure(width=9, height=4.8)
    dated = table[table["year"].notna()]
    undated = table[table["year"].isna()]
    undated_x = math.floor(dated["year"].max()) + 3 if not dated.empty else 0.0
    markers = {"more than": "^", "nearly": "v", "": "o"}
    for stated, marker in markers.items():
        for part, colour in ((dated, PALETTE["social_housing"]), (undated, PALETTE["neutral"])):
            rows = part[part["stated_as"] == stated]
            if rows.empty:
                continue
            x = rows["year"] if part is dated else np.full(len(rows), undated_x)
            label = {"more than": "stated as 'more than'", "nearly": "stated as 'nearly'",
                     "": "stated figure"}[stated]
            ax.scatter(x, rows["value"], marker=marker, s=55, color=colour, zorder=3,
                       label=label if part is dated or dated.empty else None)
    if brochure is not None:
        ax.axhline(brochure, color=PALETTE["highlight"], linestyle="--", linewidth=1.2,
                   label=f"brochure: {brochure:,.0f}")
    ax.axvline(undated_x - 1.5, color="#bdbdbd", linewidth=0.8)
    ticks = [t for t in ax.get_xticks() if t < undated_x - 2.5]
    ax.set_xticks([*ticks, undated_x], [*(f"{t:.0f}" for t in ticks), "undated"])
    ax.set_xlim(table["year"].min() - 1, undated_x + 4)
    ax.set_ylim(0, table["value"].max() * 1.15)
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.set_ylabel("households on the waiting list")
    ax.set_xlabel("reference date of the figure")
    if title is None:
        recent = table[(table["year"] >= 2017) | table["year"].isna()]["value"]
        title = (f"{len(table)} waiting-list figures from {table['publisher'].nunique()} sources: "
                 f"{recent.min():,.0f} to {recent.max():,.0f} households since 2017 or undated")
    ax.set_title(title, fontsize=11)
    # labels last, once the axes are final: nearby figures push each other's labels apart
    # (placed from the highest value down, so the crowded top keeps its order)
    ordered = table.assign(_x=table["year"].fillna(undated_x)).sort_values(
        ["_x", "value"], ascending=[True, False])
    label_points(ax, zip(ordered["_x"], ordered["value"], strict=True),
                 [f"{v:,.0f}  {_short(p, 24)}" for v, p in zip(ordered["value"],
                                                               ordered["publisher"], strict=True)],
                 fontsize=7, color=PALETTE["truth"])
    # the legend where the labels left room
    ax.legend(loc="best", fontsize=8, frameon=False)
    return figure


def social_stock_bars(
    stock: pd.DataFrame, *, brochure: float | None = None, title: str | None = None
) -> Figure:
    """Social-housing stock, occupied and vacant dwellings, by reference period and source.

    Parameters
    ----------
    stock
        :func:`permanent_research.context.social_stock`.
    brochure
        The brochure's stock figure (dwellings), drawn as a dashed line.
    """
    figure, ax = new_figure(width=9, height=4.6)
    colours = {
        "social_dwellings_stock_total": PALETTE["social_housing"],
        "social_rental_dwellings_stock": PALETTE["secondary"],
        "social_dwellings_occupied": PALETTE["permanent_clt"],
        "vacant_social_dwellings": PALETTE["market"],
    }
    labels = {
        "social_dwellings_stock_total": "stock (occupied + vacant)",
        "social_rental_dwellings_stock": "social rental stock",
        "social_dwellings_occupied": "occupied",
        "vacant_social_dwellings": "vacant",
    }
    periods = list(dict.fromkeys(
        stock.sort_values("year", na_position="last")["period"].tolist()
    ))
    width = 0.8 / len(colours)
    for j, (measure, colour) in enumerate(colours.items()):
        rows = stock[stock["measure"] == measure]
        for _, row in rows.iterrows():
            x = periods.index(row["period"]) + (j - (len(colours) - 1) / 2) * width
            hatch = "//" if row.get("derived", False) else None
            ax.bar(x, row["value"], width=width, color=colour, hatch=hatch, edgecolor="white",
                   label=labels[measure])
            ax.annotate(f"{row['value']:,.0f}", (x, row["value"]), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 2), textcoords="offset points")
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    if brochure is not None:
        line = ax.axhline(brochure, color=PALETTE["highlight"], linestyle="--", linewidth=1.2)
        unique[f"brochure: ~{brochure:,.0f}, 'all occupied'"] = line
    sources = [
        f"{p}\n{_short(stock.loc[stock['period'] == p, 'publisher'].iloc[0], 22)}"
        for p in periods
    ]
    ax.set_xticks(range(len(periods)), sources, fontsize=8)
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.set_ylabel("dwellings")
    ax.set_ylim(0, stock["value"].max() * 1.18)
    ax.legend(unique.values(), unique.keys(), fontsize=8, frameon=False, ncol=3,
              loc="upper left")
    if title is None:
        total = stock[stock["measure"] == "social_dwellings_stock_total"].dropna(subset=["year"])
        vacant = stock[(stock["measure"] == "vacant_social_dwellings")].dropna(subset=["year"])
        last_total, last_vacant = total.iloc[-1], vacant.iloc[-1]
        title = (f"{last_total['value']:,.0f} social homes in {last_total['period']}, "
                 f"but {vacant['value'].min():,.0f}-{vacant['value'].max():,.0f} stood empty "
                 f"({vacant['period'].iloc[0]}-{last_vacant['period']})")
    ax.set_title(title, fontsize=11)
    return figure


def production_bars(
    production: pd.DataFrame, *, brochure: float | None = None, title: str | None = None
) -> Figure:
    """New social (and public) homes per year, one bar per source or derivation.

    Parameters
    ----------
    production
        :func:`permanent_research.context.social_production`.
    brochure
        The brochure's figure (dwellings/year), drawn as a dashed line.
    """
    figure, ax = new_figure(width=9, height=0.6 * len(production) + 1.6)
    y = np.arange(len(production))[::-1]
    public = production["figure"].str.startswith("public")
    colours = np.where(public, PALETTE["neutral"], PALETTE["social_housing"])
    ax.barh(y, production["dwellings_per_year"], color=colours, height=0.6)
    for yi, (_, row) in zip(y, production.iterrows(), strict=True):
        ax.annotate(f"{row['dwellings_per_year']:,.0f}", (row["dwellings_per_year"], yi),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    labels = [
        f"{_short(row['figure'], 46)}\n{row['period']} · {_short(row['publisher'], 34)}"
        for _, row in production.iterrows()
    ]
    ax.set_yticks(y, labels, fontsize=7)
    if brochure is not None:
        ax.axvline(brochure, color=PALETTE["highlight"], linestyle="--", linewidth=1.2,
                   label=f"brochure: ~{brochure:,.0f} per year")
        ax.legend(fontsize=8, frameon=False, loc="upper right")
    ax.set_xlabel("dwellings per year")
    ax.grid(axis="y", visible=False)
    if title is None:
        social = production[~public]["dwellings_per_year"]
        title = (f"New social homes: {social.min():,.0f}-{social.max():,.0f} a year (net or "
                 "gross)")
        if public.any():
            other = production[public]["dwellings_per_year"]
            title += f"; all public housing: {other.min():,.0f}-{other.max():,.0f}"
    ax.set_title(title, fontsize=11)
    return figure


def rent_changes(
    rents: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    caveats: dict[int, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Observatory mean rent by survey year (left) and claimed vs computed changes (right).

    Parameters
    ----------
    rents
        :func:`permanent_research.context.observatory_rents` (all versions; conflicting press
        values, ``preferred = False``, are listed in a note, not joined to the line).
    claims
        ``RentChangeComparison.claims``.
    caveats
        ``{survey_year: text}``: values drawn as open squares, not joined to the line, with
        the text next to them (e.g. a value that is probably not in nominal euros).
    """
    figure, (left, right) = new_figure(1, 2, width=12, height=4.8,
                                       gridspec_kw={"width_ratios": [1, 1.25]})
    dated = rents[rents["survey_year"].notna()]
    caveats = caveats or {}
    preferred = dated[dated["preferred"]]
    flagged = preferred["survey_year"].astype(int).isin(list(caveats))
    joined, apart = preferred[~flagged], preferred[flagged]
    other = dated[~dated["preferred"]]
    x = joined["survey_year"].astype(int)
    left.plot(x, joined["value"], marker="o", color=PALETTE["market"],
              label="mean rent (preferred source)")
    for xi, v in zip(x, joined["value"], strict=True):
        left.annotate(f"{v:.0f}", (xi, v), xytext=(0, 6), textcoords="offset points",
                      ha="center", fontsize=7)
    for _, row in apart.iterrows():
        year = int(row["survey_year"])
        left.scatter([year], [row["value"]], marker="s", facecolors="none",
                     edgecolors=PALETTE["market"], s=45)
        left.annotate(f"{row['value']:.0f}: {caveats[year]}", (year, row["value"]),
                      xytext=(0, 7), textcoords="offset points", fontsize=7,
                      color=PALETTE["market"])
    if not other.empty:
        left.scatter(other["survey_year"].astype(int), other["value"], facecolors="none",
                     edgecolors=PALETTE["neutral"], s=40,
                     label="conflicting press value (not preferred)")
        listed = "; ".join(f"{int(r['survey_year'])}: {r['value']:.0f} ({r['publisher']})"
                           for _, r in other.sort_values(["survey_year", "value"]).iterrows())
        left.text(0.98, 0.25, "Also reported:\n" + listed.replace("; ", "\n"),
                  transform=left.transAxes, ha="right", va="bottom", fontsize=6.5,
                  color=PALETTE["neutral"])
    left.set_ylabel("EUR per month (as published)")
    left.set_xlabel("observatory survey year")
    left.set_ylim(dated["value"].min() * 0.85, dated["value"].max() * 1.06)
    left.legend(fontsize=7, frameon=False, loc="lower right")
    left.set_title("Mean rent paid by sitting tenants", fontsize=10)

    y = np.arange(len(claims))[::-1]
    colours = [
        PALETTE["highlight"] if f == "brochure"
        else PALETTE["permanent_clt"] if f.startswith("observatory")
        else PALETTE["neutral"]
        for f in claims["figure"]
    ]
    values = claims["change_pct"].fillna(0.0)
    right.barh(y, values, color=colours, height=0.6)
    for yi, value in zip(y, claims["change_pct"], strict=True):
        text = "not computable" if pd.isna(value) else f"{value:+.1f}%"
        right.annotate(text, (0 if pd.isna(value) else value, yi),
                       xytext=(4 if pd.isna(value) or value >= 0 else -4, 0),
                       textcoords="offset points", va="center", fontsize=8,
                       ha="left" if pd.isna(value) or value >= 0 else "right")
    labels = [f"{_short(r['figure'], 40)}\n{r['period']}, {r['basis']}"
              for _, r in claims.iterrows()]
    right.set_yticks(y, labels, fontsize=7)
    right.axvline(0, color=PALETTE["truth"], linewidth=0.8)
    right.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    right.set_xlabel("change over the period (%)")
    right.grid(axis="y", visible=False)
    low = min(0.0, float(values.min())) - 8
    right.set_xlim(low, float(values.max()) + 12)
    right.set_title("Claimed and computed changes", fontsize=10)
    figure.suptitle(title or "Brussels rents: the brochure's +29% and the observatory's +20% "
                    "measure different things", x=0.01, ha="left", fontweight="bold",
                    fontsize=11)
    figure.tight_layout()
    return figure


def price_lines(
    prices: pd.DataFrame,
    *,
    highlight: str = "04000",
    label_extremes: int = 2,
    property_label: str = "apartment",
    title: str | None = None,
) -> Figure:
    """Median sale price per commune over the years, the region highlighted.

    Parameters
    ----------
    prices
        :func:`permanent_research.context.median_prices` (communes, region and Belgium).
    highlight
        REFNIS code drawn in colour (default the region).
    label_extremes
        Number of most and least expensive communes (last year) named at the line ends.
    """
    figure, ax = new_figure(width=9, height=5)
    last_year = int(prices["year"].max())
    communes = prices[prices["geo_level"] == "municipality"]
    for _, rows in communes.groupby("nis_code"):
        ax.plot(rows["year"], rows["median_price_eur"], color="#bdbdbd", linewidth=0.9)
    ends = communes[communes["year"] == last_year].dropna(subset=["median_price_eur"])
    ends = ends.sort_values("median_price_eur")
    named = pd.concat([ends.head(label_extremes), ends.tail(label_extremes)])
    gap = (ends["median_price_eur"].max() - ends["median_price_eur"].min()) * 0.035
    placed: list[float] = []
    for _, row in named.iterrows():
        y = float(row["median_price_eur"])
        while any(abs(y - q) < gap for q in placed):
            y += gap if row["median_price_eur"] >= ends["median_price_eur"].median() else -gap
        placed.append(y)
        ax.annotate(row["name_fr"], (last_year, row["median_price_eur"]),
                    xytext=(last_year + 0.3, y), textcoords="data", fontsize=7, va="center",
                    color=PALETTE["neutral"])
    country = prices[prices["geo_level"] == "country"]
    if not country.empty:
        ax.plot(country["year"], country["median_price_eur"], color=PALETTE["truth"],
                linestyle="--", linewidth=1.2, label="Belgium")
    region = prices[prices["nis_code"] == highlight]
    ax.plot(region["year"], region["median_price_eur"], color=PALETTE["market"], linewidth=2.6,
            marker="o", markersize=3.5, label=region["name_fr"].iloc[0] if len(region) else "")
    ax.plot([], [], color="#bdbdbd", label="the 19 communes")
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.set_ylabel("median sale price (EUR, nominal)")
    ax.set_xlabel("year of sale")
    ax.set_xlim(prices["year"].min() - 0.5, last_year + 2.5)
    ax.set_xticks(range(int(prices["year"].min()), last_year + 1, 2))
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    if title is None:
        first_year = int(prices["year"].min())
        start = region.loc[region["year"] == first_year, "median_price_eur"].iloc[0]
        end = region.loc[region["year"] == last_year, "median_price_eur"].iloc[0]
        title = (f"Median {property_label} price in the region: {start:,.0f} EUR in {first_year}"
                 f", {end:,.0f} EUR in {last_year} ({(end / start - 1) * 100:+.0f}%)")
    ax.set_title(title, fontsize=11)
    return figure


def _price_map_title(
    change: pd.DataFrame, pct_col: str, start_year: int, end_year: int, property_label: str
) -> str:
    """Finding title for the price maps: how many communes rose, with the range."""
    communal = change[change["geo_level"] == "municipality"].dropna(subset=[pct_col])
    n_all = int((change["geo_level"] == "municipality").sum())
    if communal.empty:
        return (f"No commune has a median {property_label} price in both {start_year} and "
                f"{end_year}")
    low, high = communal.nsmallest(1, pct_col).iloc[0], communal.nlargest(1, pct_col).iloc[0]
    risen = int((communal[pct_col] > 0).sum())
    span = (f"{low[pct_col]:+.0f}% ({low['name_fr']}) to {high[pct_col]:+.0f}% "
            f"({high['name_fr']}), {start_year}-{end_year}")
    if risen == len(communal) == n_all:
        return f"Every commune got dearer: {property_label} medians rose {span}"
    if len(communal) < n_all:
        counted = f"{risen} of the {len(communal)} communes with data (of {n_all})"
    else:
        counted = f"{risen} of {n_all} communes"
    return f"{property_label.capitalize()} medians rose in {counted}; changes {span}"


def price_maps(
    areas: gpd.GeoDataFrame,
    change: pd.DataFrame,
    start_year: int,
    end_year: int,
    *,
    property_label: str = "apartment",
    title: str | None = None,
) -> Figure:
    """Two maps of the 19 communes: median price in ``end_year`` and % change since
    ``start_year``.

    Parameters
    ----------
    areas
        Commune polygons with ``nis_code`` (``data.boundaries.communes()``).
    change
        :func:`permanent_research.context.price_change` for the same years.
    """
    end_col, pct_col = f"price_{end_year}_eur", "change_pct"
    merged = areas.merge(change[["nis_code", end_col, pct_col]], on="nis_code", how="left")
    merged["label"] = (merged[end_col] / 1000).map(
        lambda v: "" if pd.isna(v) else f"{v:.0f}k"
    )
    merged["label_pct"] = merged[pct_col].map(lambda v: "" if pd.isna(v) else f"{v:+.0f}%")
    figure, (left, right) = new_figure(1, 2, width=12, height=5.6)
    choropleth(merged, end_col, ax=left, cmap="viridis", label_column="label",
               legend_label=f"median price {end_year} (EUR, nominal)",
               title=f"Median {property_label} price, {end_year}")
    choropleth(merged, pct_col, ax=right, cmap="magma_r", label_column="label_pct",
               legend_label=f"change {start_year}-{end_year} (%)",
               title=f"Change {start_year}-{end_year}")
    for ax in (left, right):
        ax.title.set_fontsize(10)
    if title is None:
        title = _price_map_title(change, pct_col, start_year, end_year, property_label)
    figure.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)
    return figure


def permit_bars(
    series: pd.DataFrame, *, measure_label: str = "new dwellings", title: str | None = None
) -> Figure:
    """Building permits per year for the region (sum of the communes); incomplete years hatched.

    Parameters
    ----------
    series
        :func:`permanent_research.context.permit_series`.
    """
    figure, ax = new_figure(width=10, height=4.6)
    complete = series[series["complete"]]
    partial = series[~series["complete"]]
    ax.bar(complete["year"], complete["region_total"], color=PALETTE["permanent_clt"],
           label=f"{measure_label} in permits granted (19 communes)")
    n_all = int(series["communes_reporting"].max())
    for _, row in partial.iterrows():
        ax.bar(row["year"], row["partial_sum"], color="white", edgecolor=PALETTE["neutral"],
               hatch="///", label=f"incomplete: {int(row['communes_reporting'])} of {n_all} "
               "communes reported")
    mean = complete["region_total"].mean()
    ax.axhline(mean, color=PALETTE["neutral"], linestyle=":", linewidth=1,
               label=f"mean of complete years: {mean:,.0f}")
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.set_ylabel(f"{measure_label} per year")
    ax.set_xlabel("year the permit was granted (permits, not completions)")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    if title is None:
        last = complete.iloc[-1]
        peak = complete.loc[complete["region_total"].idxmax()]
        side = "below" if last["region_total"] < mean else "above"
        title = (f"Permits for {last['region_total']:,.0f} {measure_label} in "
                 f"{int(last['year'])}, {side} the {int(complete['year'].min())}-"
                 f"{int(last['year'])} mean (peak {peak['region_total']:,.0f} in "
                 f"{int(peak['year'])})")
    ax.set_title(title, fontsize=11)
    return figure


def vacancy_vs_waiting(
    vacancy: pd.DataFrame, waiting: pd.DataFrame, *, title: str | None = None
) -> Figure:
    """Vacant-dwelling figures next to dated waiting-list figures, each with its year and source.

    Parameters
    ----------
    vacancy
        :func:`permanent_research.context.vacancy_facts` (dwelling counts).
    waiting
        :func:`permanent_research.context.waiting_list`; only dated figures are drawn.
    title
        Default: the two ranges, with their years.
    """
    dated = waiting.dropna(subset=["year"])
    rows = pd.concat([
        pd.DataFrame({"label": vacancy["figure"], "when": vacancy["year"].astype(str),
                      "publisher": vacancy["publisher"], "value": vacancy["value"],
                      "kind": "vacant dwellings"}),
        pd.DataFrame({"label": "households on the waiting list",
                      "when": dated["period"], "publisher": dated["publisher"],
                      "value": dated["value"], "kind": "waiting households"}),
    ], ignore_index=True)
    figure, ax = new_figure(width=9, height=0.55 * len(rows) + 1.6)
    y = np.arange(len(rows))[::-1]
    colours = np.where(rows["kind"] == "vacant dwellings", PALETTE["neutral"],
                       PALETTE["social_housing"])
    ax.barh(y, rows["value"], color=colours, height=0.6)
    for yi, value in zip(y, rows["value"], strict=True):
        ax.annotate(f"{value:,.0f}", (value, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    labels = [f"{_short(r.label, 48)}\n{r.when} · {_short(r.publisher, 40)}"
              for r in rows.itertuples()]
    ax.set_yticks(y, labels, fontsize=7)
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel("dwellings (grey) or households (green)")
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, rows["value"].max() * 1.15)
    if title is None:
        model = vacancy[vacancy["measure"].str.startswith("presumed_vacant")]
        shown = model if len(model) else vacancy
        latest = dated.iloc[-1]
        title = (f"Presumed vacant dwellings {shown['value'].min():,.0f}-"
                 f"{shown['value'].max():,.0f} ({shown['year'].max()}); households waiting "
                 f"{latest['value']:,.0f} ({latest['period']})")
    ax.set_title(title, fontsize=10)
    return figure
