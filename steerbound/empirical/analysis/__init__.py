"""Analysis of measured curves: fits of the bound forms, bound checks, the tradeoff."""
