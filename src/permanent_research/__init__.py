"""permanent-research: rent trends, displacement and affordability in Brussels, comparing
temporary use with permanent, community-land-trust models, as reproducible reports."""

__version__ = "0.1.0"
